#pragma once
// Prometheus histogram buckets for the exporter's histograms, and the conversion of an exact
// (HDR) histogram into counts per Prometheus bucket.

#include <vector>

#include "stats/histogram.h"

namespace stampede {

// Seconds from 0.5 ms to 60 s, roughly 1-2.5-5 per decade: enough resolution for
// histogram_quantile() where SLOs usually sit (10 ms .. 2 s) without a long tail of series.
inline const std::vector<double> kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5,
    0.75,   1,     1.5,    2,     2.5,    5,    7.5,   10,   15,    30,  60};

// Plain numbers (custom trends without a time unit): 1-2.5-5 per decade from 0.001 to 10^6.
inline const std::vector<double> kPlainBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,  0.25,  0.5,   1,     2.5, 5,     10,  25,
    50,    100,    250,   500,  1000,  2500, 5000, 10000, 25000, 50000, 1e5, 2.5e5, 5e5, 1e6};

// Counts per bucket of `bounds` (non-cumulative, +Inf last) of a histogram whose raw values
// times `scale` are in the bounds' unit. An HDR bucket is placed by its lowest value; their width
// is at most 1/1024 of the value, so a sample lands on the wrong side of a Prometheus bound only
// when it is within 0.1 % of it.
inline std::vector<double> bucket_counts(const Histogram& h, const std::vector<double>& bounds,
                                         double scale) {
  std::vector<double> counts(bounds.size() + 1, 0.0);
  std::size_t b = 0;
  h.for_each_bucket([&](std::uint64_t lowest, std::uint64_t, std::uint64_t n) {
    const double value = static_cast<double>(lowest) * scale;
    while (b < bounds.size() && value > bounds[b]) ++b;
    counts[b] += static_cast<double>(n);
  });
  return counts;
}

}  // namespace stampede
