// `stampede run --csv` against the bundled target and a real Locust (Debian's python3-locust)
// with --csv against the same target: the same headers in all four files, the same row shapes
// (one row per request name in the same order, the Aggregated row last), and our counts equal
// to what the target itself counted. The same run's JUnit report is parsed with Python's XML
// parser and its Markdown summary read back.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using Row = std::vector<std::string>;
using Table = std::vector<Row>;

// RFC 4180 as Python's csv module writes it: quoted fields with doubled quotes, CRLF endings.
Table parse_csv(const std::string& text) {
  Table table;
  Row row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      table.push_back(std::move(row));
      row.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  return table;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Table read_csv(const std::string& path) {
  return parse_csv(read_text(path));
}

// The four files of one prefix, parsed.
struct CsvFiles {
  Table stats, history, failures, exceptions;
};

CsvFiles read_files(const std::string& prefix) {
  return {read_csv(prefix + "_stats.csv"), read_csv(prefix + "_stats_history.csv"),
          read_csv(prefix + "_failures.csv"), read_csv(prefix + "_exceptions.csv")};
}

std::string temp_prefix(const std::string& name) {
  const std::string dir = write_temp_file("", ".d");
  std::filesystem::remove(dir);
  std::filesystem::create_directory(dir);
  return dir + "/" + name;
}

// Type and Name of each data row.
std::vector<std::pair<std::string, std::string>> row_keys(const Table& t) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (std::size_t i = 1; i < t.size(); ++i) keys.emplace_back(t[i].at(0), t[i].at(1));
  return keys;
}

const Row& row_named(const Table& t, const std::string& name) {
  for (const Row& r : t) {
    if (r.size() > 1 && r[1] == name) return r;
  }
  static const Row kNone(30);
  ADD_FAILURE() << "no row " << name;
  return kNone;
}

constexpr const char* kPlan = R"(
load: {users: 4, duration: 2s}
thresholds:
  http_req_failed: ["rate < 0.5"]
  http_req_duration: ["max < 1us"]
scenarios:
  - name: mix
    tasks:
      - {name: root, weight: 3, steps: [{get: /, name: root, checks: [{status: 200}]}]}
      - {name: bytes, steps: [{get: /bytes/2048, name: bytes}]}
      - {name: echo, steps: [{post: /echo, body: "hello", name: echo}]}
      - {name: fail, steps: [{get: /status/503, name: "503"}]}
)";

// The same four requests under the same names, for Locust.
constexpr const char* kLocustfile = R"(
from locust import HttpUser, task, constant

class Mix(HttpUser):
    wait_time = constant(0.01)

    @task(3)
    def root(self):
        self.client.get("/", name="root")

    @task
    def bytes(self):
        self.client.get("/bytes/2048", name="bytes")

    @task
    def echo(self):
        self.client.post("/echo", data="hello", name="echo")

    @task
    def fail(self):
        self.client.get("/status/503", name="503")
)";

StampedeRun run_ours(const TargetProcess& target, std::vector<std::string> args) {
  return run_stampede("run", "target: " + target.url() + kPlan, std::move(args));
}

CsvFiles run_locust(const TargetProcess& target) {
  const std::string prefix = temp_prefix("locust");
  const std::string locustfile = write_temp_file(kLocustfile, ".py");
  const RunResult r = run_process(
      {"/usr/bin/python3", "/usr/bin/locust", "-f", locustfile, "--headless", "-u", "4", "-r", "4",
       "-t", "3s", "-H", target.url(), "--csv", prefix, "--csv-full-history", "--only-summary"},
      std::chrono::seconds(60));
  // Locust exits 1 when a request failed (the 503s).
  EXPECT_TRUE(r.status.code == 0 || r.status.code == 1)
      << r.status.to_string() << "\n"
      << r.stderr_text << " (python3-locust missing?)";
  return read_files(prefix);
}

std::uint64_t count(const Row& row) {
  return std::stoull(row.at(2));
}

// One Locust run for the suite (ctest runs each case in its own process: only the cases that
// compare with Locust pay for it).
class CsvAgainstLocust : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    target_ = new TargetProcess(STAMPEDE_TARGET_BIN);
    locust_ = new CsvFiles(run_locust(*target_));
  }
  static void TearDownTestSuite() {
    delete locust_;
    delete target_;
  }
  static TargetProcess* target_;
  static CsvFiles* locust_;
};

TargetProcess* CsvAgainstLocust::target_ = nullptr;
CsvFiles* CsvAgainstLocust::locust_ = nullptr;

void expect_same_shape(const Table& ours, const Table& theirs, const std::string& file) {
  ASSERT_FALSE(ours.empty()) << file;
  ASSERT_FALSE(theirs.empty()) << file;
  EXPECT_EQ(ours[0], theirs[0]) << file << ": the headers differ";
  for (const Row& row : ours) EXPECT_EQ(row.size(), theirs[0].size()) << file;
  for (const Row& row : theirs) EXPECT_EQ(row.size(), theirs[0].size()) << file;
}

