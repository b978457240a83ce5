#pragma once
// The profiles shipped in profiles/, built into the plan library (the source is generated from
// the files by cmake/EmbedProfiles.cmake), so any binary resolves them without the files.

#include <span>
#include <string_view>

namespace stampede {

struct BuiltinProfile {
  std::string_view name;  // the file name without .yaml, e.g. "soak"
  std::string_view text;  // the file's content
};

// Sorted by name.
std::span<const BuiltinProfile> builtin_profiles();

}  // namespace stampede
