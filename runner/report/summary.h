#pragma once
// The end-of-test summary: totals, latency percentiles, one row per request name, status
// codes, errors and the threshold verdicts with their actual values.

#include <cstdio>

#include "model/plan.h"
#include "model/result.h"

namespace stampede {

void print_summary(std::FILE* out, const Plan& plan, const Result& result);

}  // namespace stampede
