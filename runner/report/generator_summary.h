#pragma once
// The summary's "load generator" block (docs/self-monitoring.md): per runner its CPU, memory
// (baseline, peak, growth), connections and loop lag, and the seconds it was saturated, so a
// reader knows whether the latencies above are the target's alone.

#include <cstdio>

#include "stats/result.h"

namespace stampede {

void print_generators(std::FILE* out, const Result& result);

}  // namespace stampede
