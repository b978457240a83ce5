#pragma once
// The operator's own Prometheus metrics: reconciles, errors, durations, queue depth, tests by
// phase, leadership.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>

namespace stampede::op {

class OperatorMetrics {
 public:
  OperatorMetrics();

  void reconciled(bool ok, double seconds);
  void set_queue_depth(std::size_t depth);
  void set_phases(const std::map<std::string, int>& counts);
  void set_leader(bool leading);
  std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter& reconciles_ok_;
  prometheus::Counter& reconciles_error_;
  prometheus::Histogram& duration_;
  prometheus::Gauge& queue_depth_;
  prometheus::Family<prometheus::Gauge>& phases_;
  prometheus::Gauge& leader_;
};

}  // namespace stampede::op
