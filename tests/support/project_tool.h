#pragma once
// Tools the tests need that are built or fetched by a project script and cached outside the
// repository (scripts/build-kube, scripts/build-helm, scripts/fetch-crds).

#include <string>

namespace stampede::testing {

// The path a tool script prints: $ENV_VAR when set (scripts/test exports them), otherwise the
// last line `scripts/SCRIPT` prints (the script builds or fetches only what is missing, which can
// take many minutes the first time). Cached per script for the life of the process. Throws
// std::runtime_error with the script's output when it fails.
std::string project_tool(const std::string& env_var, const std::string& script);

}  // namespace stampede::testing
