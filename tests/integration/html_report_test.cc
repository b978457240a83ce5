// The HTML report end to end: a real `stampede run --html` against the bundled target, and
// `stampede report` on result files, each opened in headless Chromium. The page must load with
// no console error or exception and request nothing but itself; its charts must hold the
// result's series, its tables the result's numbers. Screenshots (and a PDF print) are written
// to the build tree's test-artifacts/html_report/.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "base/gzip.h"
#include "support/browser.h"
#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The page load of a 24-hour report: 2 s, and more while sanitizer builds load the machine.
#ifdef STAMPEDE_SANITIZED
constexpr double kMaxLoadMs = 6000;
#else
constexpr double kMaxLoadMs = 2000;
#endif

constexpr const char* kHostileName = "</script><b>home</b>";

// What the tests read back from the page: the report hook's state, every chart's data, and
// every table's cells by table id.
constexpr const char* kPageState = R"(JSON.stringify({
  mode: stampedeReport.mode,
  ready: stampedeReport.ready,
  charts: stampedeReport.chartData(),
  display: stampedeReport.runs.map((r) => r.display),
  tables: Object.fromEntries(Array.from(document.querySelectorAll('table[id]')).map((t) =>
    [t.id, Array.from(t.tBodies[0].rows).map((r) => Array.from(r.cells).map((c) => c.textContent))])),
  header: document.getElementById('header').textContent
}))";

std::string artifact(const std::string& name) {
  const fs::path dir = fs::path(STAMPEDE_ARTIFACT_DIR) / "html_report";
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// `stampede report ARGS...`; the exit code and stderr.
RunResult report(std::vector<std::string> args) {
  args.insert(args.begin(), {STAMPEDE_BIN, "report"});
  return run_process(args, std::chrono::seconds(60));
}

// Opens the page and checks what every report must satisfy: it loaded, logged no error, threw
// nothing and requested no URL but its own file. Returns the page state (kPageState).
json open_clean(const std::string& html, const std::string& screenshot, const std::string& pdf = "",
                double* load_ms = nullptr) {
  const BrowserVisit visit = open_in_browser(html, kPageState, screenshot, pdf);
  EXPECT_TRUE(visit.console_errors().empty()) << visit.describe();
  EXPECT_TRUE(visit.report["exceptions"].empty()) << visit.describe();
  EXPECT_EQ(visit.report["requests"], json::array({visit.report["url"]})) << visit.describe();
  if (load_ms) *load_ms = visit.report["load_ms"].get<double>();
  return json::parse(visit.report["value"].get<std::string>());
}

// A table's rows of cells; none when the page has no such table.
json table(const json& state, const std::string& id) {
  return state["tables"].value(id, json::array());
}

// A chart's uPlot data ([xs, ys...]); empty columns when the page has no such chart.
json chart_data(const json& state, const std::string& id) {
  for (const json& c : state["charts"]) {
    if (c["id"] == id) return c["data"];
  }
  ADD_FAILURE() << "no chart " << id;
  return json::array({json::array(), json::array(), json::array(), json::array()});
}

// A number the way the page prints counts: 12,345.
std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

void expect_column(const json& actual, const std::vector<std::optional<double>>& expected,
                   const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (!expected[i]) {
      EXPECT_TRUE(actual[i].is_null()) << what << "[" << i << "] = " << actual[i];
      continue;
    }
    ASSERT_TRUE(actual[i].is_number()) << what << "[" << i << "] = " << actual[i];
    EXPECT_NEAR(actual[i].get<double>(), *expected[i], std::abs(*expected[i]) * 1e-12)
        << what << "[" << i << "]";
  }
}

// The time charts' columns as the result's series gives them: per-second rates over each
// point's interval, and no latency for a second without requests.
struct SeriesColumns {
  std::vector<std::optional<double>> t, rps, fps, users, p50, p95, p99;
};

SeriesColumns columns_of(const json& series) {
  SeriesColumns c;
  double previous = 0;
  for (const json& p : series) {
    const double t = p["t"].get<double>();
    const double requests = p["requests"].get<double>();
    const double interval = t - previous;
    previous = t;
    c.t.push_back(t);
    c.rps.push_back(interval > 0 ? std::optional(requests / interval) : std::nullopt);
    c.fps.push_back(interval > 0 ? std::optional(p["failures"].get<double>() / interval)
                                 : std::nullopt);
    c.users.push_back(p["users"].get<double>());
    const auto latency = [&](const char* key) {
      return requests > 0 ? std::optional(p[key].get<double>()) : std::nullopt;
    };
    c.p50.push_back(latency("p50"));
    c.p95.push_back(latency("p95"));
    c.p99.push_back(latency("p99"));
  }
  return c;
}

