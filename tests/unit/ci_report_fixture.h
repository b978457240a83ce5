#pragma once
// One fixed result for the CSV, JUnit and Markdown reports' golden tests. Its latencies are
// chosen so that every number can be worked out by hand: below 2048 ns the histogram is exact,
// and a single 10 ms sample is its own min and max (percentiles clamp to them).

#include <nlohmann/json.hpp>

#include "stats/result.h"
#include "stats/result_json.h"

namespace stampede::testing {

inline ResultRow fixture_row(StatsKey key, std::uint64_t requests, std::uint64_t bytes,
                             std::initializer_list<std::uint64_t> latencies_ns) {
  ResultRow row{std::move(key), {}};
  row.stats.requests = requests;
  row.stats.bytes_received = bytes;
  for (const std::uint64_t ns : latencies_ns) row.stats.latency.record_ns(ns);
  return row;
}

// Two scenarios share GET /items/{id} (one CSV row); a POST whose name needs CSV quoting; a
// row that never ran; a refused connection (no latency) and an unexpected status.
inline Result shop_result() {
  Result r;
  r.plan_name = "shop";
  r.testid = "shop-1";
  r.runner = "0/1";
  r.started_at = "2026-12-06T03:00:00.250Z";
  r.duration_seconds = 2.5;
  ResultRow& browse = r.rows.emplace_back(
      fixture_row({"browse", "/items/{id}", "GET"}, 4, 400, {1000, 1500, 2000}));
  browse.stats.failures = 1;
  browse.stats.errors[static_cast<std::size_t>(ErrorCategory::kConnectRefused)] = 1;
  browse.stats.checks = {{"status is 200", 3, 0}};
  ResultRow& buy =
      r.rows.emplace_back(fixture_row({"buy", "/items/{id}", "GET"}, 2, 200, {1200, 1800}));
  buy.stats.failures = 1;
  buy.stats.errors[static_cast<std::size_t>(ErrorCategory::kUnexpectedStatus)] = 1;
  buy.stats.checks = {{"has id", 1, 1}};
  r.rows.push_back(fixture_row({"buy", "checkout, \"now\"", "POST"}, 1, 50, {10'000'000}));
  r.rows.push_back(fixture_row({"browse", "idle", "GET"}, 0, 0, {}));
  r.series = {{1, 2, 4, 1, 0.0015, 0.002, 0.002},
              {2, 3, 3, 1, 0.0018, 0.01, 0.01},
              {2.5, 3, 0, 0, 0, 0, 0}};
  r.thresholds = {{"http_req_duration{scenario:buy}", "p(95) < 2ms", 0.0025, true, false},
                  {"http_req_failed", "rate < 0.5", 2.0 / 7, false, true},
                  {"checks{check:has id}", "rate > 0.9", std::nullopt, false, true}};
  return r;
}

inline nlohmann::json shop_json() {
  return result_to_json(shop_result());
}

}  // namespace stampede::testing
