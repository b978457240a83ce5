#pragma once
// The end-of-test summary: totals, latency percentiles, one row per request name (with retries
// when any happened), the named stages, k6's checks block, the custom metrics, status codes,
// errors and the threshold verdicts with their actual values.

#include <cstdio>

#include "plan/plan.h"
#include "stats/result.h"

namespace stampede {

void print_summary(std::FILE* out, const Plan& plan, const Result& result);

}  // namespace stampede
