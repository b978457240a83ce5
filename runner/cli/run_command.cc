#include "cli/run_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>
#include <optional>

#include "cli/abort_watch.h"
#include "cli/overrides.h"
#include "engine/engine.h"
#include "model/duration.h"
#include "model/plan_parser.h"
#include "model/result_json.h"
#include "report/progress.h"
#include "report/summary.h"

namespace stampede {
namespace {

void print_errors(const std::string& file, const SourceErrors& errors, const char* kind) {
  for (const auto& e : errors) fmt::print(stderr, "{}: {}\n", kind, e.format(file));
}

// Loads, validates and applies the CLI overrides; nullopt after printing the errors.
std::optional<Plan> load_plan(const CliOptions& options) {
  ParseOptions parse_options;
  parse_options.host_override = options.host;
  ParseResult parsed = load_plan_file(options.plan_path, parse_options);
  print_errors(options.plan_path, parsed.warnings, "warning");
  if (!parsed.plan) {
    print_errors(options.plan_path, parsed.errors, "error");
    return std::nullopt;
  }
  SourceErrors errors = apply_overrides(options.load, *parsed.plan);
  if (!errors.empty()) {
    for (const auto& e : errors) fmt::print(stderr, "error: {}: {}\n", e.path, e.message);
    return std::nullopt;
  }
  return std::move(parsed.plan);
}

std::string describe_load(const LoadModel& load) {
  if (const auto* open = std::get_if<OpenModel>(&load.model)) {
    if (!open->stages.empty()) return fmt::format("open model, {} stages", open->stages.size());
    return fmt::format("open model, {}/s", open->rate);
  }
  const auto& closed = std::get<ClosedModel>(load.model);
  if (!closed.stages.empty()) return fmt::format("closed model, {} stages", closed.stages.size());
  return fmt::format("closed model, {} users", closed.users);
}

bool write_json(const std::string& path, const Result& result) {
  std::ofstream out(path);
  out << result_to_json(result).dump(2) << "\n";
  out.close();
  if (!out) {
    fmt::print(stderr, "error: cannot write {}\n", path);
    return false;
  }
  return true;
}

}  // namespace

int validate_command(const CliOptions& options) {
  const auto plan = load_plan(options);
  if (!plan) return kExitInvalid;
  fmt::print("{}: valid — {}, {}, {} scenario(s), {} threshold(s)\n", options.plan_path,
             describe_load(plan->load), format_duration(plan->load.duration()),
             plan->scenarios.size(), plan->thresholds.size());
  return kExitOk;
}

int run_command(const CliOptions& options) {
  const auto plan = load_plan(options);
  if (!plan) return kExitInvalid;
  // Find out before the run, not after it, that the result cannot be written.
  if (!options.json_path.empty() && !std::ofstream(options.json_path, std::ios::app)) {
    fmt::print(stderr, "error: could not run: cannot write {}\n", options.json_path);
    return kExitCouldNotRun;
  }
  EngineOptions engine_options;
  engine_options.threads = options.threads;
  Engine engine(*plan, engine_options);
  std::string error;
  if (!engine.prepare(&error)) {
    fmt::print(stderr, "error: could not run: {}\n", error);
    return kExitCouldNotRun;
  }
  spdlog::info("running {} against {}://{} for {}", describe_load(plan->load),
               plan->target.url.scheme, plan->target.url.authority(),
               format_duration(plan->load.duration()));
  Progress progress(stderr, ::isatty(STDERR_FILENO) != 0);
  const AbortWatch abort_watch(plan->thresholds);
  bool aborting = false;
  Result result = engine.run([&](const Snapshot& s) {
    if (!options.quiet) progress.update(s);
    if (!abort_watch.active() || aborting) return;
    if (auto failed =
            abort_watch.check(engine.current_result(s.elapsed_seconds), s.elapsed_seconds)) {
      aborting = true;
      spdlog::warn("{}: stopping the test (abortOnFail)", *failed);
      engine.request_stop(*failed);
    }
  });
  progress.finish();
  judge_thresholds(plan->thresholds, result);
  print_summary(stdout, *plan, result);
  if (!options.json_path.empty() && !write_json(options.json_path, result)) {
    return kExitCouldNotRun;
  }
  return result.thresholds_ok() ? kExitOk : kExitThresholdsFailed;
}

}  // namespace stampede
