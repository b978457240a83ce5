#pragma once
// Turns a plan file (a bare plan or a LoadTest manifest) into a validated Plan. Every problem is
// reported as a SourceError with the field path and line; these functions never throw.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "plan/plan.h"
#include "plan/source_error.h"

namespace stampede {

struct ParseOptions {
  // From -H/--host or STAMPEDE_HOST/TARGET_HOST. When set, `target` may be omitted and this URL
  // replaces target.url (it is validated too; its errors have the path "--host").
  std::string host_override;
  // From --profile: a profile that replaces the plan's `profile` key (errors have the path
  // "--profile"; a relative file path is taken from the current directory).
  std::string profile = {};
  // The directory relative paths in the plan (a `profile` file) are taken from; empty: the
  // current directory. load_plan_file sets the plan file's directory when this is empty.
  std::string base_dir = {};
  // The plan runs in this process (stampede run, agent, validate): env(), JWT secrets and data
  // files are read here, and missing ones are errors. The operator validates specs that run in
  // runner pods, whose environment and files it cannot see: it sets false, and those are then
  // neither read nor errors. It also takes only built-in profiles: no file and no
  // $STAMPEDE_PROFILE_PATH is consulted, so a spec cannot make the operator open a file.
  bool runner_side = true;
  // Away from the runner: the environment values the runners will have (a LoadTest's
  // spec.runners.env `value`s), for env() in thresholds, which the operator judges.
  std::map<std::string, std::string> runner_env = {};
};

struct ParseResult {
  std::optional<Plan> plan;  // set exactly when `errors` is empty
  SourceErrors errors;
  SourceErrors warnings;  // the plan is usable; things the user probably did not mean
};

ParseResult parse_plan_text(std::string_view yaml, const ParseOptions& options = {});
// Reads and parses a file; an unreadable file, one that is not a regular file or one larger than
// kMaxPlanFileBytes (plan/read_file.h) gives one error (path "", line 0).
ParseResult load_plan_file(const std::string& path, const ParseOptions& options = {});

}  // namespace stampede
