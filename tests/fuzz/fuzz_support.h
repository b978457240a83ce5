#pragma once
// What several fuzz targets share: keeping the parsers away from the fuzzing machine's files,
// and the sizes of the pieces a byte stream is cut into.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stampede::fuzz {

// Whether a plan's `profile` value names a file (the rule of find_profile, profile.h: a '/' or a
// ".yaml" suffix). Such inputs are skipped: a fuzzer must not read /dev/zero or the machine's
// files. Built-in profile names are resolved and fuzzed as usual.
inline bool names_a_file(std::string_view profile) {
  return profile.find('/') != std::string_view::npos || profile.ends_with(".yaml");
}

// Piece sizes from a seed: up to 1, 2, 3, 7, 16, 64 or 500 bytes, or everything (seed & 7 == 7),
// chosen by the low bits; the sizes vary by a xorshift of the seed.
class Pieces {
 public:
  explicit Pieces(std::uint32_t seed) : state_(seed | 1), max_(kMax[seed & 7]) {}
  std::size_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return max_ == 0 ? SIZE_MAX : 1 + state_ % max_;
  }

 private:
  static constexpr std::size_t kMax[8] = {1, 2, 3, 7, 16, 64, 500, 0};
  std::uint32_t state_;
  std::size_t max_;
};

}  // namespace stampede::fuzz