void expect_time_charts_hold_the_series(const json& state, const json& result, int run) {
  const SeriesColumns c = columns_of(result["series"]);
  const std::string suffix = "-" + std::to_string(run);
  const json throughput = chart_data(state, "chart-throughput" + suffix);
  expect_column(throughput[0], c.t, "t");
  expect_column(throughput[1], c.rps, "requests/s");
  expect_column(throughput[2], c.fps, "failures/s");
  expect_column(chart_data(state, "chart-users" + suffix)[1], c.users, "users");
  const json latency = chart_data(state, "chart-latency" + suffix);
  expect_column(latency[1], c.p50, "p50");
  expect_column(latency[2], c.p95, "p95");
  expect_column(latency[3], c.p99, "p99");
}

std::string run_plan(const std::string& url) {
  return "name: html-report\n"
         "target: " +
         url +
         "\n"
         "load:\n"
         "  stages:\n"
         "    - {duration: 1s, users: 3, name: warm}\n"
         "    - {duration: 1s, users: 3, name: peak}\n"
         "  gracefulStop: 5s\n"
         "scenarios:\n"
         "  - name: shop\n"
         "    steps:\n"
         "      - get: /\n"
         "        name: \"" +
         kHostileName +
         "\"\n"
         "        checks: [{status: 200}, {duration: \"< 10s\"}]\n"
         "      - get: /status/503\n"
         "        name: broken\n"
         "      - get: /api/chat/stream?tokens=3&gap_ms=5\n"
         "        name: chat\n"
         "        stream: {format: sse, end: \"[DONE]\"}\n"
         "      - ws: /ws/echo\n"
         "        name: echo\n"
         "        actions: [{send: hi}, {receive: 1}]\n"
         "thresholds:\n"
         "  http_req_duration: [\"p(95) < 10s\"]\n"
         "  http_req_failed: [\"rate < 0.01\"]\n";
}

// One real run per test process (ctest runs each case in a process of its own, maybe several at
// once, so its files are temporary ones of this process): its result and --html report.
struct RunFixture {
  json result;
  std::string html;
  std::string json_path;
};

const RunFixture& real_run() {
  static const RunFixture fixture = [] {
    TargetProcess target(STAMPEDE_TARGET_BIN);
    RunFixture f;
    f.html = write_temp_file("", ".html");
    const StampedeRun run = run_stampede("run", run_plan(target.url()), {"--html", f.html});
    // /status/503 fails a quarter of the requests: http_req_failed's threshold fails.
    EXPECT_EQ(run.exit_code, 99) << run.describe();
    f.result = run.result;
    f.json_path = write_temp_file("", ".json");
    write_text(f.json_path, run.result.dump(2));
    return f;
  }();
  return fixture;
}

