#include "cli/run_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <thread>

#include "base/rfc3339.h"
#include "cli/open_file_limit.h"
#include "cli/overrides.h"
#include "cli/report_files.h"
#include "cli/result_file.h"
#include "cli/result_handover.h"
#include "cli/run_session.h"
#include "cli/serving.h"
#include "cli/signal_watch.h"
#include "engine/engine.h"
#include "plan/duration.h"
#include "plan/plan_parser.h"
#include "plan/read_file.h"
#include "plan/tag_filter.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

void print_errors(const std::string& file, const SourceErrors& errors, const char* kind) {
  for (const auto& e : errors) fmt::print(stderr, "{}: {}\n", kind, e.format(file));
}

// Loads, validates and applies the CLI overrides; nullopt after printing the errors.
std::optional<Plan> load_plan(const CliOptions& options) {
  ParseOptions parse_options;
  parse_options.host_override = options.host;
  parse_options.profile = options.profile;
  ParseResult parsed = load_plan_file(options.plan_path, parse_options);
  print_errors(options.plan_path, parsed.warnings, "warning");
  if (!parsed.plan) {
    print_errors(options.plan_path, parsed.errors, "error");
    return std::nullopt;
  }
  SourceErrors warnings;
  SourceErrors errors = apply_overrides(options.load, *parsed.plan, &warnings);
  for (const auto& w : warnings) fmt::print(stderr, "warning: {}: {}\n", w.path, w.message);
  const TagFilter tags{split_tags(options.tags), split_tags(options.exclude_tags)};
  for (SourceError& e : filter_tasks(tags, *parsed.plan)) errors.push_back(std::move(e));
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
  return fmt::format("closed model, {} user{}", closed.users, closed.users == 1 ? "" : "s");
}

// "3 thresholds on 2 metrics": each condition is a threshold (it passes or fails on its own);
// the metrics are the keys they are written under.
std::string describe_thresholds(const std::vector<Threshold>& thresholds) {
  std::size_t conditions = 0;
  for (const Threshold& t : thresholds) conditions += t.conditions.size();
  if (conditions == 0) return "no thresholds";
  return fmt::format("{} threshold{} on {} metric{}", conditions, conditions == 1 ? "" : "s",
                     thresholds.size(), thresholds.size() == 1 ? "" : "s");
}

EngineOptions engine_options(const CliOptions& options) {
  EngineOptions o;
  o.threads = options.threads;
  o.segment = options.segment;
  o.segments = options.segments;
  o.request_history = options.reports.csv_full_history;
  o.resume = options.resume;
  return o;
}

void log_start(const Plan& plan, const CliOptions& options) {
  const std::string segment =
      options.segments > 1 ? fmt::format(" (segment {}/{})", options.segment, options.segments)
                           : "";
  spdlog::info("running {}{} against {}://{} for {}", describe_load(plan.load), segment,
               plan.target.url.scheme, plan.target.url.authority(),
               format_duration(plan.load.duration()));
}

// Opens the --json (or --html) file before the run: an unwritable path is found at once, and a
// run whose connections use up the file handles can still write its result.
std::optional<ResultFile> open_result_file(const std::string& path) {
  std::string error;
  auto file = ResultFile::open(path, &error);
  if (!file) fmt::print(stderr, "error: could not run: {}\n", error);
  return file;
}

// The --csv, --junit and --summary-md files, opened before the run like the --json file.
std::optional<ReportFiles> open_report_files(const CliOptions& options) {
  std::string error;
  auto files = ReportFiles::open(options.reports, &error);
  if (!files) fmt::print(stderr, "error: could not run: {}\n", error);
  return files;
}

// Every file a run writes (--json, --html, --csv, --junit, --summary-md), opened before it.
struct OutputFiles {
  ResultFile result;
  ResultFile html;
  ReportFiles reports;

  // nullopt after saying which file cannot be written.
  static std::optional<OutputFiles> open(const CliOptions& options) {
    auto result = open_result_file(options.json_path);
    if (!result) return std::nullopt;
    auto html = open_result_file(options.html_path);
    if (!html) return std::nullopt;
    auto reports = open_report_files(options);
    if (!reports) return std::nullopt;
    return OutputFiles{std::move(*result), std::move(*html), std::move(*reports)};
  }
};

// `run` and `ui`: serves (when asked to) and resolves the target at once, or says why it cannot.
bool start_local(Serving& serving, Engine& engine) {
  std::string error;
  if (!serving.start(&error) || !engine.prepare(&error)) {
    fmt::print(stderr, "error: could not run: {}\n", error);
    return false;
  }
  serving.control().set_ready(true);
  return true;
}

// Readies `engine` for a run: the first serves and resolves the target; a later one (`ui`'s New
// test) resolves it again and reopens the control API for a start. false after saying why.
bool prepare_run(Serving& serving, Engine& engine, bool first) {
  if (first) return start_local(serving, engine);
  std::string error;
  if (!engine.prepare(&error)) {
    fmt::print(stderr, "error: could not start another test: {}\n", error);
    return false;
  }
  serving.control().reopen_for_start();
  return true;
}

