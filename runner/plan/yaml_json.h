#pragma once
// Converts a YAML value to compact JSON text, for `json:` request bodies.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace stampede {

// Plain scalars are typed as YAML 1.2's core schema does (null, true/false, integers, floats);
// quoted scalars stay strings; map keys keep their order. nullopt + *error when the value cannot
// be represented (non-string keys) or is unreasonably large.
std::optional<std::string> yaml_to_json_text(const YAML::Node& node, std::string* error);

}  // namespace stampede
