#pragma once
// A Prometheus histogram fed from a cumulative exact (HDR) histogram: each update adds only what
// was recorded since the previous one (bucket counts and sum), so the Prometheus series stays a
// faithful copy of the result's histogram. Shared by every histogram the exporters publish.

#include <prometheus/histogram.h>

#include <cstdint>
#include <vector>

#include "control/prometheus_buckets.h"

namespace stampede {

class HistogramFeed {
 public:
  HistogramFeed() = default;
  // `bounds` are the Prometheus buckets `metric` was created with (in the exported unit); raw
  // histogram values times `scale` are in that unit. `bounds` must outlive the feed.
  HistogramFeed(prometheus::Histogram* metric, const std::vector<double>& bounds, double scale)
      : metric_(metric), bounds_(&bounds), scale_(scale), exported_(bounds.size() + 1, 0.0) {}

  void update(const Histogram& h) {
    if (metric_ == nullptr || h.count() == count_) return;
    const std::vector<double> now = bucket_counts(h, *bounds_, scale_);
    std::vector<double> increments(now.size());
    for (std::size_t b = 0; b < now.size(); ++b) increments[b] = now[b] - exported_[b];
    metric_->ObserveMultiple(increments, static_cast<double>(h.sum_ns() - sum_) * scale_);
    exported_ = now;
    count_ = h.count();
    sum_ = h.sum_ns();
  }

 private:
  prometheus::Histogram* metric_ = nullptr;
  const std::vector<double>* bounds_ = nullptr;
  double scale_ = 1e-9;
  std::vector<double> exported_;  // bucket counts added so far
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
};

}  // namespace stampede
