#pragma once
// A uniformly random duration in [min, max], to the nanosecond: between() think times and
// jittered backoffs. Each thread draws from its own generator (no locks on the request path).

#include <random>

#include "base/units.h"

namespace stampede {

inline Duration random_duration(std::mt19937_64& rng, Duration min, Duration max) {
  std::uniform_int_distribution<Duration::rep> pick(min.count(), max.count());
  return Duration(pick(rng));
}

}  // namespace stampede
