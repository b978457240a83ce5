#pragma once
// The state behind the /api endpoints, shared by every server thread. Each member guards itself
// (a mutex held for one small operation, or atomics), so handlers need no lock of their own.

#include <cstddef>
#include <string>
#include <string_view>

#include "target/api_counters.h"
#include "target/chat_provider.h"
#include "target/jwt_verifier.h"
#include "target/keyed_buckets.h"
#include "target/plan_store.h"
#include "target/token_bucket.h"
#include "target/worker_store.h"

namespace stampede::target {

// Documented in --help and the README, so example plans can sign tokens out of the box.
inline constexpr std::string_view kDefaultJwtSecret = "stampede-demo-secret";

struct ApiConfig {
  std::string jwt_secret{kDefaultJwtSecret};
  Rate limited_rate{50};  // /api/limited; burst = rate
  Rate chat_rate{0};      // /api/chat; 0 = unlimited
  Rate key_rate{10};      // /api/quota, per X-Api-Key
  double key_burst = 10;
  std::size_t max_keys = 10'000;
  // Plans and workers kept, each; the oldest is forgotten beyond it (bounded memory).
  std::size_t store_capacity = 1'000'000;
};

struct ApiState {
  explicit ApiState(const ApiConfig& config)
      : plans(config.store_capacity),
        workers(config.store_capacity),
        jwt(config.jwt_secret),
        limited(config.limited_rate, config.limited_rate.per_second),
        chat_limit(config.chat_rate, config.chat_rate.per_second),
        quota(config.key_rate, config.key_burst, config.max_keys) {}

  PlanStore plans;
  WorkerStore workers;
  JwtVerifier jwt;
  TokenBucket limited;
  TokenBucket chat_limit;
  KeyedBuckets quota;
  ProviderRotation providers;
  ApiCounters counters;
};

}  // namespace stampede::target
