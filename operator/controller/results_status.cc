// The final status of a LoadTest from its runners' merged result.
#include <algorithm>
#include <cstdio>

#include "base/rfc3339.h"
#include "controller/conditions.h"
#include "controller/decide.h"
#include "controller/replacements.h"
#include "controller/saturation.h"
#include "stats/result_json.h"

namespace stampede::op {
namespace {

constexpr std::size_t kTopRequests = 10;

nlohmann::json latency(const Histogram& h) {
  return {{"min", static_cast<double>(h.min_ns()) * 1e-9},
          {"mean", h.mean_ns() * 1e-9},
          {"stddev", h.stddev_ns() * 1e-9},
          {"p50", h.percentile_seconds(50)},
          {"p90", h.percentile_seconds(90)},
          {"p95", h.percentile_seconds(95)},
          {"p99", h.percentile_seconds(99)},
          {"p99_9", h.percentile_seconds(99.9)},
          {"max", static_cast<double>(h.max_ns()) * 1e-9}};
}

nlohmann::json status_codes(const StatusCounts& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [status, n] : counts.sorted()) out[std::to_string(status)] = n;
  return out;
}

nlohmann::json errors_of(const RequestStats& totals) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t c = 0; c < kErrorCategoryCount; ++c) {
    if (totals.errors[c] == 0) continue;
    out[std::string(error_category_name(static_cast<ErrorCategory>(c)))] = totals.errors[c];
  }
  return out;
}

nlohmann::json top_requests(const Result& merged) {
  std::vector<const ResultRow*> rows;
  for (const auto& row : merged.rows) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(), [](const ResultRow* a, const ResultRow* b) {
    return a->stats.requests > b->stats.requests;
  });
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < rows.size() && i < kTopRequests; ++i) {
    const ResultRow& r = *rows[i];
    const Histogram& h = r.stats.latency;
    out.push_back(
        {{"scenario", r.key.scenario},
         {"name", r.key.name},
         {"method", r.key.method},
         {"requests", r.stats.requests},
         {"failures", r.stats.failures},
         {"rps", merged.duration_seconds > 0 ? r.stats.requests / merged.duration_seconds : 0.0},
         {"latencySeconds",
          {{"p50", h.percentile_seconds(50)},
           {"p95", h.percentile_seconds(95)},
           {"p99", h.percentile_seconds(99)},
           {"max", static_cast<double>(h.max_ns()) * 1e-9}}}});
  }
  return out;
}

}  // namespace

nlohmann::json finished_status(const Observed& o, const Result& merged,
                               const std::string& result_config_map) {
  nlohmann::json status = o.lt.status;
  const RequestStats totals = merged.totals();
  const IterationCounts iterations = merged.total_iterations();
  const double error_rate =
      totals.requests == 0 ? 0.0 : static_cast<double>(totals.failures) / totals.requests;
  nlohmann::json thresholds = nlohmann::json::array();
  for (const auto& t : merged.thresholds) thresholds.push_back(threshold_to_json(t));
  status["results"] = {{"requests", totals.requests},
                       {"failures", totals.failures},
                       {"errorRate", error_rate},
                       {"dropped", iterations.dropped},
                       {"iterations", iterations.iterations},
                       {"errors", errors_of(totals)},
                       {"rps", merged.rps()},
                       {"durationSeconds", merged.duration_seconds},
                       {"latencySeconds", latency(totals.latency)},
                       {"statusCodes", status_codes(totals.statuses)},
                       {"topRequests", top_requests(merged)},
                       {"thresholds", thresholds},
                       {"thresholdsPassed", merged.thresholds_ok()}};
  if (!merged.limits.empty()) {
    nlohmann::json& limits = status["results"]["limits"] = nlohmann::json::array();
    for (const LimitStats& limit : merged.limits) limits.push_back(limit.to_json());
  }
  if (merged.adaptive_users) status["results"]["adaptiveUsers"] = merged.adaptive_users->to_json();
  note_saturation(status, merged.generators, format_rfc3339(o.now));
  status["resultConfigMap"] = result_config_map;
  note_late_start(status, o);
  const std::string now = format_rfc3339(o.now);
  status["completionTime"] = now;
  const bool ok = merged.thresholds_ok();
  std::string failed;
  for (const auto& t : merged.thresholds) {
    if (!t.ok) failed += (failed.empty() ? "" : ", ") + t.metric + " " + t.expression;
  }
  // A teardown that failed left fixtures behind: the test fails, as `stampede run` exits 1.
  const nlohmann::json teardown = status.value("teardown", nlohmann::json::object());
  const bool teardown_failed = teardown.is_object() && teardown.value("phase", "") == "Failed";
  status["phase"] = ok && !teardown_failed ? kPhaseSucceeded : kPhaseFailed;
  status["result"] = ok && !teardown_failed ? "Passed" : "Failed";
  // The final numbers also in progress, where `kubectl get` columns look.
  status["progress"]["rps"] = merged.rps();
  status["progress"]["requests"] = totals.requests;
  status["progress"]["failures"] = totals.failures;
  status["progress"]["p95Seconds"] = totals.latency.percentile_seconds(95);
  status["progress"]["p95"] = latency_text(totals.latency.percentile_seconds(95));
  status["reason"] = ok ? "ThresholdsPassed" : "ThresholdsFailed";
  status["message"] = ok ? std::to_string(totals.requests) + " requests, every threshold passed"
                         : "thresholds failed: " + failed;
  if (teardown_failed) {
    status["reason"] = ok ? "TeardownFailed" : "ThresholdsFailed";
    status["message"] = status["message"].get<std::string>() + "; the teardown failed: " +
                        teardown.value("message", std::string("(no message)"));
  }
  if (note_degraded_result(status)) {
    // Runners were lost and replaced: the numbers miss the load of the gaps.
    char gap[32];
    std::snprintf(gap, sizeof gap, "%.1f", status["results"].value("gapSeconds", 0.0));
    status["message"] = status["message"].get<std::string>() +
                        " (degraded: " + std::to_string(status["runners"]["replacements"].size()) +
                        " lost runner(s) replaced, " + gap + " s of a segment's load not measured)";
  }
  if (status.contains("pendingRun") && status["pendingRun"].is_object()) {
    // Stopped early for its successor: judged on what it ran, and said so.
    status["reason"] = "Superseded";
    status["message"] = "stopped early for a new run (" +
                        status["pendingRun"].value("trigger", std::string("Rerun")) +
                        "): " + status["message"].get<std::string>();
  }
  set_condition(status, kRunning, false, "Finished", "the load phase is over", now);
  set_condition(status, kCompleted, true, "Finished", status["message"], now);
  set_condition(status, kThresholdsPassed, ok, ok ? "Passed" : "Failed",
                ok ? "every threshold passed" : "failed: " + failed, now);
  set_health_conditions(status, now);
  return status;
}

}  // namespace stampede::op
