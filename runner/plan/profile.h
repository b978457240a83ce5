#pragma once
// Load profiles: a plan fragment (`load`, optional `thresholds`, a `description`) kept in a
// file of its own and chosen by name, with `profile: NAME` in a plan or `--profile NAME`.
// The plan parser merges it (plan_parser.cc); these functions find and read one on its own.
// None of them throws.

#include <optional>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "plan/source_error.h"

namespace stampede {

// Where a profile was found, and its text.
struct ProfileSource {
  std::string name;  // as asked for
  std::string file;  // for messages: the path read, or "<built-in>/NAME.yaml"
  std::string text;
};

// A NAME holding a '/' or ending in ".yaml" is a file path, relative to `base_dir` (empty: the
// current directory). Any other NAME is looked up as NAME.yaml in each directory of
// $STAMPEDE_PROFILE_PATH (colon-separated), then among the built-in profiles. nullopt with
// *error set when there is no such profile (the message lists the known names) or the file
// cannot be read.
std::optional<ProfileSource> find_profile(const std::string& name, const std::string& base_dir,
                                          std::string* error);

// A built-in profile only: no file and no $STAMPEDE_PROFILE_PATH is consulted (the operator's
// way: a spec must not make it open a file). nullopt when `name` is not built in.
std::optional<ProfileSource> find_builtin_profile(const std::string& name);

// The names find_profile resolves without a path: the *.yaml files of the $STAMPEDE_PROFILE_PATH
// directories and the built-in profiles; sorted, each once.
std::vector<std::string> known_profile_names();
// The built-in profiles alone, sorted.
std::vector<std::string> builtin_profile_names();

// A profile's content.
struct Profile {
  std::string description;  // empty when the file has none
  LoadModel load;
  // nullopt when the profile has no `thresholds` section.
  std::optional<std::vector<Threshold>> thresholds;
};

// Parses a profile with the plan's section parsers. Problems are added to *errors (and
// *warnings) with the field path, line and SourceError::file = source.file; nullopt when there
// are any. Threshold tags (`scenario`, `name`) are not checked: there is no plan here.
std::optional<Profile> parse_profile(const ProfileSource& source, SourceErrors* errors,
                                     SourceErrors* warnings);

}  // namespace stampede
