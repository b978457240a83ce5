#pragma once
// Command-line options. Flag names follow Locust where the meaning is the same
// (-u/--users, -r/--spawn-rate, -t/--run-time, -H/--host, --tags, --csv, --html).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/units.h"

namespace stampede {

struct LoadOverrides {
  std::optional<std::string> users;  // kept as text: validated with the plan's rules
  std::optional<std::string> spawn_rate;
  std::optional<std::string> run_time;
  std::optional<std::string> rate;
};

// Serving the runner's HTTP endpoints (/metrics and the control API).
struct ServeOptions {
  std::string listen;   // HOST:PORT; empty: do not serve (run without --listen)
  bool ui = false;      // the live web UI on the same port (--ui, `stampede ui`, the agent)
  bool metrics = true;  // --no-metrics / STAMPEDE_METRICS_EXPORT=false turn it off
  std::string token;    // STAMPEDE_CONTROL_TOKEN or --control-token-file
  Duration linger = std::chrono::minutes(5);  // agent: serve the result this long at most
};

// Report files written at the end of `run` and `agent` besides --json (see cli/report_files.h).
struct ReportOptions {
  std::string csv_prefix;         // --csv PREFIX: Locust's four CSV files
  bool csv_full_history = false;  // --csv-full-history: a history row per request name too
  std::string junit_path;         // --junit FILE
  std::string summary_md_path;    // --summary-md FILE
};

struct CliOptions {
  enum class Command { kRun, kUi, kValidate, kAgent, kReport, kVersion, kHelp };
  Command command = Command::kHelp;
  std::string plan_path;
  std::string host;          // -H, else STAMPEDE_HOST, else TARGET_HOST; empty = the plan's target
  std::string profile;       // --profile: replaces the plan's `profile`; empty = the plan's
  std::string tags;          // --tags a,b: only tasks with one of these tags
  std::string exclude_tags;  // --exclude-tags c: not tasks with any of these
  LoadOverrides load;
  std::string json_path;
  std::string html_path;  // --html FILE: the self-contained HTML report (run, agent, report)
  // report: RESULT.json (or "-" for stdin), then NEW.json to compare it with
  std::vector<std::string> result_paths;
  ReportOptions reports;
  unsigned threads = 0;
  bool quiet = false;
  std::uint32_t segment = 0;  // --segment i/N: this runner's share i of N
  std::uint32_t segments = 1;
  // agent --resume: started after startAt, join the test where it is (a replaced runner).
  bool resume = false;
  // agent --setup-values FILE: the setup's values, run by another runner (a replacement's).
  std::string setup_values_file;
  std::string testid;  // --testid, STAMPEDE_TESTID; empty: the plan's name
  ServeOptions serve;
};

struct CliParse {
  std::optional<CliOptions> options;
  std::string error;  // usage error (exit 2) when options is empty
  std::string help;   // text for --help
};

CliParse parse_cli(int argc, const char* const* argv);

}  // namespace stampede
