// The thresholds section (threshold_parser.cc, with the selector and condition grammar of
// threshold.cc and threshold_condition.cc): the input is the YAML map under `thresholds:`,
// checked against a fixed plan's scenarios, stages and custom metrics as the plan parser does,
// and every parsed threshold is then evaluated against a fixed result (stage references,
// percentiles, rates and custom metrics included).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plan/plan_parser.h"
#include "plan/plan_sections.h"
#include "stats/result.h"

namespace {

using namespace stampede;

// What the thresholds may name: scenario "api", steps "GET /a" and "POST /b", check "ok",
// stages "warmup" and "peak", a trend in ms and a counter.
constexpr std::string_view kPlan = R"(
target: {url: "http://127.0.0.1:8080"}
load:
  stages:
    - {duration: 10s, users: 5, name: warmup}
    - {duration: 20s, users: 20, name: peak}
scenarios:
  - name: api
    steps:
      - get: /a
        name: GET /a
        checks: [{status: 200, name: ok}]
        metrics:
          - name: order_ms
            trend: {header: X-Order-Ms}
            unit: ms
            by: {header: X-Shop}
          - name: orders
            counter: {json: /id}
      - post: /b
        name: POST /b
)";

const Plan& plan() {
  static const Plan kParsed = [] {
    ParseOptions options;
    options.runner_side = false;
    ParseResult result = parse_plan_text(kPlan, options);
    if (!result.plan) __builtin_trap();  // the fixture itself must be valid
    return std::move(*result.plan);
  }();
  return kParsed;
}

RequestStats stats(std::uint64_t requests, std::uint64_t failures, std::uint64_t base_ns) {
  RequestStats s;
  s.requests = requests;
  s.failures = failures;
  s.bytes_sent = requests * 100;
  s.bytes_received = requests * 1000;
  s.statuses.add(200, requests - failures);
  s.statuses.add(503, failures);
  s.errors[static_cast<std::size_t>(ErrorCategory::kUnexpectedStatus)] = failures;
  s.checks.push_back({"ok", requests - failures, failures});
  for (std::uint64_t i = 0; i < requests; ++i) {
    s.latency.record_ns(base_ns + i * 1'000'000);
    s.service_time.record_ns(base_ns + i * 900'000);
    s.waiting.record_ns(base_ns / 2 + i * 500'000);
  }
  s.connecting.record_ns(200'000, 3);
  return s;
}

// A result with data for every kind of series a threshold may select.
const Result& result() {
  static const Result kFixed = [] {
    Result r;
    r.duration_seconds = 30;
    r.rows.push_back({{"api", "GET /a", "GET"}, stats(50, 2, 5'000'000)});
    r.rows.push_back({{"api", "POST /b", "POST"}, stats(20, 5, 40'000'000)});
    r.iterations["api"] = {70, 3};
    r.stages.push_back({"warmup", stats(10, 0, 3'000'000), 10});
    r.stages.push_back({"peak", stats(60, 7, 8'000'000), 20});
    CustomMetricStats trend{"order_ms", CustomMetricStats::Kind::kTrend, "ms", {}};
    for (const char* shop : {"north", "south"}) {
      CustomValueStats& value = custom_value_slot(trend, shop);
      value.count = 4;
      value.histogram.record_ns(12'000'000, 4);
    }
    CustomMetricStats counter{"orders", CustomMetricStats::Kind::kCounter, "", {}};
    custom_value_slot(counter, "").count = 17;
    r.custom = {trend, counter};
    return r;
  }();
  return kFixed;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  SourceErrors errors;
  SourceErrors warnings;
  const std::optional<YAML::Node> document = load_single_document(text, &errors);
  if (!document) return 0;
  YamlReader reader(&errors, &warnings);
  const plan_sections::ThresholdTargets targets =
      plan_sections::threshold_targets(plan(), /*scenarios_ok=*/true, /*load_ok=*/true);
  std::vector<Threshold> thresholds;
  try {
    plan_sections::parse_thresholds(reader, YamlReader::root(*document), targets, &thresholds);
  } catch (const std::exception&) {
    // parse_plan_text turns a throw into "internal error"; the section parser must not throw.
    __builtin_trap();
  }
  Result judged = result();
  judge_thresholds(thresholds, judged);
  if (judged.thresholds.size() < thresholds.size()) __builtin_trap();
  return 0;
}
