// Reading a profile's document with the plan's own section parsers, so a profile is checked
// exactly like the `load` and `thresholds` of a plan, with its own file in the messages.

#include <exception>

#include "plan/plan_sections.h"

namespace stampede {
namespace plan_sections {

ProfileReader::ProfileReader(const YamlReader& plan_reader, const ProfileSource& source)
    : reader_(plan_reader.for_file(source.file)) {
  SourceErrors yaml_errors;
  std::optional<YAML::Node> document = load_single_document(source.text, &yaml_errors);
  for (const SourceError& e : yaml_errors) {
    reader_.error(YamlField{YAML::Node(), e.path, e.line, e.column}, e.message);
  }
  if (!document) return;
  const YamlField root = YamlReader::root(*document);
  if (document->IsNull()) {
    reader_.error(root, "the profile is empty (expected load, and optionally thresholds)");
    return;
  }
  if (!reader_.check_map(root, {"description", "load", "thresholds"})) return;
  root_ = root;
  if (std::optional<YamlField> description = reader_.get(root, "description")) {
    if (std::optional<std::string> text = reader_.string(*description)) description_ = *text;
  }
}

bool ProfileReader::parse_load(LoadModel* load) {
  if (!root_) return false;
  std::optional<YamlField> field = reader_.get(*root_, "load");
  if (!field) {
    reader_.error(YamlReader::absent(*root_, "load"), "required");
    return false;
  }
  const std::size_t errors_before = reader_.error_count();
  return plan_sections::parse_load(reader_, *field, load) && reader_.error_count() == errors_before;
}

std::optional<std::vector<Threshold>> ProfileReader::parse_thresholds(
    const ThresholdTargets& targets) {
  std::optional<YamlField> field = root_ ? reader_.get(*root_, "thresholds") : std::nullopt;
  if (!field) return std::nullopt;
  std::vector<Threshold> thresholds;
  if (!field->node.IsNull()) {
    plan_sections::parse_thresholds(reader_, *field, targets, &thresholds);
  }
  return thresholds;
}

namespace {

// Away from the runner (the operator) a profile is a built-in one: a name from a spec must not
// make the operator open a file on its own filesystem.
std::optional<ProfileSource> find_builtin_profile_for_spec(const std::string& name,
                                                           std::string* error) {
  std::optional<ProfileSource> source = find_builtin_profile(name);
  if (!source) {
    std::string names;
    for (const std::string& known : builtin_profile_names()) {
      names += (names.empty() ? "" : ", ") + known;
    }
    *error = "unknown profile '" + name + "' (known: " + names +
             "; a LoadTest takes a built-in profile, never a file)";
  }
  return source;
}

}  // namespace

std::optional<ProfileReader> open_plan_profile(YamlReader& reader, const YamlField& body,
                                               const ParseOptions& options) {
  std::optional<YamlField> key = reader.get(body, "profile");
  // The key's type is checked even when --profile replaces it.
  std::optional<std::string> name = key ? reader.string(*key) : std::nullopt;
  YamlField where = key.value_or(YamlField{});
  std::string base_dir = options.base_dir;
  if (!options.profile.empty()) {
    name = options.profile;
    where = YamlField{YAML::Node(), "--profile"};
    base_dir.clear();  // a path on the command line is relative to where it was typed
  }
  if (!name) return std::nullopt;
  std::string error;
  std::optional<ProfileSource> source = options.runner_side
                                            ? find_profile(*name, base_dir, &error)
                                            : find_builtin_profile_for_spec(*name, &error);
  if (!source) {
    reader.error(where, error);
    return std::nullopt;
  }
  ProfileReader profile(reader, *source);
  if (!profile.ok()) return std::nullopt;
  return profile;
}

}  // namespace plan_sections

std::optional<Profile> parse_profile(const ProfileSource& source, SourceErrors* errors,
                                     SourceErrors* warnings) {
  const std::size_t errors_before = errors->size();
  Profile profile;
  try {
    plan_sections::ProfileReader reader(YamlReader(errors, warnings), source);
    profile.description = reader.description();
    const bool load_ok = reader.parse_load(&profile.load);
    // No plan here: scenario, step and check names and custom metrics are not known; stage
    // names are the profile's own.
    Plan alone;
    alone.load = profile.load;
    profile.thresholds =
        reader.parse_thresholds(plan_sections::threshold_targets(alone, false, load_ok));
  } catch (const std::exception& e) {
    // Not expected: the section parsers check types before converting. Still never throw.
    errors->push_back(
        SourceError{"", 0, 0, std::string("internal error: ") + e.what(), source.file});
  }
  if (errors->size() != errors_before) return std::nullopt;
  return profile;
}

}  // namespace stampede
