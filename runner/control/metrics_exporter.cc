#include "control/metrics_exporter.h"

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "control/histogram_feed.h"

namespace stampede {
namespace {

using prometheus::Labels;

// Every family carries the runner's identity as constant labels.
template <class Builder>
auto& build(Builder&& builder, const char* name, const char* help, const ExporterIdentity& id,
            prometheus::Registry& registry) {
  return builder.Name(name)
      .Help(help)
      .Labels({{"testid", id.testid}, {"runner", id.runner}})
      .Register(registry);
}

}  // namespace

struct MetricsExporter::RowSeries {
  Labels labels;             // scenario, name, method
  std::size_t scenario = 0;  // index of the row's scenario in the plan
  HistogramFeed duration;
  std::map<int, prometheus::Counter*> by_status;
  std::array<prometheus::Counter*, kErrorCategoryCount> by_reason{};
  // What has been exported so far, to add only the difference.
  std::uint64_t requests = 0;
  StatusCounts statuses;
  ErrorCounts errors{};
  // Checks (by index in the row's plan order) and retries by status.
  struct CheckSeries {
    std::string name;
    prometheus::Counter* passes = nullptr;
    prometheus::Counter* fails = nullptr;
    CheckCounts exported;
  };
  std::vector<CheckSeries> checks;
  std::map<int, prometheus::Counter*> retries_by_status;
  StatusCounts retried;
};

struct MetricsExporter::ScenarioSeries {
  prometheus::Counter* iterations = nullptr;
  prometheus::Counter* dropped = nullptr;
  prometheus::Counter* sent = nullptr;
  prometheus::Counter* received = nullptr;
  IterationCounts exported;
  std::uint64_t sent_bytes = 0;
  std::uint64_t received_bytes = 0;
};

MetricsExporter::MetricsExporter(const ExporterIdentity& identity, std::size_t max_names)
    : identity_(identity),
      max_names_(max_names),
      registry_(std::make_shared<prometheus::Registry>()),
      requests_(build(prometheus::BuildCounter(), "stampede_requests_total",
                      "Requests completed or failed, by status (0: no response).", identity,
                      *registry_)),
      failures_(build(prometheus::BuildCounter(), "stampede_request_failures_total",
                      "Failed requests by reason (transport error category or unexpected_status).",
                      identity, *registry_)),
      duration_(build(prometheus::BuildHistogram(), "stampede_request_duration_seconds",
                      "Request latency from the scheduled start to the last byte of the response.",
                      identity, *registry_)),
      iterations_(build(prometheus::BuildCounter(), "stampede_iterations_total",
                        "Scenario iterations started.", identity, *registry_)),
      dropped_(build(prometheus::BuildCounter(), "stampede_dropped_total",
                     "Iterations that could not start on time (open model) and were dropped.",
                     identity, *registry_)),
      sent_(build(prometheus::BuildCounter(), "stampede_data_sent_bytes_total",
                  "Bytes of requests written to the target.", identity, *registry_)),
      received_(build(prometheus::BuildCounter(), "stampede_data_received_bytes_total",
                      "Bytes of responses read from the target.", identity, *registry_)),
      users_(build(prometheus::BuildGauge(), "stampede_users", "Active virtual users.", identity,
                   *registry_)),
      target_rate_(build(prometheus::BuildGauge(), "stampede_target_rate",
                         "Planned arrivals per second of this runner now (open model; 0 closed).",
                         identity, *registry_)),
      threshold_ok_(build(prometheus::BuildGauge(), "stampede_threshold_ok",
                          "1 while the threshold holds on the results so far, 0 when it fails.",
                          identity, *registry_)),
      quota_utilization_(build(prometheus::BuildGauge(), "stampede_quota_utilization",
                               "Share of a windowed quota (max_count, max_rate threshold) the "
                               "busiest window has used so far (1 = the limit).",
                               identity, *registry_)),
      state_(build(prometheus::BuildGauge(), "stampede_test_state",
                   "1 for the runner's current state (waiting, running, stopping, finished).",
                   identity, *registry_)),
      elapsed_(build(prometheus::BuildGauge(), "stampede_test_elapsed_seconds",
                     "Seconds since the load started.", identity, *registry_)),
      planned_(build(prometheus::BuildGauge(), "stampede_test_planned_duration_seconds",
                     "Planned duration of the load phase.", identity, *registry_)),
      checks_(build(prometheus::BuildCounter(), "stampede_checks_total",
                    "Check evaluations by result (pass or fail).", identity, *registry_)),
      retries_(build(prometheus::BuildCounter(), "stampede_request_retries_total",
                     "Attempts retried by a retry policy, by the status that caused them (0: no "
                     "response).",
                     identity, *registry_)),
      custom_(*registry_, {{"testid", identity.testid}, {"runner", identity.runner}}),
      streams_(*registry_, {{"testid", identity.testid}, {"runner", identity.runner}}),
      ws_(*registry_, {{"testid", identity.testid}, {"runner", identity.runner}}),
      limits_(*registry_, {{"testid", identity.testid}, {"runner", identity.runner}}),
      generator_(*registry_, {{"testid", identity.testid}, {"runner", identity.runner}}) {
  prometheus::BuildGauge()
      .Name("stampede_runner_info")
      .Help("Always 1; labels identify the runner.")
      .Register(*registry_)
      .Add(
          {{"version", identity.version}, {"testid", identity.testid}, {"runner", identity.runner}})
      .Set(1);
  users_.Add({});
  target_rate_.Add({});
  elapsed_.Add({});
  planned_.Add({});
  set_state(RunState::kWaiting);
}

MetricsExporter::~MetricsExporter() = default;

std::string MetricsExporter::bounded_name(const std::string& name) {
  if (names_.count(name) != 0) return name;
  if (names_.size() < max_names_) {
    names_.insert(name);
    return name;
  }
  if (!warned_names_) {
    warned_names_ = true;
    spdlog::warn(
        "more than {} request names: further names are counted as name=\"other\" in "
        "/metrics (names should be templates, not rendered URLs)",
        max_names_);
  }
  return "other";
}

MetricsExporter::RowSeries& MetricsExporter::row(std::size_t index, const StatsKey& key,
                                                 const CompiledPlan& plan) {
  if (index >= rows_.size()) rows_.resize(index + 1);
  auto& series = rows_[index];
  if (!series) {
    series = std::make_unique<RowSeries>();
    series->labels = {
        {"scenario", key.scenario}, {"name", bounded_name(key.name)}, {"method", key.method}};
    for (std::size_t k = 0; k < plan.scenarios.size(); ++k) {
      if (plan.scenarios[k].name == key.scenario) series->scenario = k;
    }
    series->duration = {&duration_.Add(series->labels, kLatencyBuckets), kLatencyBuckets, 1e-9};
  }
  return *series;
}

MetricsExporter::ScenarioSeries& MetricsExporter::scenario(std::size_t index,
                                                           const std::string& name) {
  if (index >= scenarios_.size()) scenarios_.resize(index + 1);
  auto& series = scenarios_[index];
  if (!series) {
    series = std::make_unique<ScenarioSeries>();
    const Labels labels = {{"scenario", name}};
    series->iterations = &iterations_.Add(labels);
    series->dropped = &dropped_.Add(labels);
    series->sent = &sent_.Add(labels);
    series->received = &received_.Add(labels);
  }
  return *series;
}

void MetricsExporter::update(const Snapshot& s) {
  users_.Add({}).Set(s.users);
  target_rate_.Add({}).Set(s.target_rate);
  elapsed_.Add({}).Set(s.elapsed_seconds);
  if (s.generator != nullptr) generator_.update(*s.generator);
  if (s.rows == nullptr || s.plan == nullptr) return;
  std::vector<std::uint64_t> sent(s.plan->scenarios.size(), 0);
  std::vector<std::uint64_t> received(s.plan->scenarios.size(), 0);
  for (std::size_t i = 0; i < s.rows->size(); ++i) {
    const RequestStats& stats = (*s.rows)[i];
    const StatsKey& key = s.plan->rows[i];
    RowSeries& series = row(i, key, *s.plan);
    sent[series.scenario] += stats.bytes_sent;
    received[series.scenario] += stats.bytes_received;
    // A retry can happen before its request completes, so retries are looked at every time.
    export_retries(series, stats);
    // Events arrive while a stream's request is still open.
    streams_.update(i, series.labels, stats.stream);
    ws_.update(i, series.labels, stats.ws);
    if (stats.requests == series.requests) continue;  // nothing new: skip the histogram pass
    export_row(series, stats);
    export_checks(series, stats);
  }
  if (s.custom != nullptr) custom_.update(*s.custom);
  for (std::size_t k = 0; k < s.plan->scenarios.size(); ++k) {
    ScenarioSeries& series = scenario(k, s.plan->scenarios[k].name);
    if (s.scenario_iterations != nullptr && k < s.scenario_iterations->size()) {
      const IterationCounts& now = (*s.scenario_iterations)[k];
      series.iterations->Increment(
          static_cast<double>(now.iterations - series.exported.iterations));
      series.dropped->Increment(static_cast<double>(now.dropped - series.exported.dropped));
      series.exported = now;
    }
    series.sent->Increment(static_cast<double>(sent[k] - series.sent_bytes));
    series.received->Increment(static_cast<double>(received[k] - series.received_bytes));
    series.sent_bytes = sent[k];
    series.received_bytes = received[k];
  }
}

void MetricsExporter::export_row(RowSeries& series, const RequestStats& stats) {
  // Statuses: responses received; requests without a response are status "0".
  std::uint64_t responses = 0;
  for (const auto& [status, count] : stats.statuses.sorted()) {
    responses += count;
    const std::uint64_t before = series.statuses.get(status);
    if (count == before) continue;
    auto& counter = series.by_status[status];
    if (counter == nullptr) {
      Labels labels = series.labels;
      labels["status"] = std::to_string(status);
      counter = &requests_.Add(labels);
    }
    counter->Increment(static_cast<double>(count - before));
    series.statuses.add(status, count - before);
  }
  const std::uint64_t no_response = stats.requests - responses;
  const std::uint64_t no_response_before = series.statuses.get(0);
  if (no_response != no_response_before) {
    auto& counter = series.by_status[0];
    if (counter == nullptr) {
      Labels labels = series.labels;
      labels["status"] = "0";
      counter = &requests_.Add(labels);
    }
    counter->Increment(static_cast<double>(no_response - no_response_before));
    series.statuses.add(0, no_response - no_response_before);
  }
  for (std::size_t c = 0; c < kErrorCategoryCount; ++c) {
    if (stats.errors[c] == series.errors[c]) continue;
    auto& counter = series.by_reason[c];
    if (counter == nullptr) {
      Labels labels = series.labels;
      labels["reason"] = std::string(error_category_name(static_cast<ErrorCategory>(c)));
      counter = &failures_.Add(labels);
    }
    counter->Increment(static_cast<double>(stats.errors[c] - series.errors[c]));
    series.errors[c] = stats.errors[c];
  }
  series.duration.update(stats.latency);
  series.requests = stats.requests;
}

void MetricsExporter::export_checks(RowSeries& series, const RequestStats& stats) {
  for (std::size_t i = 0; i < stats.checks.size(); ++i) {
    const CheckCounts& now = stats.checks[i];
    if (i >= series.checks.size()) series.checks.emplace_back();
    RowSeries::CheckSeries& check = series.checks[i];
    if (check.passes == nullptr || check.name != now.name) {
      // Rows with the same scenario and name (other methods) share these series: k6's labels.
      Labels labels = {{"scenario", series.labels.at("scenario")},
                       {"name", series.labels.at("name")},
                       {"check", now.name}};
      labels["result"] = "pass";
      check.passes = &checks_.Add(labels);
      labels["result"] = "fail";
      check.fails = &checks_.Add(labels);
      check.name = now.name;
      check.exported = {now.name, 0, 0};
    }
    if (now.passes > check.exported.passes) {
      check.passes->Increment(static_cast<double>(now.passes - check.exported.passes));
    }
    if (now.fails > check.exported.fails) {
      check.fails->Increment(static_cast<double>(now.fails - check.exported.fails));
    }
    check.exported = now;
  }
}

void MetricsExporter::export_retries(RowSeries& series, const RequestStats& stats) {
  if (stats.retries == 0) return;
  for (const auto& [status, count] : stats.retried_statuses.sorted()) {
    const std::uint64_t before = series.retried.get(status);
    if (count <= before) continue;
    auto& counter = series.retries_by_status[status];
    if (counter == nullptr) {
      Labels labels = series.labels;
      labels["status"] = std::to_string(status);
      counter = &retries_.Add(labels);
    }
    counter->Increment(static_cast<double>(count - before));
    series.retried.add(status, count - before);
  }
}

void MetricsExporter::set_thresholds(const std::vector<ThresholdOutcome>& outcomes) {
  for (const ThresholdOutcome& t : outcomes) {
    const std::string label = t.metric + ": " + t.expression;
    auto& gauge = thresholds_[label];
    if (gauge == nullptr) gauge = &threshold_ok_.Add({{"threshold", label}});
    gauge->Set(t.ok ? 1 : 0);
    if (t.utilization) quota_utilization_.Add({{"threshold", label}}).Set(*t.utilization);
  }
}

void MetricsExporter::set_state(RunState state) {
  for (RunState s : kRunStates) {
    state_.Add({{"state", std::string(to_string(s))}}).Set(s == state ? 1 : 0);
  }
}

void MetricsExporter::set_planned_duration(double seconds) {
  planned_.Add({}).Set(seconds);
}

std::string MetricsExporter::serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace stampede
