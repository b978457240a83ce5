#pragma once
// What the runner's own process and threads use, read from the kernel: the self-monitoring of a
// run (engine/self_monitor.h) samples these once per second.

#include <cstdint>

namespace stampede {

// Resident memory of this process (/proc/self/statm); 0 when it cannot be read.
std::uint64_t resident_bytes();
// CPU time (user + system) this process has used, all threads together.
std::uint64_t process_cpu_ns();
// CPU time (user + system) the calling thread has used.
std::uint64_t thread_cpu_ns();

}  // namespace stampede
