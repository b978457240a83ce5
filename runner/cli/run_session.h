#pragma once
// One run of the engine with everything around it: live progress, abortOnFail, /metrics and
// /v1/status every second, then the summary, the result file and /v1/result. Shared by
// `stampede run` and `stampede agent`.

#include <optional>

#include "cli/options.h"
#include "cli/report_files.h"
#include "cli/result_file.h"
#include "cli/serving.h"
#include "engine/engine.h"
#include "plan/plan.h"

namespace stampede {

// The --json and --html files (either may be a no-op ResultFile without a path).
struct ResultFiles {
  ResultFile& json;
  ResultFile& html;
};

// Runs the plan's setup (unless it ran already or its values came from elsewhere), the engine
// (already prepared) and, when `teardown_here`, the plan's teardown; returns the exit code (0,
// 99, 105 when a signal stopped it, or 1 when the setup or teardown failed or a result file
// cannot be written). The result goes to `results.json`, its HTML report to `results.html`, and
// the CSV, JUnit and Markdown reports to `reports` (all opened before the run).
// Runs the plan's setup (which it must have) here and logs it: its steps, and how long it took
// when it passed; the caller says what a failure means (`run`: no load; the agent: the answer to
// POST /v1/setup).
PhaseOutcome run_setup_now(Engine& engine, const Plan& plan);

// The plan's teardown, after the load however it ended (k6 runs teardown() after a failed or
// stopped test too, and the fixtures the setup made must go), logged; nullopt when it has none.
std::optional<PhaseResult> run_teardown(Engine& engine, const Plan& plan);

int run_session(Engine& engine, const Plan& plan, const CliOptions& options, Serving& serving,
                ResultFiles results, ReportFiles& reports, bool teardown_here = true);

}  // namespace stampede
