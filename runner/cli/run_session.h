#pragma once
// One run of the engine with everything around it: live progress, abortOnFail, /metrics and
// /v1/status every second, then the summary, the result file and /v1/result. Shared by
// `stampede run` and `stampede agent`.

#include "cli/options.h"
#include "cli/result_file.h"
#include "cli/serving.h"
#include "engine/engine.h"
#include "plan/plan.h"

namespace stampede {

// Runs the engine (already prepared) and returns the exit code (0, 99, 105 when a signal
// stopped it, or 1 when the result file cannot be written). The result goes to `result_file`
// (opened before the run).
int run_session(Engine& engine, const Plan& plan, const CliOptions& options, Serving& serving,
                ResultFile& result_file);

}  // namespace stampede
