#pragma once
// Prometheus series of the plan's custom metrics (`metrics:` on steps). A trend becomes the
// histogram stampede_custom_<name> (in seconds for the time units ms and s, the plain number
// otherwise), a counter stampede_custom_<name>_total; both carry a `value` label, at most
// kMaxCustomValues distinct values per metric besides "other". Updated from the control
// thread's snapshots, like the rest of MetricsExporter.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stats/result.h"

namespace stampede {

class CustomMetricsExporter {
 public:
  // `constant_labels` (testid, runner) go on every family.
  CustomMetricsExporter(prometheus::Registry& registry, prometheus::Labels constant_labels);
  ~CustomMetricsExporter();
  CustomMetricsExporter(const CustomMetricsExporter&) = delete;
  CustomMetricsExporter& operator=(const CustomMetricsExporter&) = delete;

  // Adds what changed since the previous call (the metrics are cumulative).
  void update(const std::vector<CustomMetricStats>& metrics);

  // "stampede_custom_" + the name with characters Prometheus does not allow replaced by '_'.
  static std::string family_name(const std::string& metric);

 private:
  struct Series;
  struct ValueSeries;
  Series* series(const CustomMetricStats& metric);
  ValueSeries& value_series(Series& series, const std::string& value);
  void export_value(Series& series, const CustomValueStats& value);

  prometheus::Registry& registry_;
  prometheus::Labels constant_labels_;
  std::map<std::string, std::unique_ptr<Series>> series_;  // by metric name
};

}  // namespace stampede
