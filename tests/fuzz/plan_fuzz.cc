// The plan reader: YAML text (a bare plan or a LoadTest manifest) to a validated Plan, with
// built-in profiles and templates, as the operator validates a spec (runner_side = false: no
// environment, data or secret files are read). Whatever the text, parse_plan_text must return
// errors or a plan, never crash, throw or hang; a parsed plan's thresholds must evaluate.

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "plan/plan_parser.h"
#include "stats/result.h"

namespace {

// The `profile` entry of a plan body as YamlReader::get finds it: the first scalar key.
bool profile_names_a_file(const YAML::Node& body) {
  if (!body.IsMap()) return false;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == "profile") {
      return it->second.IsScalar() && stampede::fuzz::names_a_file(it->second.Scalar());
    }
  }
  return false;
}

// A manifest's spec (a Null node when there is none): the parser looks for `profile` there too.
YAML::Node spec_of(const YAML::Node& root) {
  if (!root.IsMap()) return YAML::Node();
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == "spec") return it->second;
  }
  return YAML::Node();
}

bool asks_for_a_profile_file(std::string_view text) {
  if (text.find("profile") == std::string_view::npos) return false;  // the fast common case
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    return profile_names_a_file(root) || profile_names_a_file(spec_of(root));
  } catch (const std::exception&) {
    return false;  // the parser rejects it the same way before it looks for a profile
  }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (asks_for_a_profile_file(text)) return -1;  // not added to the corpus
  stampede::ParseOptions options;
  options.runner_side = false;
  const stampede::ParseResult parsed = stampede::parse_plan_text(text, options);
  if (parsed.plan.has_value() != parsed.errors.empty()) __builtin_trap();
  if (parsed.plan) {
    stampede::Result empty;
    stampede::judge_thresholds(parsed.plan->thresholds, empty);
  }
  return 0;
}
