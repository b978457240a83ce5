#pragma once
// Every connection is a file handle, and the usual soft limit (1024) is far below what a
// load test of a few thousand users needs.

#include <cstdint>
#include <optional>
#include <string>

#include "plan/plan.h"

namespace stampede {

// Raises the soft open-file limit to the hard one, as Go programs and nginx do at start, and
// returns the limit now in force (0 when it cannot be read).
std::uint64_t raise_open_file_limit();

// A warning when a closed model's users (on this runner: `segments` share them) cannot all hold
// a connection under `limit`; nullopt when they fit. The runner itself needs a few dozen handles.
std::optional<std::string> open_file_warning(const LoadModel& load, std::uint32_t segments,
                                             std::uint64_t limit);

}  // namespace stampede
