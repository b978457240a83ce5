// Finding a profile by name: a file path, $STAMPEDE_PROFILE_PATH, then the built-in profiles.

#include "plan/profile.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "plan/builtin_profiles.h"
#include "plan/read_file.h"

namespace stampede {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kExtension = ".yaml";
constexpr std::string_view kBuiltinPrefix = "<built-in>/";
// How many names an "unknown profile" message lists before "...".
constexpr std::size_t kMaxListed = 30;

bool is_path(std::string_view name) {
  return name.find('/') != std::string_view::npos || name.ends_with(kExtension);
}

// $STAMPEDE_PROFILE_PATH's directories in order; empty entries are skipped.
std::vector<std::string> search_path() {
  const char* value = std::getenv("STAMPEDE_PROFILE_PATH");
  std::vector<std::string> dirs;
  std::string_view rest = value == nullptr ? "" : value;
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    if (colon != 0) dirs.emplace_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return dirs;
}

std::optional<ProfileSource> read_profile(const std::string& name, const fs::path& path,
                                          std::string* error) {
  std::string reason;
  std::optional<std::string> text = read_regular_file(path.string(), kMaxProfileFileBytes, &reason);
  if (!text) {
    *error = "cannot read profile file '" + path.string() + "': " + reason;
    return std::nullopt;
  }
  return ProfileSource{name, path.string(), std::move(*text)};
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kMaxListed; ++i) {
    out += (i != 0 ? ", " : "") + names[i];
  }
  if (names.size() > kMaxListed) out += ", ...";
  return out.empty() ? "none" : out;
}

// The NAME.yaml files of one directory; a missing or unreadable directory has none.
void add_directory_names(const std::string& dir, std::vector<std::string>* names) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    std::error_code type_ec;
    if (path.extension() == kExtension && it->is_regular_file(type_ec)) {
      names->push_back(path.stem().string());
    }
  }
}

}  // namespace

std::optional<ProfileSource> find_profile(const std::string& name, const std::string& base_dir,
                                          std::string* error) {
  if (name.empty()) {
    *error = "must not be empty (a profile name or a .yaml file)";
    return std::nullopt;
  }
  if (is_path(name)) {
    const fs::path path = fs::path(name).is_absolute() ? fs::path(name) : fs::path(base_dir) / name;
    return read_profile(name, path.lexically_normal(), error);
  }
  const std::string file_name = name + std::string(kExtension);
  for (const std::string& dir : search_path()) {
    const fs::path path = fs::path(dir) / file_name;
    std::error_code ec;
    if (fs::exists(path, ec)) return read_profile(name, path, error);
  }
  if (std::optional<ProfileSource> builtin = find_builtin_profile(name)) return builtin;
  *error = "unknown profile '" + name + "' (known: " + list_names(known_profile_names()) + ")";
  return std::nullopt;
}

std::optional<ProfileSource> find_builtin_profile(const std::string& name) {
  for (const BuiltinProfile& builtin : builtin_profiles()) {
    if (builtin.name == name) {
      return ProfileSource{name, std::string(kBuiltinPrefix) + name + std::string(kExtension),
                           std::string(builtin.text)};
    }
  }
  return std::nullopt;
}

std::vector<std::string> builtin_profile_names() {
  std::vector<std::string> names;
  for (const BuiltinProfile& builtin : builtin_profiles()) names.emplace_back(builtin.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> known_profile_names() {
  std::vector<std::string> names = builtin_profile_names();
  for (const std::string& dir : search_path()) add_directory_names(dir, &names);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace stampede
