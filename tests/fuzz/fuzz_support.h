#pragma once
// What several fuzz targets share: keeping the parsers away from the fuzzing machine's files.

#include <string_view>

namespace stampede::fuzz {

// Whether a plan's `profile` value names a file (the rule of find_profile, profile.h: a '/' or a
// ".yaml" suffix). Such inputs are skipped: a fuzzer must not read /dev/zero or the machine's
// files. Built-in profile names are resolved and fuzzed as usual.
inline bool names_a_file(std::string_view profile) {
  return profile.find('/') != std::string_view::npos || profile.ends_with(".yaml");
}

}  // namespace stampede::fuzz
