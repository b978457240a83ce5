#pragma once
// The deterministic body of /bytes/N and /chunked/N. Byte i is kPatternAlphabet[i % 64], so a
// client can check any slice and the server never holds N bytes in memory.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stampede::target {

inline constexpr std::string_view kPatternAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

// The longest slice pattern_slice() returns in one piece.
inline constexpr std::size_t kMaxPatternSlice = std::size_t{64} << 10;

// The `length` (<= kMaxPatternSlice) pattern bytes starting at body offset `offset`.
std::string_view pattern_slice(std::uint64_t offset, std::size_t length);

}  // namespace stampede::target
