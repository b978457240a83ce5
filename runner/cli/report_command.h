#pragma once
// `stampede report RESULT.json|- [NEW.json] --html FILE`: the reports of a result written
// earlier (`run --json`, `/v1/result`, or the operator's merged result read from its ConfigMap
// with kubectl and piped in as "-"). With two results, the HTML report compares them.

#include "cli/options.h"

namespace stampede {

// The largest result document read (a 24-hour soak's --json is a few tens of MiB).
inline constexpr std::uint64_t kMaxResultFileBytes = 1024ULL * 1024 * 1024;

// 0 when every report was written; 2 when an input is unreadable or not a result (the message
// names the file); 1 when a report file cannot be written.
int report_command(const CliOptions& options);

}  // namespace stampede
