#include "control/custom_metrics_exporter.h"

#include <spdlog/spdlog.h>

#include <set>
#include <stdexcept>

#include "control/histogram_feed.h"

namespace stampede {

struct CustomMetricsExporter::ValueSeries {
  HistogramFeed histogram;                 // trends
  prometheus::Counter* counter = nullptr;  // counters
  std::uint64_t count = 0;                 // exported so far, to add only the difference
};

struct CustomMetricsExporter::Series {
  bool trend = false;
  double scale = 1e-9;  // raw histogram value -> exported unit
  const std::vector<double>* bounds = &kLatencyBuckets;
  prometheus::Family<prometheus::Histogram>* histograms = nullptr;
  prometheus::Family<prometheus::Counter>* counters = nullptr;
  std::map<std::string, ValueSeries> values;  // by the result's value, "other" included
  std::set<std::string> labels;               // distinct `value` labels exported
};

CustomMetricsExporter::CustomMetricsExporter(prometheus::Registry& registry,
                                             prometheus::Labels constant_labels)
    : registry_(registry), constant_labels_(std::move(constant_labels)) {}

CustomMetricsExporter::~CustomMetricsExporter() = default;

std::string CustomMetricsExporter::family_name(const std::string& metric) {
  std::string name = "stampede_custom_" + metric;
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == ':';
    if (!ok) c = '_';
  }
  return name;
}

CustomMetricsExporter::Series* CustomMetricsExporter::series(const CustomMetricStats& metric) {
  auto& slot = series_[metric.name];
  if (slot) return slot.get();
  slot = std::make_unique<Series>();
  Series& s = *slot;
  s.trend = metric.kind == CustomMetricStats::Kind::kTrend;
  const bool time = metric.unit == "ms" || metric.unit == "s";
  s.scale = time ? 1e-9 : 1 / kPlainTrendScale;
  s.bounds = time ? &kLatencyBuckets : &kPlainBuckets;
  const std::string name = family_name(metric.name);
  try {
    if (s.trend) {
      s.histograms = &prometheus::BuildHistogram()
                          .Name(name)
                          .Help("Custom trend " + metric.name +
                                (time ? " in seconds." : " (plain number).") + " by value.")
                          .Labels(constant_labels_)
                          .Register(registry_);
    } else {
      s.counters = &prometheus::BuildCounter()
                        .Name(name + "_total")
                        .Help("Custom counter " + metric.name + " by value.")
                        .Labels(constant_labels_)
                        .Register(registry_);
    }
  } catch (const std::exception& e) {
    // A name clash (a trend "x_total" and a counter "x") or a name Prometheus rejects: the
    // metric stays in the result, only /metrics lacks it.
    spdlog::warn("custom metric {} is not exported to /metrics: {}", metric.name, e.what());
  }
  return &s;
}

CustomMetricsExporter::ValueSeries& CustomMetricsExporter::value_series(Series& series,
                                                                        const std::string& value) {
  auto [it, added] = series.values.try_emplace(value);
  ValueSeries& v = it->second;
  if (!added) return v;
  // The result already bounds the values; this keeps /metrics bounded whatever it is fed.
  std::string label = value;
  if (series.labels.count(label) == 0) {
    const std::size_t named = series.labels.size() - series.labels.count(kOtherCustomValue);
    if (label != kOtherCustomValue && named >= kMaxCustomValues) label = kOtherCustomValue;
    series.labels.insert(label);
  }
  if (series.histograms) {
    v.histogram = {&series.histograms->Add({{"value", label}}, *series.bounds), *series.bounds,
                   series.scale};
  }
  if (series.counters) v.counter = &series.counters->Add({{"value", label}});
  return v;
}

void CustomMetricsExporter::export_value(Series& series, const CustomValueStats& value) {
  const std::uint64_t count = series.trend ? value.histogram.count() : value.count;
  ValueSeries& v = value_series(series, value.value);
  if (count <= v.count) return;
  if (v.counter) v.counter->Increment(static_cast<double>(count - v.count));
  v.histogram.update(value.histogram);
  v.count = count;
}

void CustomMetricsExporter::update(const std::vector<CustomMetricStats>& metrics) {
  for (const CustomMetricStats& metric : metrics) {
    Series* s = series(metric);
    if (!s->histograms && !s->counters) continue;
    for (const CustomValueStats& value : metric.values) export_value(*s, value);
  }
}

}  // namespace stampede
