#pragma once
// A JUnit XML report of a result document (`--junit FILE`), for CI systems that read test
// results (Jenkins' junit step, GitLab's artifacts:reports:junit): one testsuite whose test
// cases are the thresholds (failed: the expression and the actual value) and the checks
// (failed when any evaluation failed: the fails count). Names are escaped, so the file is
// well-formed whatever the plan calls things.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace stampede {

// nullopt + *error when `result` is not a stampede.result/v1 document.
std::optional<std::string> junit_report(const nlohmann::json& result, std::string* error);

}  // namespace stampede
