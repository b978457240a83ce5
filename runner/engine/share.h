#pragma once
// A deterministic slice of the load: share `index` of `count` takes every global user index
// and every arrival number n with n % count == index. Runners of one test and the threads of
// each runner split the load this way (thread_share), so together they produce exactly the
// plan's load, and indivisible numbers split reproducibly.

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

// Thread k of T in runner segment i of N: the items n with n % N == i (the runner's part, the
// same whatever T is, so runners on nodes of different sizes still partition the load), and of
// those the ones with (n / N) % T == k. Both at once are n % (N*T) == k*N + i. Consecutive
// items go to consecutive runners: 10 users on 10 runners are one per runner.
inline Share thread_share(std::uint32_t segment, std::uint32_t segments, std::uint32_t thread,
                          std::uint32_t threads) {
  return {thread * segments + segment, segments * threads};
}

}  // namespace stampede
