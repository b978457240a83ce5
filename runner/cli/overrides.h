#pragma once
// Applies -u/-r/-t/--rate to a parsed plan. Flags override the plan: -u switches to a closed
// model of N users, --rate to an open model, keeping the plan's duration unless -t is given.

#include "cli/options.h"
#include "plan/plan.h"
#include "plan/source_error.h"

namespace stampede {

// Errors name the flag in SourceError::path (line 0). Warnings (the same form) are added to
// *warnings: --rate on a closed-model plan makes its scenarios' `wait` inapplicable, as the
// plan's own `load: {rate}` does.
SourceErrors apply_overrides(const LoadOverrides& overrides, Plan& plan, SourceErrors* warnings);

}  // namespace stampede
