#pragma once
// Counts per code: HTTP statuses of a row, and the close codes of its WebSocket sessions.

#include <cstdint>
#include <utility>
#include <vector>

namespace stampede {

// Counts per status (or close code); a request name sees few distinct statuses, so a small vector
// with a linear search beats a map on the request path.
class StatusCounts {
 public:
  void add(int status, std::uint64_t n = 1) {
    for (auto& [code, count] : counts_) {
      if (code == status) {
        count += n;
        return;
      }
    }
    counts_.emplace_back(status, n);
  }
  void merge(const StatusCounts& other) {
    for (const auto& [code, count] : other.counts_) add(code, count);
  }
  std::uint64_t get(int status) const {
    for (const auto& [code, count] : counts_) {
      if (code == status) return count;
    }
    return 0;
  }
  // Sorted by status.
  std::vector<std::pair<int, std::uint64_t>> sorted() const;
  bool empty() const { return counts_.empty(); }

 private:
  std::vector<std::pair<int, std::uint64_t>> counts_;
};

}  // namespace stampede