TEST(HtmlReport, RunWritesAReportWhoseChartsHoldTheSeries) {
  const RunFixture& run = real_run();
  ASSERT_TRUE(run.result.is_object());
  ASSERT_GT(fs::file_size(run.html), 0u);
  fs::copy_file(run.html, artifact("report.html"), fs::copy_options::overwrite_existing);
  const json state = open_clean(run.html, artifact("report.png"), artifact("report.pdf"));
  EXPECT_EQ(state["mode"], "single");
  EXPECT_EQ(state["ready"], true);
  ASSERT_GE(run.result["series"].size(), 3u) << run.result.dump();
  expect_time_charts_hold_the_series(state, run.result, 0);
  // The distribution counts every request; the curve runs from the fastest to the slowest.
  const json distribution = chart_data(state, "chart-distribution");
  std::uint64_t counted = 0;
  for (const json& n : distribution[1]) counted += n.is_null() ? 0 : n.get<std::uint64_t>();
  EXPECT_EQ(counted, run.result["latency_seconds"]["count"].get<std::uint64_t>());
  const json curve = chart_data(state, "chart-percentiles");
  EXPECT_EQ(curve[1], state.at("display").at(0).at("percentile_curve").at("seconds"));
  EXPECT_LE(curve[1].back().get<double>(),
            run.result["latency_seconds"]["max"].get<double>() * 1.001);
  EXPECT_GT(fs::file_size(artifact("report.pdf")), 10'000u);
}

TEST(HtmlReport, TablesShowTheResultsNumbers) {
  const RunFixture& run = real_run();
  const json state = open_clean(run.html, "");
  const json thresholds = table(state, "threshold-table");
  ASSERT_EQ(thresholds.size(), run.result["thresholds"].size());
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    const json& t = run.result["thresholds"][i];
    EXPECT_EQ(thresholds[i][0], t["metric"]);
    EXPECT_EQ(thresholds[i][1], t["expression"]);
    EXPECT_EQ(thresholds[i][4], t["ok"].get<bool>() ? "PASS" : "FAIL");
  }
  // One row per request row plus the aggregate, with the counts as the result has them; the
  // hostile name is shown as text, never parsed as markup.
  const json requests = table(state, "request-table");
  ASSERT_EQ(requests.size(), run.result["requests"].size() + 1);
  for (std::size_t i = 0; i < run.result["requests"].size(); ++i) {
    const json& row = run.result["requests"][i];
    EXPECT_EQ(requests[i][1], row["name"]);
    EXPECT_EQ(requests[i][3], with_commas(row["requests"].get<std::uint64_t>()));
    EXPECT_EQ(requests[i][4], with_commas(row["failures"].get<std::uint64_t>()));
  }
  EXPECT_EQ(requests[0][1], kHostileName);
  EXPECT_EQ(requests.back()[3], with_commas(run.result["totals"]["requests"].get<std::uint64_t>()));
  EXPECT_EQ(table(state, "status-table").size(), run.result["status_codes"].size());
  EXPECT_FALSE(table(state, "stream-table").empty());  // the SSE row
  EXPECT_FALSE(table(state, "ws-table").empty());      // the WebSocket session row
  EXPECT_FALSE(table(state, "check-table").empty());
  // The load generator: one row, this runner's.
  const json generator = table(state, "generator-table");
  ASSERT_EQ(generator.size(), 1u);
  EXPECT_EQ(generator[0][0], "0/1");
  // The header's meta: target, runner count, the named stages shaded on the charts.
  const json& meta = run.result["meta"];
  EXPECT_EQ(meta["runners"], 1);
  EXPECT_EQ(meta["stages"].size(), 2u);
  EXPECT_EQ(meta["stages"][1]["name"], "peak");
  EXPECT_NE(state["header"].get<std::string>().find(meta["target"].get<std::string>()),
            std::string::npos);
}

TEST(HtmlReport, ReportCommandWritesTheSameReportFromAFileOrStdin) {
  const RunFixture& run = real_run();
  const std::string from_file = artifact("from_file.html");
  const RunResult r = report({run.json_path, "--html", from_file});
  ASSERT_EQ(r.status.code, 0) << r.stderr_text;
  EXPECT_EQ(read_text(from_file), read_text(run.html));  // rendering is a function of the result
  // Like the operator's merged result, piped from kubectl.
  const std::string from_stdin = artifact("from_stdin.html");
  const RunResult piped = run_process({"/bin/sh", "-c",
                                       std::string(STAMPEDE_BIN) + " report - --html '" +
                                           from_stdin + "' < '" + run.json_path + "'"},
                                      std::chrono::seconds(60));
  ASSERT_EQ(piped.status.code, 0) << piped.stderr_text;
  EXPECT_EQ(read_text(from_stdin), read_text(run.html));
  // As the operator stores a large result (binaryData result.json.gz): the same report.
  const std::string gz = write_temp_file(gzip(read_text(run.json_path)), ".json.gz");
  const std::string from_gzip = artifact("from_gzip.html");
  const RunResult unzipped = run_process(
      {"/bin/sh", "-c",
       std::string(STAMPEDE_BIN) + " report - --html '" + from_gzip + "' < '" + gz + "'"},
      std::chrono::seconds(60));
  ASSERT_EQ(unzipped.status.code, 0) << unzipped.stderr_text;
  EXPECT_EQ(read_text(from_gzip), read_text(run.html));
}

