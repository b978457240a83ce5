#pragma once
// Runs the real stampede binary on a plan written to a temporary file and reads its result.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace stampede::testing {

struct StampedeRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json result;  // the --json document; null when none was written

  // For failure messages: exit code, stdout and stderr.
  std::string describe() const;
};

// The row of `result["requests"]` with this name; an empty object when there is none.
const nlohmann::json& result_row(const nlohmann::json& result, const std::string& name);
// The row of `name` with `method` (a WebSocket session's row is WS, a named reply's REPLY).
const nlohmann::json& result_row(const nlohmann::json& result, const std::string& name,
                                 const std::string& method);
// Its request count, or 0.
std::uint64_t row_requests(const nlohmann::json& result, const std::string& name);

// Writes `content` to a new temporary file (removed at exit of the test process).
std::string write_temp_file(const std::string& content, const std::string& suffix = ".yaml");

// A plan of one scenario `s`: target URL, the load as a YAML flow map, and the steps' YAML
// (indented by six spaces, as items of `steps:`).
std::string one_scenario_plan(const std::string& url, const std::string& load,
                              const std::string& steps);

// `stampede COMMAND PLAN --json FILE --quiet args...` with the plan given as YAML text.
StampedeRun run_stampede(const std::string& command, const std::string& plan_yaml,
                         std::vector<std::string> args = {},
                         Millis timeout = std::chrono::seconds(120), const Env& env = {});

}  // namespace stampede::testing
