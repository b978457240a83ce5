#pragma once
// The HTML report's latency charts, from the result's latency histograms (all rows merged):
// how many requests took how long, and the latency at each percentile. The histograms are
// exact, so both charts show every request, not the per-second percentiles of the series.

#include <nlohmann/json.hpp>
#include <optional>

#include "stats/histogram.h"

namespace stampede {

inline constexpr int kDistributionBinsPerDecade = 20;
inline constexpr double kCurveMaxNines = 5;      // the curve ends at 99.999 %
inline constexpr double kCurveNinesStep = 0.05;  // 101 points over five nines

// The rows' `histograms.latency` merged; nullopt when no row carries one (a merged result too
// large for its ConfigMap loses them) or none can be read.
std::optional<Histogram> merged_latency(const nlohmann::json& result);

// Counts in bins of kDistributionBinsPerDecade per decade, lower edge 10^(i/20) ns, every bin
// from the fastest request's to the slowest's (empty ones too, so a stepped line can draw them):
// {"lower_seconds": [...], "upper_seconds": [...], "count": [...]}. The counts add up to the
// histogram's count.
nlohmann::json latency_distribution(const Histogram& latency);

// The latency at percentiles spaced evenly in "nines" (x = -log10(1 - p/100): 0 is 0 %, 1 is
// 90 %, 2 is 99 %, ...), up to kCurveMaxNines or the last percentile the count can tell apart
// (log10(count)): {"nines": [...], "percent": [...], "seconds": [...]}.
nlohmann::json percentile_curve(const Histogram& latency);

}  // namespace stampede