TEST(HtmlReport, ReportCommandRejectsWhatIsNotAResult) {
  const std::string out = artifact("rejected.html");
  const std::string not_json = write_temp_file("{\"schema\": ", ".json");
  RunResult r = report({not_json, "--html", out});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(r.stderr_text.find(not_json + " is not a result: invalid JSON"), std::string::npos)
      << r.stderr_text;
  const std::string other = write_temp_file(R"({"schema": "k6/summary"})", ".json");
  r = report({other, "--html", out});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(r.stderr_text.find(other + ": not a stampede.result/v1 document"), std::string::npos)
      << r.stderr_text;
  r = report({"/nonexistent/result.json", "--html", out});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(r.stderr_text.find("/nonexistent/result.json"), std::string::npos) << r.stderr_text;
  r = report({real_run().json_path});  // nothing to write
  EXPECT_EQ(r.status.code, 2);
  r = report({real_run().json_path, "--html", "/nonexistent/dir/r.html"});
  EXPECT_EQ(r.status.code, 1);
  // An endless stdin is read up to the result size limit, then refused.
  const RunResult endless = run_process(
      {"/bin/sh", "-c", std::string(STAMPEDE_BIN) + " report - --html '" + out + "' < /dev/zero"},
      std::chrono::seconds(120));
  EXPECT_EQ(endless.status.code, 2);
  EXPECT_NE(endless.stderr_text.find("cannot read result stdin: larger than"), std::string::npos)
      << endless.stderr_text;
  // A gzip bomb (17 members of 64 MiB of spaces, 1.06 GiB from 1 MiB) expands only up to the
  // same limit; cut or corrupt gzip is named as such.
  const std::string member = gzip(std::string(std::size_t{64} << 20, ' '));
  std::string bomb;
  for (int i = 0; i < 17; ++i) bomb += member;
  r = report({write_temp_file(bomb, ".json.gz"), "--html", out});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(r.stderr_text.find("larger than"), std::string::npos) << r.stderr_text;
  const std::string result_gz = gzip(read_text(real_run().json_path));
  r = report(
      {write_temp_file(result_gz.substr(0, result_gz.size() / 2), ".json.gz"), "--html", out});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(r.stderr_text.find("gzip data cut short"), std::string::npos) << r.stderr_text;
  std::string corrupt = result_gz;
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
  r = report({write_temp_file(corrupt, ".json.gz"), "--html", out});
  EXPECT_EQ(r.status.code, 2);
  EXPECT_NE(r.stderr_text.find("corrupt gzip data"), std::string::npos) << r.stderr_text;
}

// The "new" run of a comparison: twice the latency percentiles, half the throughput, and the
// first threshold's verdict turned around.
json slower(json result) {
  for (const char* p : {"p50", "p90", "p95", "p99", "p99_9", "max"}) {
    result["latency_seconds"][p] = result["latency_seconds"][p].get<double>() * 2;
  }
  result["totals"]["rps"] = result["totals"]["rps"].get<double>() / 2;
  result["plan"] = "html-report v2";
  json& first = result["thresholds"][0];
  first["ok"] = !first["ok"].get<bool>();
  return result;
}

json summary_row(const json& state, const std::string& label) {
  for (const json& row : table(state, "summary-table")) {
    if (row[0] == label) return row;
  }
  ADD_FAILURE() << "no summary row " << label;
  return json::array({"", "", ""});
}

TEST(HtmlReport, CompareModeShowsChangesAndBothVerdicts) {
  const RunFixture& run = real_run();
  const json next = slower(run.result);
  const std::string next_path = write_temp_file("", ".json");
  write_text(next_path, next.dump());
  const std::string html = artifact("compare.html");
  const RunResult r = report({run.json_path, next_path, "--html", html});
  ASSERT_EQ(r.status.code, 0) << r.stderr_text;
  const json state = open_clean(html, artifact("compare.png"));
  EXPECT_EQ(state["mode"], "compare");
  expect_time_charts_hold_the_series(state, run.result, 0);
  expect_time_charts_hold_the_series(state, next, 1);
  EXPECT_NE(summary_row(state, "p95")[2].get<std::string>().find("+100 %"), std::string::npos)
      << table(state, "summary-table");
  EXPECT_NE(summary_row(state, "Requests/s")[2].get<std::string>().find("-50 %"), std::string::npos)
      << table(state, "summary-table");
  const json thresholds = table(state, "threshold-table");
  ASSERT_EQ(thresholds.size(), run.result["thresholds"].size());
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    const auto verdict = [](const json& t) { return t["ok"].get<bool>() ? "PASS" : "FAIL"; };
    EXPECT_EQ(thresholds[i][3], verdict(run.result["thresholds"][i])) << thresholds[i];
    EXPECT_EQ(thresholds[i][5], verdict(next["thresholds"][i])) << thresholds[i];
  }
}

