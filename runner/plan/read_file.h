#pragma once
// The one way the runner reads a file named by a user (a plan, a profile, a data file, a secret,
// a CA bundle, the control token): the file must be a regular file no larger than a limit, so a
// path such as /dev/zero, a FIFO or a huge file can neither block nor exhaust memory.

#include <cstdint>
#include <optional>
#include <string>

namespace stampede {

// The limits per kind of file (documented in README.md, "Limits").
inline constexpr std::uint64_t kMiB = 1024ULL * 1024;
inline constexpr std::uint64_t kMaxPlanFileBytes = 4 * kMiB;
inline constexpr std::uint64_t kMaxProfileFileBytes = 1 * kMiB;
inline constexpr std::uint64_t kMaxDataFileBytes = 256 * kMiB;
inline constexpr std::uint64_t kMaxSecretFileBytes = 64ULL * 1024;
inline constexpr std::uint64_t kMaxCaFileBytes = 4 * kMiB;
inline constexpr std::uint64_t kMaxTokenFileBytes = 64ULL * 1024;

// "4 MiB", "64 KiB", "100 bytes": a limit as the messages print it.
std::string format_byte_limit(std::uint64_t bytes);

// The content of `path`, or nullopt with *error saying why without the path (the caller names
// the file): "not a regular file", "larger than the 4 MiB limit", or the system's reason.
// Never blocks on a FIFO or a device: they are refused before any read.
std::optional<std::string> read_regular_file(const std::string& path, std::uint64_t max_bytes,
                                             std::string* error);

}  // namespace stampede
