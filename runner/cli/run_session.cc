#include "cli/run_session.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <optional>

#include "base/rfc3339.h"
#include "cli/abort_watch.h"
#include "cli/result_meta.h"
#include "cli/run_command.h"
#include "cli/saturation_warning.h"
#include "report/format.h"
#include "report/html_report.h"
#include "report/progress.h"
#include "report/summary.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

bool write_file(ResultFile& file, const std::string& text) {
  std::string error;
  if (file.write(text, &error)) return true;
  fmt::print(stderr, "error: {}\n", error);
  return false;
}

// The result document and its HTML report (rendered only when asked for: it embeds the
// whole result).
bool write_results(ResultFiles& files, const nlohmann::json& document) {
  const bool json_written = write_file(files.json, document.dump(2) + "\n");
  if (files.html.path().empty()) return json_written;
  return write_file(files.html, render_html_report(document)) && json_written;
}

// Where and how the run was made, for the reports' headers; ended now, after the graceful stop.
void add_meta(Result& result, const Plan& plan) {
  result.meta = run_meta(plan);
  result.meta.ended_at = format_rfc3339(std::chrono::system_clock::now());
}

// --csv, --junit and --summary-md, from the result document.
bool write_reports(ReportFiles& reports, const nlohmann::json& document, const Engine& engine) {
  std::string error;
  if (reports.write(document, engine.request_history(), &error)) return true;
  fmt::print(stderr, "error: {}\n", error);
  return false;
}

// What happens once per second on the engine's control thread.
class SnapshotHandler {
 public:
  SnapshotHandler(Engine& engine, const Plan& plan, const CliOptions& options, Serving& serving)
      : engine_(engine),
        plan_(plan),
        options_(options),
        serving_(serving),
        progress_(stderr, ::isatty(STDERR_FILENO) != 0),
        abort_watch_(plan.thresholds) {}

  void operator()(const Snapshot& s) {
    if (!options_.quiet && !s.final) progress_.update(s);
    saturation_.observe(s);
    // Thresholds so far: for abortOnFail, /metrics and /v1/status. A copy of the merged
    // result once per second; skipped when nobody looks at it.
    const bool judge = !plan_.thresholds.empty() && (serving_.active() || abort_watch_.active());
    // The live page shows the whole result so far; the last snapshot's page is the final
    // result's, published by run_session.
    LiveFeed* live = s.final ? nullptr : serving_.live();
    std::vector<ThresholdOutcome> verdicts;
    std::optional<Result> so_far;
    if (judge || live != nullptr) {
      so_far = engine_.current_result(s.elapsed_seconds);
      check_abort(*so_far, s.elapsed_seconds);
      judge_thresholds(plan_.thresholds, *so_far);
      verdicts = so_far->thresholds;
    }
    if (!serving_.active()) return;
    const RunState state = s.stopping ? RunState::kStopping : RunState::kRunning;
    if (MetricsExporter* exporter = serving_.exporter()) {
      exporter->update(s);
      exporter->set_thresholds(verdicts);
      if (!plan_.limits.empty()) exporter->set_limits(engine_.limits());
      if (const auto users = engine_.backoff_total()) exporter->set_adaptive_users(*users);
      exporter->set_state(state);
    }
    serving_.control().set_status(status_document(serving_.identity(), s, verdicts));
    serving_.control().set_state(state);
    if (live != nullptr) publish_live(*live, std::move(*so_far));
    release_freed_memory();
  }

  void finish() { progress_.finish(); }

 private:
  // The series goes beside the document, not in it: see live_feed.h.
  void publish_live(LiveFeed& live, Result so_far) {
    so_far.testid = serving_.identity().testid;
    so_far.meta = run_meta(plan_);
    const std::vector<TimeSeriesPoint> series = std::move(so_far.series);
    so_far.series.clear();
    nlohmann::json document = result_to_json(so_far);
    document.erase("series");
    live.publish(serving_.control().state(), serving_.control().status(), document, series);
  }

