#pragma once
// A log-linear (HDR-style) histogram of durations in nanoseconds.
//
// Precision: values below 2048 ns are exact; above, every bucket spans at most 1/1024 of its
// value (better than 3 significant digits) up to kMaxTrackable (one hour); larger values are
// counted in the top bucket while min/max/sum stay exact. Counters are allocated lazily per
// octave, so a histogram costs a few KiB for the ranges latencies really use.
//
// Histograms merge bucket by bucket (threads, runners, the operator): merging gives exactly the
// histogram of the union of the samples. record() is allocation-free except for the first
// value in a new octave; it is meant for one thread (no atomics).

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace stampede {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 11;                          // 2048 linear sub-buckets
  static constexpr std::uint64_t kMaxTrackable = 3'600'000'000'000;  // 1 h in ns

  Histogram() = default;
  Histogram(const Histogram& other);
  Histogram& operator=(const Histogram& other);
  Histogram(Histogram&&) noexcept = default;
  Histogram& operator=(Histogram&&) noexcept = default;
  ~Histogram() = default;

  void record(std::chrono::nanoseconds value) { record_ns(value.count() < 0 ? 0 : value.count()); }
  void record_ns(std::uint64_t ns, std::uint64_t count = 1);

  void merge(const Histogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::uint64_t min_ns() const { return count_ ? min_ : 0; }
  std::uint64_t max_ns() const { return max_; }
  std::uint64_t sum_ns() const { return sum_; }
  double mean_ns() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  // Nearest-rank percentile, p in [0, 100]: the smallest recorded value v such that at least
  // p % of the values are <= v, reported as its bucket's midpoint clamped to [min, max].
  // 0 for an empty histogram.
  std::uint64_t percentile_ns(double p) const;
  // Seconds helpers for reports and thresholds.
  double percentile_seconds(double p) const { return percentile_ns(p) * 1e-9; }
  // How many recorded values are <= ns (for cumulative Prometheus buckets); exact at bucket
  // boundaries, otherwise counts the whole bucket containing ns.
  std::uint64_t count_at_or_below(std::uint64_t ns) const;

  // Calls f(lowest_ns, highest_ns, count) for every non-empty bucket in ascending order.
  template <class F>
  void for_each_bucket(F&& f) const;

  // Compact, exact serialization (sparse buckets). from_json returns nullopt and sets *error
  // when the document is not a histogram of this layout.
  nlohmann::json to_json() const;
  static std::optional<Histogram> from_json(const nlohmann::json& j, std::string* error);

  bool operator==(const Histogram& other) const;

  // Bucket layout, exposed for tests and for iteration.
  static std::size_t bucket_index(std::uint64_t ns);
  static std::uint64_t bucket_lowest(std::size_t index);
  static std::uint64_t bucket_highest(std::size_t index);

 private:
  static constexpr int kHalfBits = kSubBucketBits - 1;
  static constexpr std::size_t kBlockSize = std::size_t{1} << kHalfBits;  // counters per octave
  static constexpr std::size_t kBlocks = 32;  // covers up to 2^42 ns > kMaxTrackable
  using Block = std::array<std::uint64_t, kBlockSize>;

  std::uint64_t& counter(std::size_t index);

  std::array<std::unique_ptr<Block>, kBlocks + 2> blocks_{};  // blocks 0-1: exact values
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

template <class F>
void Histogram::for_each_bucket(F&& f) const {
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    if (!blocks_[b]) continue;
    const Block& block = *blocks_[b];
    const std::size_t first = b * kBlockSize;
    for (std::size_t i = 0; i < block.size(); ++i) {
      if (block[i] == 0) continue;
      std::size_t index = first + i;
      f(bucket_lowest(index), bucket_highest(index), block[i]);
    }
  }
}

}  // namespace stampede
