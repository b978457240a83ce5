// The exporter turns cumulative per-second snapshots into Prometheus counters and histograms.
#include "control/metrics_exporter.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace stampede {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// "series{labels}" -> value, from the text exposition.
std::map<std::string, double> parse(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

struct Fixture {
  CompiledPlan plan;
  std::vector<RequestStats> rows;
  std::vector<IterationCounts> iterations;

  explicit Fixture(const std::vector<std::string>& names) {
    for (const auto& name : names) plan.rows.push_back({"s", name, "GET"});
    plan.scenarios.emplace_back().name = "s";
    rows.resize(names.size());
    iterations.resize(1);
  }
  Snapshot snapshot() const {
    Snapshot s;
    s.users = 3;
    s.target_rate = 12.5;
    s.rows = &rows;
    s.plan = &plan;
    s.scenario_iterations = &iterations;
    return s;
  }
};

void add_response(RequestStats& r, int status, std::chrono::nanoseconds latency) {
  ++r.requests;
  r.statuses.add(status);
  r.latency.record(latency);
  r.bytes_sent += 100;
  r.bytes_received += 1000;
}

void add_reset(RequestStats& r) {
  ++r.requests;
  ++r.failures;
  ++r.errors[static_cast<std::size_t>(ErrorCategory::kReset)];
}

constexpr const char* kRow = R"(runner="0",testid="t",method="GET",name="/a",scenario="s")";

std::string series(const std::string& name, const std::string& extra = "") {
  return name + "{" + kRow + extra + "}";
}

TEST(MetricsExporter, ExportsCountsStatusesReasonsAndLatencyBuckets) {
  Fixture f({"/a"});
  add_response(f.rows[0], 200, microseconds(300));
  add_response(f.rows[0], 200, milliseconds(3));
  add_response(f.rows[0], 503, milliseconds(30));
  add_response(f.rows[0], 200, milliseconds(3000));
  add_reset(f.rows[0]);
  f.iterations[0] = {5, 2};
  MetricsExporter exporter({"t", "0", "v"});
  exporter.update(f.snapshot());
  auto m = parse(exporter.serialize());
  EXPECT_EQ(m[series("stampede_requests_total", R"(,status="200")")], 3);
  EXPECT_EQ(m[series("stampede_requests_total", R"(,status="503")")], 1);
  EXPECT_EQ(m[series("stampede_requests_total", R"(,status="0")")], 1) << "no response";
  // prometheus-cpp writes the constant labels first, then the others sorted by name.
  EXPECT_EQ(
      m[R"(stampede_request_failures_total{runner="0",testid="t",method="GET",name="/a",reason="reset",scenario="s"})"],
      1);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_bucket", R"(,le="0.0005")")], 1);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_bucket", R"(,le="0.0025")")], 1);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_bucket", R"(,le="0.005")")], 2);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_bucket", R"(,le="0.05")")], 3);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_bucket", R"(,le="2.5")")], 3);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_bucket", R"(,le="5")")], 4);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_bucket", R"(,le="+Inf")")], 4);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_count")], 4);
  EXPECT_NEAR(m[series("stampede_request_duration_seconds_sum")], 3.0333, 1e-3);
  EXPECT_EQ(m[R"(stampede_iterations_total{runner="0",testid="t",scenario="s"})"], 5);
  EXPECT_EQ(m[R"(stampede_dropped_total{runner="0",testid="t",scenario="s"})"], 2);
  EXPECT_EQ(m[R"(stampede_data_sent_bytes_total{runner="0",testid="t",scenario="s"})"], 400);
  EXPECT_EQ(m[R"(stampede_data_received_bytes_total{runner="0",testid="t",scenario="s"})"], 4000);
  EXPECT_EQ(m[R"(stampede_users{runner="0",testid="t"})"], 3);
  EXPECT_EQ(m[R"(stampede_target_rate{runner="0",testid="t"})"], 12.5);
}

TEST(MetricsExporter, LaterSnapshotsAddOnlyTheDifference) {
  Fixture f({"/a"});
  MetricsExporter exporter({"t", "0", "v"});
  add_response(f.rows[0], 200, milliseconds(1));
  exporter.update(f.snapshot());
  exporter.update(f.snapshot());  // unchanged: nothing is added twice
  add_response(f.rows[0], 200, milliseconds(20));
  add_response(f.rows[0], 404, milliseconds(20));
  f.iterations[0].iterations = 3;
  exporter.update(f.snapshot());
  auto m = parse(exporter.serialize());
  EXPECT_EQ(m[series("stampede_requests_total", R"(,status="200")")], 2);
  EXPECT_EQ(m[series("stampede_requests_total", R"(,status="404")")], 1);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_count")], 3);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_bucket", R"(,le="0.001")")], 1);
  EXPECT_EQ(m[series("stampede_request_duration_seconds_bucket", R"(,le="0.025")")], 3);
  EXPECT_EQ(m[R"(stampede_iterations_total{runner="0",testid="t",scenario="s"})"], 3);
}

