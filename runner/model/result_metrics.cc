// Threshold evaluation over a Result: maps k6 metric names onto the rows' statistics.
#include <string_view>

#include "model/result.h"

namespace stampede {
namespace {

// Does a status tag value ("429" or a class such as "5xx") match a status code?
bool status_matches(std::string_view pattern, int status) {
  if (pattern.size() == 3 && pattern.substr(1) == "xx") return status / 100 == pattern[0] - '0';
  return pattern == std::to_string(status);
}

struct Filter {
  const std::string* scenario = nullptr;
  const std::string* name = nullptr;
  const std::string* method = nullptr;
  const std::string* status = nullptr;

  explicit Filter(const MetricSelector& selector) {
    for (const auto& [key, value] : selector.tags) {
      if (key == "scenario") scenario = &value;
      if (key == "name") name = &value;
      if (key == "method") method = &value;
      if (key == "status") status = &value;
    }
  }
  bool matches(const StatsKey& key) const {
    return (!scenario || *scenario == key.scenario) && (!name || *name == key.name) &&
           (!method || *method == key.method);
  }
  std::uint64_t status_count(const RequestStats& stats) const {
    std::uint64_t n = 0;
    for (const auto& [code, count] : stats.statuses.sorted()) {
      if (status_matches(*status, code)) n += count;
    }
    return n;
  }
};

const Histogram& trend_of(const RequestStats& stats, std::string_view metric) {
  if (metric == "http_req_service_time") return stats.service_time;
  if (metric == "http_req_waiting") return stats.waiting;
  if (metric == "http_req_connecting") return stats.connecting;
  return stats.latency;
}

std::optional<double> trend_value(const Histogram& h, const Aggregation& aggregation) {
  using Kind = Aggregation::Kind;
  if (aggregation.kind == Kind::kCount) return static_cast<double>(h.count());
  if (h.empty()) return std::nullopt;
  switch (aggregation.kind) {
    case Kind::kAvg:
      return h.mean_ns() * 1e-9;
    case Kind::kMin:
      return h.min_ns() * 1e-9;
    case Kind::kMax:
      return h.max_ns() * 1e-9;
    case Kind::kMed:
      return h.percentile_seconds(50);
    case Kind::kPercentile:
      return h.percentile_seconds(aggregation.percentile);
    default:
      return std::nullopt;
  }
}

// count and rate of a counter: rate per second of the run.
std::optional<double> counter_value(double count, double duration, const Aggregation& a) {
  if (a.kind == Aggregation::Kind::kCount) return count;
  if (a.kind == Aggregation::Kind::kRate) {
    if (duration <= 0) return std::nullopt;
    return count / duration;
  }
  return std::nullopt;
}

// count and rate of a share: rate is a fraction of `total`.
std::optional<double> share_value(double count, double total, const Aggregation& a) {
  if (a.kind == Aggregation::Kind::kCount) return count;
  if (a.kind == Aggregation::Kind::kRate) {
    if (total <= 0) return std::nullopt;
    return count / total;
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> ResultMetrics::value(const MetricSelector& selector,
                                           const Aggregation& aggregation) const {
  const std::string_view metric = selector.metric;
  const Filter filter(selector);
  if (metric == "iterations" || metric == "dropped_iterations") {
    double count = 0;
    for (const auto& [scenario, counts] : result_.iterations) {
      if (filter.scenario && *filter.scenario != scenario) continue;
      count += metric == "iterations" ? counts.iterations : counts.dropped;
    }
    return counter_value(count, result_.duration_seconds, aggregation);
  }
  RequestStats merged;
  for (const auto& row : result_.rows) {
    if (filter.matches(row.key)) merged.merge(row.stats);
  }
  const double requests = static_cast<double>(merged.requests);
  if (metric == "http_req_failed") return share_value(merged.failures, requests, aggregation);
  if (metric == "http_req_status") {
    if (!filter.status) return std::nullopt;
    return share_value(filter.status_count(merged), requests, aggregation);
  }
  if (metric == "http_reqs") {
    double count = filter.status ? filter.status_count(merged) : requests;
    return counter_value(count, result_.duration_seconds, aggregation);
  }
  if (metric == "data_sent") {
    return counter_value(merged.bytes_sent, result_.duration_seconds, aggregation);
  }
  if (metric == "data_received") {
    return counter_value(merged.bytes_received, result_.duration_seconds, aggregation);
  }
  return trend_value(trend_of(merged, metric), aggregation);
}

}  // namespace stampede
