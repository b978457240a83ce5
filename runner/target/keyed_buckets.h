#pragma once
// One token bucket per API key (/api/quota): the limit a real API applies to each client, which
// a load test's adaptive rate is checked against. Each key's admissions and refusals are kept so
// a test can compare what each of its limiters achieved with what the server let through.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "target/token_bucket.h"

namespace stampede::target {

class KeyedBuckets {
 public:
  // Each key's bucket admits `rate` a second with a burst of `burst`; at most `max_keys` keys
  // (memory stays bounded whatever keys clients send): a new key beyond them is refused.
  KeyedBuckets(Rate rate, double burst, std::size_t max_keys);

  struct Admission {
    bool known = true;  // false: a new key beyond max_keys (the request is answered 429)
    TokenBucket::Admission bucket;
  };
  Admission try_take(std::string_view key, TokenBucket::Clock::time_point now);

  bool unlimited() const { return rate_.per_second <= 0; }
  // {"KEY": {"accepted": N, "rejected": N}, ...}
  nlohmann::json to_json() const;
  // Zeroes the counts; the buckets keep their tokens (a reset is not a new quota period).
  void reset_counts();

 private:
  struct Entry {
    explicit Entry(Rate rate, double burst) : bucket(rate, burst) {}
    TokenBucket bucket;
    std::uint64_t accepted = 0;
    std::uint64_t rejected = 0;
  };

  const Rate rate_;
  const double burst_;
  const std::size_t max_keys_;
  mutable std::mutex mutex_;  // the map and the counts; each bucket guards its own tokens
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> keys_;
};

}  // namespace stampede::target
