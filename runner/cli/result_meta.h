#pragma once
// The `meta` of a run's result: target, load, profile, version and the named stages' times,
// which the reports' headers show and a merged result keeps.

#include "plan/plan.h"
#include "stats/result.h"

namespace stampede {

// Everything but ended_at (known only when the run is over). One runner.
ResultMeta run_meta(const Plan& plan);

// "closed model, 10 users, spawn rate 5/s, 30s" or "open model, 4 stages up to 200/s, 5m": the
// whole test's load as the plan (with the command line's overrides) gives it.
std::string describe_run_load(const LoadModel& load);

}  // namespace stampede
