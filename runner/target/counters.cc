#include "target/counters.h"

#include <algorithm>
#include <chrono>
#include <string>

namespace stampede::target {
namespace {

// Paths and methods come from clients; cap the distinct keys so a load test over many unique
// URLs cannot grow the server without bound. Further keys are counted under kOtherKey.
constexpr std::size_t kMaxKeys = 1000;
constexpr std::string_view kOtherKey = "(other)";
constexpr std::size_t kMaxConnectionTimes = 1000;

template <typename Map>
void bump(Map& map, std::string_view key, std::uint64_t by = 1) {
  auto it = map.find(key);
  if (it == map.end()) {
    it = map.try_emplace(std::string(map.size() < kMaxKeys ? key : kOtherKey), 0).first;
  }
  it->second += by;
}

}  // namespace

void Counters::Tally::add(const Tally& other) {
  requests += other.requests;
  bytes_received += other.bytes_received;
  connections += other.connections;
  accepted += other.accepted;
  parse_errors += other.parse_errors;
  if (other.first_ns != 0 && (first_ns == 0 || other.first_ns < first_ns))
    first_ns = other.first_ns;
  last_ns = std::max(last_ns, other.last_ns);
  connection_first_ns.insert(connection_first_ns.end(), other.connection_first_ns.begin(),
                             other.connection_first_ns.end());
  for (const auto& [key, count] : other.by_path) bump(by_path, key, count);
  for (const auto& [key, count] : other.by_method) bump(by_method, key, count);
  for (const auto& [status, count] : other.by_status) by_status[status] += count;
  for (const auto& [address, peer] : other.by_peer) add_peer(address, peer.requests, peer.first_ns);
}

// Counts under the peer's address, or kOtherKey beyond kMaxKeys addresses.
void Counters::Tally::add_peer(std::string_view address, std::uint64_t count, std::int64_t first) {
  auto it = by_peer.find(address);
  if (it == by_peer.end()) {
    it = by_peer.try_emplace(std::string(by_peer.size() < kMaxKeys ? address : kOtherKey)).first;
  }
  it->second.requests += count;
  if (it->second.first_ns == 0 || (first != 0 && first < it->second.first_ns)) {
    it->second.first_ns = first;
  }
}

Counters::Counters(std::size_t shards) {
  shards_.resize(shards == 0 ? 1 : shards);
  for (auto& one : shards_) one = std::make_unique<Shard>();
}

void Counters::record_request(std::size_t shard_index, const RequestSample& sample,
                              std::uint64_t& connection_epoch) {
  Shard& s = shard(shard_index);
  std::lock_guard lock(s.mutex);
  Tally& t = s.tally;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  if (connection_epoch != epoch_) {
    connection_epoch = epoch_;
    ++t.connections;
    if (t.connection_first_ns.size() < kMaxConnectionTimes) t.connection_first_ns.push_back(now);
  }
  ++t.requests;
  if (t.first_ns == 0) t.first_ns = now;
  t.last_ns = now;
  t.bytes_received += sample.bytes;
  bump(t.by_path, sample.path);
  bump(t.by_method, sample.method);
  t.add_peer(sample.peer, 1, now);
  if (sample.status != 0) ++t.by_status[sample.status];
}

void Counters::record_accept(std::size_t shard_index) {
  Shard& s = shard(shard_index);
  std::lock_guard lock(s.mutex);
  ++s.tally.accepted;
}

void Counters::record_parse_error(std::size_t shard_index) {
  Shard& s = shard(shard_index);
  std::lock_guard lock(s.mutex);
  ++s.tally.parse_errors;
}

void Counters::reset() {
  // Hold every shard at once so the epoch bump and the clearing are one step for all threads.
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(shards_.size());
  for (auto& s : shards_) locks.emplace_back(s->mutex);
  ++epoch_;
  for (auto& s : shards_) s->tally = Tally{};
}

nlohmann::json Counters::to_json() const {
  Tally sum;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mutex);
    sum.add(s->tally);
  }
  nlohmann::json by_status = nlohmann::json::object();
  for (const auto& [status, count] : sum.by_status) by_status[std::to_string(status)] = count;
  auto seconds = [](std::int64_t ns) {
    return ns == 0 ? nlohmann::json(nullptr) : nlohmann::json(static_cast<double>(ns) * 1e-9);
  };
  nlohmann::json connection_first = nlohmann::json::array();
  std::sort(sum.connection_first_ns.begin(), sum.connection_first_ns.end());
  for (std::int64_t ns : sum.connection_first_ns) connection_first.push_back(seconds(ns));
  nlohmann::json by_peer = nlohmann::json::object();
  for (const auto& [address, peer] : sum.by_peer) {
    by_peer[address] = {{"requests", peer.requests}, {"first_request_at", seconds(peer.first_ns)}};
  }
  return {
      {"connection_first_request_at", connection_first},
      {"first_request_at", seconds(sum.first_ns)},
      {"last_request_at", seconds(sum.last_ns)},
      {"requests", sum.requests},
      {"by_path", sum.by_path},
      {"by_method", sum.by_method},
      {"by_status", by_status},
      {"by_peer", by_peer},
      {"bytes_received", sum.bytes_received},
      {"connections", sum.connections},
      {"accepted", sum.accepted},
      {"parse_errors", sum.parse_errors},
  };
}

}  // namespace stampede::target