TEST(MetricsExporter, NamesPastTheCapAreCountedAsOther) {
  Fixture f({"/a", "/b", "/c", "/d"});
  for (auto& row : f.rows) add_response(row, 200, milliseconds(1));
  MetricsExporter exporter({"t", "0", "v"}, 2);
  exporter.update(f.snapshot());
  auto m = parse(exporter.serialize());
  const std::string other =
      R"(stampede_requests_total{runner="0",testid="t",method="GET",name="other",scenario="s",status="200"})";
  EXPECT_EQ(m[other], 2) << "/c and /d share the other series";
  EXPECT_EQ(m[series("stampede_requests_total", R"(,status="200")")], 1);
  EXPECT_EQ(
      m.count(
          R"(stampede_requests_total{runner="0",testid="t",method="GET",name="/c",scenario="s",status="200"})"),
      0u);
}

TEST(MetricsExporter, StateThresholdsAndInfo) {
  MetricsExporter exporter({"t", "2", "1.2.3"});
  exporter.set_state(RunState::kRunning);
  exporter.set_planned_duration(60);
  ThresholdOutcome fail{"http_req_duration", "p(95) < 500ms", 0.7, true, false};
  ThresholdOutcome pass{"http_req_failed", "rate < 0.01", 0.0, false, true};
  exporter.set_thresholds({fail, pass});
  auto m = parse(exporter.serialize());
  EXPECT_EQ(m[R"(stampede_test_state{runner="2",testid="t",state="running"})"], 1);
  EXPECT_EQ(m[R"(stampede_test_state{runner="2",testid="t",state="waiting"})"], 0);
  EXPECT_EQ(m[R"(stampede_test_planned_duration_seconds{runner="2",testid="t"})"], 60);
  EXPECT_EQ(
      m[R"(stampede_threshold_ok{runner="2",testid="t",threshold="http_req_duration: p(95) < 500ms"})"],
      0);
  EXPECT_EQ(
      m[R"(stampede_threshold_ok{runner="2",testid="t",threshold="http_req_failed: rate < 0.01"})"],
      1);
  EXPECT_EQ(m[R"(stampede_runner_info{runner="2",testid="t",version="1.2.3"})"], 1);
}

TEST(MetricsExporter, ChecksByResultAddOnlyTheDifference) {
  Fixture f({"/a"});
  MetricsExporter exporter({"t", "0", "v"});
  add_response(f.rows[0], 201, milliseconds(1));
  f.rows[0].checks = {{"status is 201", 1, 0}, {"has an id", 0, 1}};
  exporter.update(f.snapshot());
  add_response(f.rows[0], 201, milliseconds(1));
  f.rows[0].checks = {{"status is 201", 2, 0}, {"has an id", 1, 1}};
  exporter.update(f.snapshot());
  exporter.update(f.snapshot());
  auto m = parse(exporter.serialize());
  auto check = [&](const std::string& name, const std::string& result) {
    return m[R"(stampede_checks_total{runner="0",testid="t",check=")" + name +
             R"(",name="/a",result=")" + result + R"(",scenario="s"})"];
  };
  EXPECT_EQ(check("status is 201", "pass"), 2);
  EXPECT_EQ(check("status is 201", "fail"), 0);
  EXPECT_EQ(check("has an id", "pass"), 1);
  EXPECT_EQ(check("has an id", "fail"), 1);
}

TEST(MetricsExporter, RetriesByStatus) {
  Fixture f({"/a"});
  MetricsExporter exporter({"t", "0", "v"});
  // A retry can be counted before its request completes.
  f.rows[0].retries = 2;
  f.rows[0].retried_statuses.add(429, 2);
  exporter.update(f.snapshot());
  add_response(f.rows[0], 200, milliseconds(1));
  f.rows[0].retries = 4;
  f.rows[0].retried_statuses.add(429, 1);
  f.rows[0].retried_statuses.add(0, 1);
  exporter.update(f.snapshot());
  auto m = parse(exporter.serialize());
  EXPECT_EQ(m[series("stampede_request_retries_total", R"(,status="429")")], 3);
  EXPECT_EQ(m[series("stampede_request_retries_total", R"(,status="0")")], 1);
}

CustomMetricStats trend(const std::string& name, const std::string& unit) {
  CustomMetricStats m;
  m.name = name;
  m.unit = unit;
  return m;
}

void record(CustomMetricStats& m, const std::string& value, std::uint64_t raw) {
  CustomValueStats& v = custom_value_slot(m, value);
  ++v.count;
  if (m.kind == CustomMetricStats::Kind::kTrend) v.histogram.record_ns(raw);
}