// A 24-hour soak: 86,400 points with a slow wave, noise and one spike.
json day_long(json result) {
  json series = json::array();
  std::uint64_t state = 12345;
  for (int i = 1; i <= 86'400; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // a fixed LCG: repeatable
    const double noise = static_cast<double>(state >> 40) / static_cast<double>(1 << 24);
    const auto requests =
        static_cast<std::uint64_t>(1000 + 400 * std::sin(i / 3600.0) + 100 * noise);
    series.push_back({{"t", static_cast<double>(i)},
                      {"users", 50.0},
                      {"requests", i == 50'000 ? 20'000 : requests},
                      {"failures", i % 7919 == 0 ? 30 : 0},
                      {"p50", 0.010 + 0.002 * noise},
                      {"p95", 0.020 + 0.004 * noise},
                      {"p99", i == 60'000 ? 2.5 : 0.040 + 0.008 * noise}});
  }
  result["series"] = std::move(series);
  result["totals"]["duration_seconds"] = 86'400.0;
  return result;
}

// Each display entry pair is the lowest and the highest value of its bucket of the full series.
void expect_buckets_hold_the_extremes(const json& data,
                                      const std::vector<std::optional<double>>& full,
                                      std::size_t bucket, const std::string& what) {
  std::size_t entry = 0;
  for (std::size_t first = 0; first < full.size(); first += bucket) {
    const std::size_t last = std::min(full.size(), first + bucket);
    std::optional<double> low, high;
    for (std::size_t i = first; i < last; ++i) {
      if (!full[i]) continue;
      low = low ? std::min(*low, *full[i]) : *full[i];
      high = high ? std::max(*high, *full[i]) : *full[i];
    }
    ASSERT_LT(entry, data.size()) << what;
    EXPECT_NEAR(data[entry++].get<double>(), *low, *low * 1e-12) << what << " bucket " << first;
    if (last - first > 1) {
      EXPECT_NEAR(data[entry++].get<double>(), *high, *high * 1e-12) << what << " bucket " << first;
    }
  }
  EXPECT_EQ(entry, data.size()) << what;
}

TEST(HtmlReport, ADayLongSoakStaysSmallAndOpensQuickly) {
  const json result = day_long(real_run().result);
  const std::string path = write_temp_file("", ".json");
  write_text(path, result.dump());
  const std::string html = artifact("day.html");
  const RunResult r = report({path, "--html", html});
  ASSERT_EQ(r.status.code, 0) << r.stderr_text;
  EXPECT_LT(fs::file_size(html), 5u * 1024 * 1024);
  double load_ms = 0;
  const json state = open_clean(html, artifact("day.png"), "", &load_ms);
  EXPECT_LT(load_ms, kMaxLoadMs);
  std::cout << "a day-long report: " << fs::file_size(html) << " bytes, opened in " << load_ms
            << " ms\n";
  const json& display = state.at("display").at(0).at("series");
  EXPECT_EQ(display["points"], 86'400);
  const std::size_t bucket = display["bucket_points"].get<std::size_t>();
  ASSERT_GT(bucket, 1u);
  const SeriesColumns c = columns_of(result["series"]);
  const json throughput = chart_data(state, "chart-throughput-0");
  EXPECT_LE(throughput[0].size(), 4000u);
  expect_buckets_hold_the_extremes(throughput[1], c.rps, bucket, "requests/s");
  expect_buckets_hold_the_extremes(throughput[2], c.fps, bucket, "failures/s");
  expect_buckets_hold_the_extremes(chart_data(state, "chart-latency-0")[3], c.p99, bucket, "p99");
  // The spikes survive the buckets.
  const json& rps = throughput[1];
  EXPECT_EQ(*std::max_element(rps.begin(), rps.end()), 20'000.0);
  // The tables still show the whole run's numbers.
  EXPECT_EQ(table(state, "request-table").back()[3],
            with_commas(result["totals"]["requests"].get<std::uint64_t>()));
}

}  // namespace
}  // namespace stampede::testing
