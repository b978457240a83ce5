#pragma once
// The `run`, `ui`, `agent` and `validate` commands. Each returns the process exit code.

#include "cli/options.h"

namespace stampede {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCouldNotRun = 1;
inline constexpr int kExitInvalid = 2;
inline constexpr int kExitThresholdsFailed = 99;
// SIGINT or SIGTERM stopped the run: its thresholds judged only part of the load, so passing
// them is no verdict (k6 uses the same code for a test aborted from outside).
inline constexpr int kExitInterrupted = 105;

int validate_command(const CliOptions& options);
// `run`, and `ui`: serves the live web UI, runs when its Start (POST /v1/start) comes, then keeps
// serving the finished page until SIGINT or SIGTERM. Same exit codes.
int run_command(const CliOptions& options);
// Loads the plan, serves the control API, runs on POST /v1/start, then serves the result
// until it is acknowledged (POST /v1/result/ack) or --linger passes. Same exit codes as run.
int agent_command(const CliOptions& options);

}  // namespace stampede
