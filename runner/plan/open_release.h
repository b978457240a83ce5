#pragma once
// How the open model groups its arrivals, defined once: the engine releases them this way
// (engine/open_driver.cc says why these values) and the plan's default preAllocatedUsers opens
// the connections one release needs, so the two cannot disagree.

#include <chrono>
#include <cstdint>

namespace stampede::open_release {

// A release starts together every arrival due within kAhead and, when that is fewer than
// kArrivals, goes on to that many if they are due within kAheadMax.
inline constexpr std::chrono::milliseconds kAhead{1};
inline constexpr std::chrono::milliseconds kAheadMax{4};
inline constexpr std::uint64_t kArrivals = 40;

}  // namespace stampede::open_release