// POST /v1/load reaches this engine for as long as it exists (the binding goes first). The
// page's Start sends its form's load before /v1/start: kept, and applied from t0.
class LoadChangeBinding {
 public:
  LoadChangeBinding(ControlState& control, Engine& engine) : control_(control) {
    control.accept_load_changes([&engine](const LoadChange& c) { return engine.change_load(c); });
  }
  ~LoadChangeBinding() { control_.accept_load_changes(nullptr); }
  LoadChangeBinding(const LoadChangeBinding&) = delete;
  LoadChangeBinding& operator=(const LoadChangeBinding&) = delete;

 private:
  ControlState& control_;
};

// `ui`: blocks until the page (or POST /v1/start) starts a run: true, or SIGINT/SIGTERM: false.
bool wait_for_start_or_signal(ControlState& control) {
  SignalWatch signals;
  while (!control.wait_for_start_for(std::chrono::milliseconds(100))) {
    signals.poll();
    if (signals.count() > 0) return false;
  }
  return true;
}

// A startAt already past starts at once: the other runners of the test began earlier, so the
// late one says by how much (a warning here, started_late_seconds in /v1/status).
void warn_if_late(ControlState& control, const std::optional<WallTime>& start_at) {
  if (!start_at) return;
  const double late = control.note_start_lateness(std::chrono::system_clock::now());
  if (late > 0) {
    spdlog::warn("startAt {} passed {:.3f}s before the start call: starting now, late",
                 format_rfc3339(*start_at), late);
  }
}

// An agent waiting for its start: POST /v1/setup runs the plan's setup here meanwhile (runner 0
// of a test the operator drives). Returns the start instant asked for, if any.
std::optional<WallTime> wait_for_start_serving_setup(ControlState& control, Engine& engine,
                                                     const Plan& plan) {
  while (!control.wait_for_start_for(std::chrono::milliseconds(100))) {
    if (!control.phases().take(Phase::kSetup)) continue;
    spdlog::info("setup: asked for through /v1/setup");
    const PhaseOutcome outcome = run_setup_now(engine, plan);
    const PhaseResult& setup = outcome.result;
    nlohmann::json answer = {{"setup", phase_to_json(setup)}};
    if (setup.ok) {
      answer["values"] = nlohmann::json::object();
      for (const auto& [name, value] : outcome.values) answer["values"][name] = value;
    } else {
      spdlog::error("the setup failed: {}", setup.error);
      answer["error"] = setup.error;
    }
    control.phases().finish(Phase::kSetup, setup.ok, std::move(answer));
  }
  return control.wait_for_start();  // asked for: returns at once
}

// agent --setup-values FILE: the values of a setup run by another runner (a replacement gets
// them from the operator's Secret). /v1/setup then answers with them rather than run it here.
bool take_setup_values_file(Engine& engine, const Plan& plan, const CliOptions& options,
                            PhaseRequests& phases) {
  if (options.setup_values_file.empty()) return true;
  const std::string& path = options.setup_values_file;
  std::string error;
  const std::optional<std::string> text = read_regular_file(path, std::uint64_t{1} << 20, &error);
  const nlohmann::json values =
      text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  std::vector<std::pair<std::string, std::string>> pairs;
  if (text && values.is_object()) {
    for (const auto& [name, value] : values.items()) {
      if (value.is_string()) pairs.emplace_back(name, value.get<std::string>());
    }
  }
  if (!text) {
    fmt::print(stderr, "error: --setup-values {}: {}\n", path, error);
    return false;
  }
  if (!values.is_object() || pairs.size() != values.size()) {
    fmt::print(stderr, "error: --setup-values {}: must be a JSON object of strings\n", path);
    return false;
  }
  if (!plan.setup || !engine.set_setup_values(pairs, &error)) {
    fmt::print(stderr, "error: --setup-values {}: {}\n", path,
               plan.setup ? error : "the plan has no setup");
    return false;
  }
  phases.preset(Phase::kSetup, {{"values", values}});
  return true;
}

// The setup's values that came with the start (runner 0's, for a runner that did not run it).
bool take_setup_values(Engine& engine, const StartPhases& start) {
  if (!start.setup_values || engine.setup_ready()) return true;
  const std::vector<std::pair<std::string, std::string>> values(start.setup_values->begin(),
                                                                start.setup_values->end());
  std::string error;
  if (engine.set_setup_values(values, &error)) return true;
  fmt::print(stderr, "error: /v1/start setupValues: {}\n", error);
  return false;
}

// Before the engine opens anything: as many handles as the machine allows, and a word when the
// users still will not fit.
void prepare_open_files(const Plan& plan, const CliOptions& options) {
  const std::uint64_t limit = raise_open_file_limit();
  if (auto warning = open_file_warning(plan.load, options.segments, limit)) {
    spdlog::warn("{}", *warning);
  }
}

}  // namespace

int validate_command(const CliOptions& options) {
  const auto plan = load_plan(options);
  if (!plan) return kExitInvalid;
  fmt::print("{}: valid — {}, {}, {} scenario(s), {}\n", options.plan_path,
             describe_load(plan->load), format_duration(plan->load.duration()),
             plan->scenarios.size(), describe_thresholds(plan->thresholds));
  return kExitOk;
}

