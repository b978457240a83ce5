#pragma once
// The `run` and `validate` commands. Both return the process exit code.

#include "cli/options.h"

namespace stampede {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCouldNotRun = 1;
inline constexpr int kExitInvalid = 2;
inline constexpr int kExitThresholdsFailed = 99;

int validate_command(const CliOptions& options);
int run_command(const CliOptions& options);

}  // namespace stampede
