#pragma once
// A deterministic slice of the load: share `index` of `count` takes every global user index
// and every arrival number n with n % count == index. Threads of one runner and runners of one
// test (segment i/N, thread k of T: index i*T+k, count N*T) split the load this way, so
// together they produce exactly the plan's load, and indivisible numbers split reproducibly.

#include <cstdint>

namespace stampede {

struct Share {
  std::uint32_t index = 0;
  std::uint32_t count = 1;

  // How many of the first `total` items fall into this share.
  std::uint64_t of(std::uint64_t total) const {
    return total > index ? (total - index + count - 1) / count : 0;
  }
};

}  // namespace stampede
