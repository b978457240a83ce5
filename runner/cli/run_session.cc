#include "cli/run_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "cli/abort_watch.h"
#include "cli/run_command.h"
#include "report/progress.h"
#include "report/summary.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

bool write_json(ResultFile& file, const Result& result) {
  std::string error;
  if (file.write(result_to_json(result).dump(2) + "\n", &error)) return true;
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
    std::vector<ThresholdOutcome> verdicts;
    if (judge) {
      Result so_far = engine_.current_result(s.elapsed_seconds);
      check_abort(so_far, s.elapsed_seconds);
      judge_thresholds(plan_.thresholds, so_far);
      verdicts = std::move(so_far.thresholds);
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
  }

  void finish() { progress_.finish(); }

 private:
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
                ResultFile& result_file) {
  SnapshotHandler handler(engine, plan, options, serving);
  serving.control().started([&engine] { engine.request_stop("stopped through /v1/stop"); });
  if (MetricsExporter* exporter = serving.exporter()) {
    exporter->set_state(serving.control().state());  // `scheduled` until a future start instant
  }
  Result result = engine.run(std::ref(handler));
  handler.finish();
  result.testid = serving.identity().testid;
  judge_thresholds(plan.thresholds, result);
  print_summary(stdout, plan, result);
  const bool written = write_json(result_file, result);
  if (MetricsExporter* exporter = serving.exporter()) {
    exporter->set_thresholds(result.thresholds);
    exporter->set_state(RunState::kFinished);
  }
  serving.control().finished(result_to_json(result).dump());
  if (!written) return kExitCouldNotRun;
  if (result.aborted_by == kStoppedBySignal) return kExitInterrupted;
  return result.thresholds_ok() ? kExitOk : kExitThresholdsFailed;
}

}  // namespace stampede
