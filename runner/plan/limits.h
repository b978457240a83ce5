#pragma once
// The ranges of the plan's numbers and of the command-line flags (README.md, "Limits"). A value
// outside its range is an invalid plan or usage (exit 2), never a wrapped integer, a negative
// duration or an allocation the machine cannot make.

#include <chrono>
#include <cstdint>

#include "base/units.h"

namespace stampede::limits {

using Days = std::chrono::duration<std::int64_t, std::ratio<86400>>;

// Closed model: users at full strength (load.users, a stage's users, -u).
inline constexpr std::int64_t kMaxUsers = 1'000'000;
// Users started per second (load.spawnRate, -r).
inline constexpr double kMaxSpawnRate = 1'000'000;
// Open model: iterations per second (load.rate, a stage's rate, --rate).
inline constexpr double kMaxRate = 10'000'000;
// Open model: maxInFlight, preAllocatedUsers and maxQueued.
inline constexpr std::int64_t kMaxInFlight = 1'000'000;
// The load phase: load.duration, one stage, the stages' sum, -t; also a JWT's expiresIn and a
// threshold's delayAbortEval, which need not outlive the run.
inline constexpr Duration kMaxLoadDuration = Days(30);
// Waiting for one thing: connectTimeout, timeout, gracefulStop, think time (wait), retry backoff.
inline constexpr Duration kMaxWait = std::chrono::hours(1);
// Scenario and task weights.
inline constexpr double kMaxWeight = 1'000'000;
// Retries: attempts after the first, and the backoff multiplier.
inline constexpr std::int64_t kMaxRetries = 100;
inline constexpr double kMaxBackoffMultiplier = 100;
// target.maxResponseBytes.
inline constexpr std::uint64_t kMaxResponseBytes = 1024ULL * 1024 * 1024;
// --threads.
inline constexpr unsigned kMaxThreads = 1024;
// --segment i/N: N (the operator's runners.count has the same maximum).
inline constexpr std::uint32_t kMaxSegments = 1000;
// --linger.
inline constexpr Duration kMaxLinger = std::chrono::hours(24);

}  // namespace stampede::limits
