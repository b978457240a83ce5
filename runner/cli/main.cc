// stampede: the load-test runner's command line.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>

#include "cli/options.h"
#include "cli/report_command.h"
#include "cli/run_command.h"
#include "plan/version.h"

int main(int argc, char** argv) {
  using stampede::CliOptions;
  // Logs go to stderr so stdout carries only the summary (and is safe to pipe).
  spdlog::set_default_logger(spdlog::stderr_logger_mt("stampede"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  try {
    const stampede::CliParse parsed = stampede::parse_cli(argc, argv);
    if (!parsed.options) {
      fmt::print(stderr, "error: {}\n\n{}", parsed.error, parsed.help);
      return stampede::kExitInvalid;
    }
    const CliOptions& options = *parsed.options;
    switch (options.command) {
      case CliOptions::Command::kVersion:
        fmt::print("stampede {}\n", stampede::kVersion);
        return stampede::kExitOk;
      case CliOptions::Command::kHelp:
        fmt::print("{}", parsed.help);
        return stampede::kExitOk;
      case CliOptions::Command::kValidate:
        return stampede::validate_command(options);
      case CliOptions::Command::kRun:
      case CliOptions::Command::kUi:
        return stampede::run_command(options);
      case CliOptions::Command::kAgent:
        return stampede::agent_command(options);
      case CliOptions::Command::kReport:
        return stampede::report_command(options);
    }
  } catch (const std::exception& e) {
    // Nothing should get here; if it does, say what happened without a stack trace.
    fmt::print(stderr, "error: could not run: {}\n", e.what());
  }
  return stampede::kExitCouldNotRun;
}