  // The documents above are built and dropped every second (hundreds of KiB with histograms).
  // glibc keeps freed pages inside its arenas, so without this the runner's RSS drifts upward
  // with fragmentation over a long run although nothing is kept: a soak's memory would measure
  // the allocator rather than the runner. Trimming costs well under a millisecond at this size.
  static void release_freed_memory() { ::malloc_trim(0); }

  void check_abort(const Result& so_far, double elapsed) {
    if (!abort_watch_.active() || aborting_) return;
    if (auto failed = abort_watch_.check(so_far, elapsed)) {
      aborting_ = true;
      spdlog::warn("{}: stopping the test (abortOnFail)", *failed);
      engine_.request_stop(*failed);
    }
  }

  Engine& engine_;
  const Plan& plan_;
  const CliOptions& options_;
  Serving& serving_;
  Progress progress_;
  const AbortWatch abort_watch_;
  SaturationWarning saturation_;
  bool aborting_ = false;
};

// The plan's setup, unless its values came from elsewhere (the operator's /v1/start). nullopt
// when there is none to run here.
std::optional<PhaseResult> run_setup(Engine& engine, const Plan& plan) {
  if (!plan.setup) return std::nullopt;
  // Run already (POST /v1/setup), or its values came with the start from runner 0.
  if (engine.setup_ready()) return engine.setup_result();
  PhaseResult setup = run_setup_now(engine, plan).result;
  if (!setup.ok) {
    fmt::print(stderr, "error: the setup failed, so the load did not start: {}\n", setup.error);
  }
  return setup;
}

}  // namespace

PhaseOutcome run_setup_now(Engine& engine, const Plan& plan) {
  spdlog::info("setup: {} step(s)", plan.setup->tasks.front().steps.size());
  PhaseOutcome outcome = engine.run_setup();
  if (outcome.result.ok) {
    spdlog::info("setup: done in {}", human_seconds(outcome.result.duration_seconds));
  }
  return outcome;
}

std::optional<PhaseResult> run_teardown(Engine& engine, const Plan& plan) {
  if (!plan.teardown) return std::nullopt;
  spdlog::info("teardown: {} step(s)", plan.teardown->tasks.front().steps.size());
  PhaseResult teardown = engine.run_teardown().result;
  if (!teardown.ok) spdlog::error("the teardown failed: {}", teardown.error);
  return teardown;
}

int run_session(Engine& engine, const Plan& plan, const CliOptions& options, Serving& serving,
                ResultFiles results, ReportFiles& reports, bool teardown_here) {
  std::optional<PhaseResult> setup = run_setup(engine, plan);
  if (setup && !setup->ok) return kExitCouldNotRun;
  SnapshotHandler handler(engine, plan, options, serving);
  serving.control().started([&engine] { engine.request_stop("stopped through /v1/stop"); });
  if (MetricsExporter* exporter = serving.exporter()) {
    exporter->set_state(serving.control().state());  // `scheduled` until a future start instant
  }
  Result result = engine.run(std::ref(handler));
  handler.finish();
  result.testid = serving.identity().testid;
  result.setup = std::move(setup);
  if (teardown_here) result.teardown = run_teardown(engine, plan);
  add_meta(result, plan);
  judge_thresholds(plan.thresholds, result);
  print_summary(stdout, plan, result);
  const nlohmann::json document = result_to_json(result);
  const bool written = write_results(results, document);
  const bool reported = write_reports(reports, document, engine);
  if (MetricsExporter* exporter = serving.exporter()) {
    exporter->set_thresholds(result.thresholds);
    exporter->set_limits(result.limits);
    if (result.adaptive_users) exporter->set_adaptive_users(*result.adaptive_users);
    exporter->set_state(RunState::kFinished);
  }
  serving.control().finished(document.dump());
  if (LiveFeed* live = serving.live()) {
    live->publish_final(RunState::kFinished, serving.control().status(), document, result.series);
  }
  if (!written || !reported) return kExitCouldNotRun;
  if (result.aborted_by == kStoppedBySignal) return kExitInterrupted;
  if (!result.thresholds_ok()) return kExitThresholdsFailed;
  return result.teardown && !result.teardown->ok ? kExitCouldNotRun : kExitOk;
}

}  // namespace stampede
