#include "cli/run_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <optional>

#include "base/rfc3339.h"
#include "cli/abort_watch.h"
#include "cli/result_meta.h"
#include "cli/run_command.h"
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
      exporter->set_state(state);
    }
    serving_.control().set_status(status_document(serving_.identity(), s, verdicts));
    serving_.control().set_state(state);
    if (live != nullptr) publish_live(*live, std::move(*so_far));
  }

  void finish() { progress_.finish(); }

 private:
  void publish_live(LiveFeed& live, Result so_far) {
    so_far.testid = serving_.identity().testid;
    so_far.meta = run_meta(plan_);
    const nlohmann::json document = result_to_json(so_far);
    live.publish(serving_.control().state(), serving_.control().status(), &document);
  }

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
  bool aborting_ = false;
};

}  // namespace

int run_session(Engine& engine, const Plan& plan, const CliOptions& options, Serving& serving,
                ResultFiles results, ReportFiles& reports) {
  SnapshotHandler handler(engine, plan, options, serving);
  serving.control().started([&engine] { engine.request_stop("stopped through /v1/stop"); });
  if (MetricsExporter* exporter = serving.exporter()) {
    exporter->set_state(serving.control().state());  // `scheduled` until a future start instant
  }
  Result result = engine.run(std::ref(handler));
  handler.finish();
  result.testid = serving.identity().testid;
  add_meta(result, plan);
  judge_thresholds(plan.thresholds, result);
  print_summary(stdout, plan, result);
  const nlohmann::json document = result_to_json(result);
  const bool written = write_results(results, document);
  const bool reported = write_reports(reports, document, engine);
  if (MetricsExporter* exporter = serving.exporter()) {
    exporter->set_thresholds(result.thresholds);
    exporter->set_state(RunState::kFinished);
  }
  serving.control().finished(document.dump());
  if (LiveFeed* live = serving.live()) {
    live->publish(RunState::kFinished, serving.control().status(), &document);
  }
  if (!written || !reported) return kExitCouldNotRun;
  if (result.aborted_by == kStoppedBySignal) return kExitInterrupted;
  return result.thresholds_ok() ? kExitOk : kExitThresholdsFailed;
}

}  // namespace stampede
