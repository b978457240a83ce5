#include "target/pattern.h"

#include <string>

namespace stampede::target {
namespace {

static_assert(kPatternAlphabet.size() == 64, "offsets are reduced modulo 64");

// One period of slack past kMaxPatternSlice lets a slice start at any phase of the alphabet.
const std::string& pattern_buffer() {
  static const std::string kBuffer = [] {
    std::string bytes(kMaxPatternSlice + kPatternAlphabet.size(), '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      bytes[i] = kPatternAlphabet[i % kPatternAlphabet.size()];
    }
    return bytes;
  }();
  return kBuffer;
}

}  // namespace

std::string_view pattern_slice(std::uint64_t offset, std::size_t length) {
  const std::size_t phase = offset % kPatternAlphabet.size();
  return std::string_view(pattern_buffer()).substr(phase, length);
}

}  // namespace stampede::target