TEST_F(CsvAgainstLocust, StatsAndFailuresHaveLocustsShapeAndTheTargetsCounts) {
  target_->post("/__reset");
  const std::string prefix = temp_prefix("ours");
  const StampedeRun run = run_ours(*target_, {"--csv", prefix});
  ASSERT_EQ(run.exit_code, 99) << run.describe();  // "max < 1us" fails
  const auto stats = nlohmann::json::parse(target_->get("/__stats").body);
  const CsvFiles ours = read_files(prefix);

  expect_same_shape(ours.stats, locust_->stats, "stats.csv");
  // The same rows in the same order (by name, then method), the Aggregated row last.
  EXPECT_EQ(row_keys(ours.stats), row_keys(locust_->stats));
  ASSERT_EQ(ours.stats.size(), 6u);
  EXPECT_EQ(ours.stats.back()[0], "");
  EXPECT_EQ(ours.stats.back()[1], "Aggregated");
  EXPECT_EQ(count(row_named(ours.stats, "root")), stats["by_path"]["/"].get<std::uint64_t>());
  EXPECT_EQ(count(row_named(ours.stats, "bytes")),
            stats["by_path"]["/bytes/2048"].get<std::uint64_t>());
  EXPECT_EQ(count(row_named(ours.stats, "echo")), stats["by_path"]["/echo"].get<std::uint64_t>());
  const std::uint64_t failed = stats["by_path"]["/status/503"].get<std::uint64_t>();
  EXPECT_EQ(count(row_named(ours.stats, "503")), failed);
  EXPECT_EQ(row_named(ours.stats, "503").at(3), std::to_string(failed));
  EXPECT_EQ(count(ours.stats.back()), stats["requests"].get<std::uint64_t>());
  EXPECT_GT(failed, 0u);

  expect_same_shape(ours.failures, locust_->failures, "failures.csv");
  ASSERT_EQ(ours.failures.size(), 2u);
  EXPECT_EQ(row_keys(ours.failures), row_keys(locust_->failures));
  EXPECT_EQ(ours.failures[1], (Row{"GET", "503", "unexpected_status", std::to_string(failed)}));

  expect_same_shape(ours.exceptions, locust_->exceptions, "exceptions.csv");
  EXPECT_EQ(ours.exceptions.size(), 1u);

  // Without --csv-full-history: Locust's aggregated row once a second, from the series.
  expect_same_shape(ours.history, locust_->history, "stats_history.csv");
  // Every row Aggregated; the running totals never fall and end at the target's count.
  ASSERT_GE(ours.history.size(), 3u);
  for (std::size_t i = 1; i < ours.history.size(); ++i) {
    EXPECT_EQ(ours.history[i][2], "");
    EXPECT_EQ(ours.history[i][3], "Aggregated");
    if (i > 1) {
      EXPECT_GE(std::stoull(ours.history[i][17]), std::stoull(ours.history[i - 1][17]));
    }
  }
  EXPECT_EQ(ours.history.back()[17], std::to_string(stats["requests"].get<std::uint64_t>()));
}

TEST_F(CsvAgainstLocust, FullHistoryHasEveryNameEverySecondWithExactTotals) {
  target_->post("/__reset");
  const std::string prefix = temp_prefix("full");
  const StampedeRun run = run_ours(*target_, {"--csv", prefix, "--csv-full-history"});
  ASSERT_EQ(run.exit_code, 99) << run.describe();
  const auto stats = nlohmann::json::parse(target_->get("/__stats").body);
  const CsvFiles ours = read_files(prefix);
  expect_same_shape(ours.history, locust_->history, "stats_history.csv");
  // Type and Name as in Locust's files. Its history of a run this short holds only its first
  // row (Locust flushes the history every 10 s and the rest is lost at exit), so the names are
  // those of its stats.csv, which has every entry and the Aggregated row.
  std::vector<std::pair<std::string, std::string>> keys;
  for (const Row& row : std::vector<Row>(ours.history.begin() + 1, ours.history.end())) {
    keys.emplace_back(row.at(2), row.at(3));
  }
  const auto theirs = row_keys(locust_->stats);
  EXPECT_EQ(std::set(keys.begin(), keys.end()), std::set(theirs.begin(), theirs.end()));
  // Each second: the four names in Locust's order, then Aggregated, whose totals add up.
  ASSERT_EQ((ours.history.size() - 1) % 5, 0u);
  for (std::size_t i = 1; i < ours.history.size(); i += 5) {
    std::uint64_t sum = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      EXPECT_EQ(ours.history[i + k][3], ours.stats[k + 1][1]);
      sum += std::stoull(ours.history[i + k][17]);
    }
    EXPECT_EQ(ours.history[i + 4][3], "Aggregated");
    EXPECT_EQ(std::stoull(ours.history[i + 4][17]), sum);
  }
  // The last second's totals are the run's, as the target counted them.
  const std::size_t last = ours.history.size() - 5;
  EXPECT_EQ(std::stoull(ours.history[last + 4][17]), stats["requests"].get<std::uint64_t>());
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(ours.history[last + k][17], ours.stats[k + 1][2]) << ours.stats[k + 1][1];
    EXPECT_EQ(ours.history[last + k][18], ours.stats[k + 1][3]) << ours.stats[k + 1][1];
  }
}

