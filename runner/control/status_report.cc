#include "control/status_report.h"

#include "stats/result_json.h"

namespace stampede {

nlohmann::json status_document(const StatusIdentity& identity, const Snapshot& s,
                               const std::vector<ThresholdOutcome>& thresholds) {
  const RequestStats& t = s.totals;
  // The interval that just ended is one second long, except a shorter last one.
  const double interval = s.final ? 0 : 1.0;
  nlohmann::json thresholds_json = nlohmann::json::array();
  for (const ThresholdOutcome& o : thresholds) thresholds_json.push_back(threshold_to_json(o));
  nlohmann::json status = {
      {"testid", identity.testid},
      {"runner", identity.runner},
      {"elapsed_seconds", s.elapsed_seconds},
      {"planned_seconds", s.planned_seconds},
      {"users", s.users},
      {"rps", interval > 0 ? static_cast<double>(s.last.requests) / interval : 0.0},
      {"target_rate", s.target_rate},
      {"target_users", s.target_users},
      {"requests", t.requests},
      {"failures", t.failures},
      {"dropped", s.iterations.dropped},
      {"iterations", s.iterations.iterations},
      {"latency_seconds",
       {{"p50", t.latency.percentile_seconds(50)},
        {"p95", t.latency.percentile_seconds(95)},
        {"p99", t.latency.percentile_seconds(99)}}},
      {"thresholds", thresholds_json},
  };
  if (s.generator != nullptr) {
    const GeneratorNow& g = *s.generator;
    status["generator"] = {{"cpu", g.process_cpu},
                           {"memory_bytes", g.memory_bytes},
                           {"memory_peak_bytes", g.memory_peak_bytes},
                           {"connections", g.connections},
                           {"loop_lag_seconds", g.lag_seconds},
                           {"saturated", g.saturated},
                           {"saturated_seconds", g.saturated_seconds},
                           {"cause", g.cause}};
  }
  return status;
}

}  // namespace stampede
