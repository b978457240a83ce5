#pragma once
// LoadTests and observations for the controller's unit tests (decide, runs): a valid manifest
// named "demo" at generation 2, observed at a fixed instant.

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "base/rfc3339.h"
#include "controller/decide.h"

namespace stampede::op {

inline const WallClock::time_point kNow = *parse_rfc3339("2026-11-22T12:00:00Z", nullptr);

inline nlohmann::json manifest(const nlohmann::json& spec_overrides = nlohmann::json::object(),
                               nlohmann::json status = nlohmann::json::object()) {
  nlohmann::json spec = {{"target", {{"url", "http://target.default.svc:8080"}}},
                         {"load", {{"users", 25}, {"duration", "30s"}}},
                         {"scenarios", {{{"name", "s"}, {"steps", {{{"get", "/"}}}}}}},
                         {"thresholds", {{"http_req_failed", {"rate < 0.01"}}}},
                         {"runners", {{"maxUsersPerRunner", 10}}}};
  // `{}` in a call is a JSON null, which as a merge patch would erase the whole spec.
  if (spec_overrides.is_object()) spec.merge_patch(spec_overrides);
  return {{"apiVersion", "stampede.dev/v1alpha1"},
          {"kind", "LoadTest"},
          {"metadata",
           {{"name", "demo"}, {"namespace", "ns"}, {"uid", "0a1b2c3d-eeee"}, {"generation", 2}}},
          {"spec", spec},
          {"status", status}};
}

inline Observed observed(const nlohmann::json& object) {
  Observed o;
  o.lt = read_loadtest(object, OperatorDefaults{});
  o.now = kNow;
  observe_plan(o);  // as the reconciler does, once
  return o;
}

inline RunnerObservation pod(std::uint32_t index, bool ready, std::string phase = "Running") {
  RunnerObservation r;
  r.index = index;
  r.pod_exists = true;
  r.pod_name = "demo-runner-" + std::to_string(index);
  r.phase = std::move(phase);
  r.ready = ready;
  r.pod_ip = ready ? "10.0.0." + std::to_string(index + 1) : "";
  return r;
}

inline std::size_t count(const Decision& d, Action::Kind kind) {
  return static_cast<std::size_t>(std::count_if(d.actions.begin(), d.actions.end(),
                                                [&](const Action& a) { return a.kind == kind; }));
}

inline nlohmann::json status_in(const char* phase, std::uint32_t desired) {
  return {{"phase", phase},
          {"runners", {{"desired", desired}, {"ready", 0}}},
          {"startingSince", "2026-11-22T11:59:50Z"}};
}

// A merged result of one request name: `requests` over `seconds`.
inline Result result_of(std::uint64_t requests, double seconds) {
  Result merged;
  ResultRow row{{"s", "/", "GET"}, {}};
  row.stats.requests = requests;
  merged.rows.push_back(row);
  merged.duration_seconds = seconds;
  return merged;
}

}  // namespace stampede::op
