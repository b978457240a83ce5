#pragma once
// Exact request counters behind /__stats. Each server thread writes its own shard (its mutex is
// uncontended except while /__stats or /__reset reads every shard), so counting stays exact with
// several threads without serialising the request path on one lock.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace stampede::target {

// One counted (non-/__) request.
struct RequestSample {
  std::string_view path;    // without the query string
  std::string_view method;  // as sent, e.g. "GET"
  unsigned status = 0;      // 0 when no HTTP response is sent (/garbage, /reset)
  std::uint64_t bytes = 0;  // request bytes consumed: start line, headers and body
  std::string_view peer;    // the client's IP address ("" unknown)
};

class Counters {
 public:
  // A connection's epoch before it carried any counted request.
  static constexpr std::uint64_t kNoEpoch = ~std::uint64_t{0};

  explicit Counters(std::size_t shards);

  // `connection_epoch` is per connection state: a connection counts once per reset epoch, so
  // "connections" means connections that carried a counted request since start or reset.
  void record_request(std::size_t shard, const RequestSample& sample,
                      std::uint64_t& connection_epoch);
  void record_accept(std::size_t shard);
  void record_parse_error(std::size_t shard);

  void reset();
  // {"requests", "by_path", "by_method", "by_status", "bytes_received", "connections",
  //  "accepted", "parse_errors", "first_request_at", "last_request_at"} summed over all shards;
  //  the times are Unix seconds (null before the first request); "connection_first_request_at":
  //  the first request of each connection (up to 1,000), to measure how together clients began;
  //  "by_peer": per client address (up to 1,000), {"requests", "first_request_at"}: the requests
  //  and start of each runner pod, which has an address of its own.
  nlohmann::json to_json() const;

 private:
  using CountMap = std::map<std::string, std::uint64_t, std::less<>>;

  struct Peer {
    std::uint64_t requests = 0;
    std::int64_t first_ns = 0;  // Unix ns of its first counted request
  };

  struct Tally {
    std::uint64_t requests = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t connections = 0;
    std::uint64_t accepted = 0;
    std::uint64_t parse_errors = 0;
    std::int64_t first_ns = 0;  // wall-clock time of the first and last counted request, Unix
    std::int64_t last_ns = 0;   // ns; 0 none (tests check when runners really started)
    std::vector<std::int64_t> connection_first_ns;  // first request of each connection (capped)
    CountMap by_path;
    CountMap by_method;
    std::map<unsigned, std::uint64_t> by_status;
    std::map<std::string, Peer, std::less<>> by_peer;

    void add(const Tally& other);
    void add_peer(std::string_view address, std::uint64_t count, std::int64_t first);
  };

  struct Shard {
    std::mutex mutex;
    Tally tally;
  };

  Shard& shard(std::size_t index) { return *shards_[index % shards_.size()]; }

  // unique_ptr: a mutex cannot move, and separate allocations keep shards off one cache line.
  std::vector<std::unique_ptr<Shard>> shards_;
  // Written while holding every shard mutex, read while holding any one of them.
  std::uint64_t epoch_ = 0;
};

}  // namespace stampede::target