TEST(CiReports, JunitParsesWithPythonAndTheSummaryIsWritten) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string junit = write_temp_file("", ".xml");
  const std::string summary = write_temp_file("", ".md");
  const StampedeRun run = run_ours(target, {"--junit", junit, "--summary-md", summary});
  ASSERT_EQ(run.exit_code, 99) << run.describe();
  // Python's own XML parser: the counts it reads are the thresholds' and checks' verdicts.
  const RunResult parsed = run_process(
      {"/usr/bin/python3", "-c",
       "import sys, xml.etree.ElementTree as ET\n"
       "suite = ET.parse(sys.argv[1]).getroot().find('testsuite')\n"
       "cases = suite.findall('testcase')\n"
       "failed = [c.get('name') for c in cases if c.find('failure') is not None]\n"
       "print(suite.get('tests'), suite.get('failures'), len(cases), '|'.join(failed))\n",
       junit},
      std::chrono::seconds(30));
  ASSERT_EQ(parsed.status.code, 0) << parsed.stderr_text;
  // Two thresholds and one check; "max < 1us" fails, the check passes.
  EXPECT_EQ(parsed.stdout_text, "3 1 3 http_req_duration: max < 1us\n");
  const std::string md = read_text(summary);
  EXPECT_TRUE(md.starts_with("## ❌ Stampede")) << md;
  EXPECT_NE(md.find("| ❌ FAIL | http\\_req\\_duration | max \\< 1us |"), std::string::npos) << md;
  EXPECT_NE(md.find("| ✅ | mix · root | status is 200 |"), std::string::npos) << md;
}

TEST(CiReports, ReportOfTheSavedResultWritesTheSameFiles) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string run_prefix = temp_prefix("run");
  const std::string run_junit = write_temp_file("", ".xml");
  const std::string run_md = write_temp_file("", ".md");
  const StampedeRun run =
      run_ours(target, {"--csv", run_prefix, "--junit", run_junit, "--summary-md", run_md});
  ASSERT_EQ(run.exit_code, 99) << run.describe();
  const std::string saved = write_temp_file(run.result.dump(), ".json");
  const std::string prefix = temp_prefix("report");
  const std::string junit = write_temp_file("", ".xml");
  const std::string md = write_temp_file("", ".md");
  const RunResult report = run_process(
      {STAMPEDE_BIN, "report", saved, "--csv", prefix, "--junit", junit, "--summary-md", md},
      std::chrono::seconds(30));
  ASSERT_EQ(report.status.code, 0) << report.stderr_text;
  for (const char* file :
       {"_stats.csv", "_stats_history.csv", "_failures.csv", "_exceptions.csv"}) {
    EXPECT_EQ(read_text(prefix + file), read_text(run_prefix + file)) << file;
  }
  EXPECT_EQ(read_text(junit), read_text(run_junit));
  EXPECT_EQ(read_text(md), read_text(run_md));
}

TEST(CsvOptions, ReportRefusesWhatIsNotAResult) {
  const std::string saved = write_temp_file(R"({"schema": "something else"})", ".json");
  const RunResult report =
      run_process({STAMPEDE_BIN, "report", saved, "--junit", write_temp_file("", ".xml")},
                  std::chrono::seconds(30));
  EXPECT_EQ(report.status.code, 2) << report.stderr_text;
  EXPECT_NE(report.stderr_text.find(saved + " is not a result"), std::string::npos)
      << report.stderr_text;
}

TEST(CsvOptions, FullHistoryWithoutCsvIsAUsageError) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const StampedeRun run = run_ours(target, {"--csv-full-history"});
  EXPECT_EQ(run.exit_code, 2) << run.describe();
  EXPECT_NE(run.err.find("--csv-full-history needs --csv"), std::string::npos) << run.err;
}

TEST(CsvOptions, AnUnwritablePrefixFailsBeforeTheRun) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const StampedeRun run = run_ours(target, {"--csv", "/nonexistent-dir/x"});
  EXPECT_EQ(run.exit_code, 1) << run.describe();
  EXPECT_NE(run.err.find("/nonexistent-dir/x_stats.csv"), std::string::npos) << run.err;
  const auto stats = nlohmann::json::parse(target.get("/__stats").body);
  EXPECT_EQ(stats["requests"], 0);
}

}  // namespace
}  // namespace stampede::testing
