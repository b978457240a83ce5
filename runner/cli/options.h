#pragma once
// Command-line options. Flag names follow Locust where the meaning is the same
// (-u/--users, -r/--spawn-rate, -t/--run-time, -H/--host, --tags, --csv, --html).

#include <optional>
#include <string>

namespace stampede {

struct LoadOverrides {
  std::optional<std::string> users;  // kept as text: validated with the plan's rules
  std::optional<std::string> spawn_rate;
  std::optional<std::string> run_time;
  std::optional<std::string> rate;
};

struct CliOptions {
  enum class Command { kRun, kValidate, kVersion, kHelp };
  Command command = Command::kHelp;
  std::string plan_path;
  std::string host;  // -H, else STAMPEDE_HOST, else TARGET_HOST; empty = the plan's target
  LoadOverrides load;
  std::string json_path;
  unsigned threads = 0;
  bool quiet = false;
};

struct CliParse {
  std::optional<CliOptions> options;
  std::string error;  // usage error (exit 2) when options is empty
  std::string help;   // text for --help
};

CliParse parse_cli(int argc, const char* const* argv);

}  // namespace stampede