TEST(MetricsExporter, CustomTrendsAndCounters) {
  Fixture f({"/a"});
  std::vector<CustomMetricStats> custom = {trend("provider_latency", "ms"), trend("score", ""),
                                           trend("provider_requests", "")};
  custom[2].kind = CustomMetricStats::Kind::kCounter;
  record(custom[0], "groq", 3'000'000);    // 3 ms
  record(custom[0], "groq", 300'000'000);  // 300 ms
  record(custom[0], "openai", 2'000'000'000);
  record(custom[1], "", 7'000);  // plain 7
  record(custom[2], "groq", 0);
  Snapshot s = f.snapshot();
  s.custom = &custom;
  MetricsExporter exporter({"t", "0", "v"});
  exporter.update(s);
  record(custom[2], "groq", 0);
  record(custom[0], "groq", 3'000'000);
  exporter.update(s);
  exporter.update(s);
  auto m = parse(exporter.serialize());
  const std::string id = R"(runner="0",testid="t",)";
  EXPECT_EQ(m["stampede_custom_provider_latency_bucket{" + id + R"(value="groq",le="0.005"})"], 2);
  EXPECT_EQ(m["stampede_custom_provider_latency_bucket{" + id + R"(value="groq",le="0.5"})"], 3);
  EXPECT_EQ(m["stampede_custom_provider_latency_count{" + id + R"(value="groq"})"], 3);
  EXPECT_NEAR(m["stampede_custom_provider_latency_sum{" + id + R"(value="groq"})"], 0.306, 1e-9);
  EXPECT_EQ(m["stampede_custom_provider_latency_count{" + id + R"(value="openai"})"], 1);
  EXPECT_EQ(m["stampede_custom_score_bucket{" + id + R"(value="",le="5"})"], 0);
  EXPECT_EQ(m["stampede_custom_score_bucket{" + id + R"(value="",le="10"})"], 1);
  EXPECT_NEAR(m["stampede_custom_score_sum{" + id + R"(value=""})"], 7, 1e-9);
  EXPECT_EQ(m["stampede_custom_provider_requests_total{" + id + R"(value="groq"})"], 2);
}

TEST(MetricsExporter, CustomValuesAreBounded) {
  Fixture f({"/a"});
  std::vector<CustomMetricStats> custom = {trend("provider_requests", "")};
  custom[0].kind = CustomMetricStats::Kind::kCounter;
  // Fed more values than a result would hold: the exporter bounds them itself.
  for (std::size_t i = 0; i < kMaxCustomValues + 5; ++i) {
    custom[0].values.push_back({"v" + std::to_string(i), 1, {}});
  }
  Snapshot s = f.snapshot();
  s.custom = &custom;
  MetricsExporter exporter({"t", "0", "v"});
  exporter.update(s);
  auto m = parse(exporter.serialize());
  std::size_t series_count = 0;
  for (const auto& [key, value] : m) {
    if (key.rfind("stampede_custom_provider_requests_total{", 0) == 0) ++series_count;
  }
  EXPECT_EQ(series_count, kMaxCustomValues + 1);
  EXPECT_EQ(m[R"(stampede_custom_provider_requests_total{runner="0",testid="t",value="other"})"],
            5);
}

TEST(MetricsExporter, ClashingCustomNamesDoNotBreakTheExporter) {
  Fixture f({"/a"});
  std::vector<CustomMetricStats> custom = {trend("x_total", ""), trend("x", "")};
  custom[1].kind = CustomMetricStats::Kind::kCounter;
  record(custom[0], "", 1000);
  record(custom[1], "", 0);
  Snapshot s = f.snapshot();
  s.custom = &custom;
  MetricsExporter exporter({"t", "0", "v"});
  exporter.update(s);
  auto m = parse(exporter.serialize());
  EXPECT_EQ(m[R"(stampede_custom_x_total_count{runner="0",testid="t",value=""})"], 1);
  EXPECT_EQ(CustomMetricsExporter::family_name("a-b.c"), "stampede_custom_a_b_c");
}

TEST(MetricsExporter, BytesGoToTheRowsScenario) {
  Fixture f({"/a"});
  f.plan.rows.push_back({"t", "/b", "GET"});
  f.plan.scenarios.emplace_back().name = "t";
  f.rows.resize(2);
  f.iterations.resize(2);
  add_response(f.rows[1], 200, milliseconds(1));
  MetricsExporter exporter({"t", "0", "v"});
  exporter.update(f.snapshot());
  auto m = parse(exporter.serialize());
  EXPECT_EQ(m[R"(stampede_data_sent_bytes_total{runner="0",testid="t",scenario="t"})"], 100);
  EXPECT_EQ(m[R"(stampede_data_sent_bytes_total{runner="0",testid="t",scenario="s"})"], 0);
}

}  // namespace
}  // namespace stampede
