#pragma once
// Prometheus metrics of one runner, updated from the per-second merged snapshot on the engine's
// control thread (never from the request path) and serialized on the server thread.
// prometheus-cpp's metric objects are thread-safe, so the two threads need no other lock.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "control/custom_metrics_exporter.h"
#include "control/generator_metrics_exporter.h"
#include "control/limit_metrics_exporter.h"
#include "control/run_state.h"
#include "control/stream_metrics_exporter.h"
#include "control/ws_metrics_exporter.h"
#include "engine/snapshot.h"
#include "stats/result.h"

namespace stampede {

struct ExporterIdentity {
  std::string testid;
  std::string runner;  // the runner's index, "0" for a single runner
  std::string version;
};

class MetricsExporter {
 public:
  // Request names past this many distinct values are counted under name="other".
  static constexpr std::size_t kMaxNames = 500;

  explicit MetricsExporter(const ExporterIdentity& identity, std::size_t max_names = kMaxNames);
  ~MetricsExporter();
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  // Control thread: adds what changed since the previous snapshot.
  void update(const Snapshot& snapshot);
  void set_thresholds(const std::vector<ThresholdOutcome>& outcomes);
  void set_limits(const std::vector<LimitStats>& limits) { limits_.update(limits); }
  void set_adaptive_users(const AdaptiveUsersStats& users) { limits_.update(users); }
  void set_state(RunState state);
  void set_planned_duration(double seconds);

  // Any thread: the Prometheus text exposition format.
  std::string serialize() const;

 private:
  struct RowSeries;
  struct ScenarioSeries;
  RowSeries& row(std::size_t index, const StatsKey& key, const CompiledPlan& plan);
  ScenarioSeries& scenario(std::size_t index, const std::string& name);
  std::string bounded_name(const std::string& name);
  void export_row(RowSeries& series, const RequestStats& stats);
  void export_checks(RowSeries& series, const RequestStats& stats);
  void export_retries(RowSeries& series, const RequestStats& stats);

  ExporterIdentity identity_;
  std::size_t max_names_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& iterations_;
  prometheus::Family<prometheus::Counter>& dropped_;
  prometheus::Family<prometheus::Counter>& sent_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Gauge>& users_;
  prometheus::Family<prometheus::Gauge>& target_rate_;
  prometheus::Family<prometheus::Gauge>& threshold_ok_;
  prometheus::Family<prometheus::Gauge>& quota_utilization_;
  prometheus::Family<prometheus::Gauge>& state_;
  prometheus::Family<prometheus::Gauge>& elapsed_;
  prometheus::Family<prometheus::Gauge>& planned_;
  prometheus::Family<prometheus::Counter>& checks_;
  prometheus::Family<prometheus::Counter>& retries_;
  CustomMetricsExporter custom_;
  StreamMetricsExporter streams_;
  WsMetricsExporter ws_;
  LimitMetricsExporter limits_;
  GeneratorMetricsExporter generator_;
  std::vector<std::unique_ptr<RowSeries>> rows_;
  std::vector<std::unique_ptr<ScenarioSeries>> scenarios_;
  std::set<std::string> names_;
  bool warned_names_ = false;
  std::map<std::string, prometheus::Gauge*> thresholds_;
};

}  // namespace stampede