int run_command(const CliOptions& options) {
  // `ui`: the page starts each test (like `locust` without --headless); after one ends the page
  // keeps its result and can start another (New test) until Ctrl-C. Every run has its own
  // engine; the files (--json, --html, --csv, ...) hold the last run's result.
  const bool interactive = options.command == CliOptions::Command::kUi;
  const auto plan = load_plan(options);
  if (!plan) return kExitInvalid;
  prepare_open_files(*plan, options);
  auto files = OutputFiles::open(options);
  if (!files) return kExitCouldNotRun;
  Serving serving(options, *plan);
  std::optional<int> code;  // the last run's exit code
  while (true) {
    Engine engine(*plan, engine_options(options));
    const LoadChangeBinding binding(serving.control(), engine);
    if (!prepare_run(serving, engine, !code)) return code.value_or(kExitCouldNotRun);
    if (interactive) {
      if (!code) spdlog::info("waiting for the start from the page (or POST /v1/start)");
      if (!wait_for_start_or_signal(serving.control())) return code.value_or(kExitInterrupted);
    }
    log_start(*plan, options);
    hold_signals_until_exit();
    code =
        run_session(engine, *plan, options, serving, {files->result, files->html}, files->reports);
    // A run stopped by Ctrl-C ends `ui` too, as it ends `locust`.
    if (interactive && *code != kExitInterrupted) {
      spdlog::info(
          "the test is over; the page keeps its result and can start another until Ctrl-C");
      continue;
    }
    if (serving.live() != nullptr) {
      // The live page's last update, the final result, reaches its open event streams (they
      // look for one every 100 ms) before the server stops with the process.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return *code;
  }
}

int agent_command(const CliOptions& options) {
  const auto plan = load_plan(options);
  if (!plan) return kExitInvalid;

  prepare_open_files(*plan, options);
  auto files = OutputFiles::open(options);
  if (!files) return kExitCouldNotRun;
  EngineOptions engine_opts = engine_options(options);
  engine_opts.signal_grace = kAgentSignalGrace;  // a terminating pod has a grace period
  Engine engine(*plan, engine_opts);
  Serving serving(options, *plan);
  // A load change made while waiting for the start is kept and applies from t0.
  const LoadChangeBinding binding(serving.control(), engine);
  std::string error;
  if (!serving.start(&error)) {
    fmt::print(stderr, "error: could not run: {}\n", error);
    return kExitCouldNotRun;
  }
  // Not ready until the target resolves: in a cluster its Service may appear after the runner.
  while (!engine.prepare(&error)) {
    serving.control().set_ready(false, error);
    spdlog::warn("not ready: {}; retrying in 2s", error);
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  PhaseRequests& phases = serving.control().phases();
  // Runner 0 runs the phases (on POST /v1/setup and /v1/teardown); the others get the setup's
  // values with the start. A teardown asked for before the load ends waits for it (the
  // handover below runs it).
  const bool first = options.segment == 0;
  const std::string not_first = "runner 0 runs it (this is runner " +
                                std::to_string(options.segment) + " of " +
                                std::to_string(options.segments) + ")";
  phases.allow(Phase::kSetup, plan->setup && first,
               plan->setup ? not_first : "the plan has no setup");
  phases.allow(Phase::kTeardown, plan->teardown && first,
               plan->teardown ? not_first : "the plan has no teardown");
  if (!take_setup_values_file(engine, *plan, options, phases)) return kExitInvalid;
  phases.require_setup_values(plan->setup && !first && !engine.setup_ready());
  serving.control().set_ready(true);
  spdlog::info("ready: waiting for POST /v1/start on port {}", serving.port());
  const std::optional<WallTime> start_at =
      wait_for_start_serving_setup(serving.control(), engine, *plan);
  phases.allow(Phase::kSetup, false, "the test has started");
  const StartPhases start = phases.start_phases();
  if (!take_setup_values(engine, start)) return kExitCouldNotRun;
  if (start_at) spdlog::info("starting at {}", format_rfc3339(*start_at));
  warn_if_late(serving.control(), start_at);
  engine.set_start_at(start_at);
  log_start(*plan, options);
  hold_signals_until_exit();
  ResultHandover handover(options.serve.linger);
  const int code = run_session(engine, *plan, options, serving, {files->result, files->html},
                               files->reports, !start.teardown_by_operator);
  const auto serve_teardown = [&] {
    if (!phases.take(Phase::kTeardown)) return;  // only runner 0 of a plan with a teardown
    spdlog::info("teardown: asked for through /v1/teardown");
    const PhaseResult teardown = *run_teardown(engine, *plan);
    phases.finish(Phase::kTeardown, teardown.ok, {{"teardown", phase_to_json(teardown)}});
  };
  if (!handover.serve(serving.control(), serve_teardown)) {
    spdlog::info("the result was not acknowledged (POST /v1/result/ack); exiting");
  } else if (!handover.await_final_scrape(serving.control())) {
    spdlog::info("no scrape of /metrics came after the end; exiting");
  }
  return code;
}

}  // namespace stampede
