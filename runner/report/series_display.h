#pragma once
// The per-second series as the HTML report's time charts draw it. A chart is at most a couple
// of thousand pixels wide, and a 24-hour soak has 86,400 points: long series are cut into
// buckets of consecutive points and each bucket is drawn as its lowest and its highest value,
// so every spike stays visible and the report stays small. Only the charts use this; the
// report's tables take their numbers from the whole result.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <vector>

#include "stats/result.h"

namespace stampede {

inline constexpr std::size_t kMaxDisplayBuckets = 2000;

// From the result's `series` (points {t, users, requests, failures, p50, p95, p99}), columns
// for uPlot: {"points": N, "bucket_points": k, "t": [...], "requests_per_second": [...],
// "failures_per_second": [...], "users": [...], "p50": [...], "p95": [...], "p99": [...]}.
//
// A point's rates are its counts divided by its interval (t minus the previous point's t; the
// last point of a run may cover less than a second); its percentiles are null when it had no
// requests, and its rates null when its interval is not positive.
//
// With N <= 2 * max_buckets every point is a column entry (k = 1). Otherwise each bucket of
// k = ceil(N / max_buckets) points gives two entries: at the bucket's first t each column's
// lowest value, at its last t each column's highest (nulls ignored; null when all are null).
nlohmann::json display_series(const nlohmann::json& series,
                              std::size_t max_buckets = kMaxDisplayBuckets);
// The same from the series itself, without its JSON: what the live page gets every second.
nlohmann::json display_series(const std::vector<TimeSeriesPoint>& series,
                              std::size_t max_buckets = kMaxDisplayBuckets);

// Whether display_series() shortens a series of this many points.
inline bool series_is_downsampled(std::size_t points,
                                  std::size_t max_buckets = kMaxDisplayBuckets) {
  return points > 2 * max_buckets;
}

}  // namespace stampede
