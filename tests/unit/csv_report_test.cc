// Locust-compatible CSV files from a fixed result: the exact text of each file (golden), rows of
// several scenarios merged by method and name, and CSV quoting as Python's csv module does it.
#include "report/csv_report.h"

#include <gtest/gtest.h>

#include "report/csv_format.h"
#include "report/csv_history.h"
#include "unit/ci_report_fixture.h"

namespace stampede::testing {
namespace {

constexpr const char* kStatsHeader =
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n";

constexpr const char* kHistoryHeader =
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,"
    "Total Request Count,Total Failure Count,Total Median Response Time,"
    "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
    "Total Average Content Size\r\n";

CsvReport report_of(const nlohmann::json& result, const RequestHistory* history = nullptr) {
  std::string error;
  auto report = csv_report(result, history, &error);
  EXPECT_TRUE(report.has_value()) << error;
  return report.value_or(CsvReport{});
}

TEST(CsvReport, StatsRowsSortedByNameWithTheAggregatedRowLast) {
  // GET /items/{id} of two scenarios is one row: latencies 1.0, 1.2, 1.5, 1.8, 2.0 µs.
  // The Aggregated row adds the 10 ms POST: p90 and above fall in its bucket (midpoint
  // 9.998335 ms), the maximum is exact.
  EXPECT_EQ(report_of(shop_json()).stats,
            std::string(kStatsHeader) +
                "GET,/items/{id},6,2,0.0015,0.0015,0.001,0.002,100.0,2.4,0.8,"
                "0.0015,0.0018,0.0018,0.0018,0.002,0.002,0.002,0.002,0.002,0.002,0.002\r\n"
                "POST,\"checkout, \"\"now\"\"\",1,0,10.0,10.0,10.0,10.0,50.0,0.4,0.0,"
                "10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0\r\n"
                "GET,idle,0,0,N/A,N/A,N/A,N/A,0,0.0,0.0,"
                "N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\r\n"
                ",Aggregated,7,2,0.0015,1.6679166666666667,0.001,10.0,92.85714285714286,2.8,0.8,"
                "0.0015,0.0018,0.002,0.002,9.998335,9.998335,9.998335,9.998335,9.998335,"
                "9.998335,10.0\r\n");
}

TEST(CsvReport, FailuresByMethodNameAndErrorCategory) {
  EXPECT_EQ(report_of(shop_json()).failures,
            "Method,Name,Error,Occurrences\r\n"
            "GET,/items/{id},connect_refused,1\r\n"
            "GET,/items/{id},unexpected_status,1\r\n");
}

TEST(CsvReport, ExceptionsHoldTheHeaderOnly) {
  EXPECT_EQ(report_of(shop_json()).exceptions, "Count,Message,Traceback,Nodes\r\n");
}

TEST(CsvReport, HistoryFromTheSeriesHasWhatTheSeriesKeeps) {
  // started_at 03:00:00.250Z is Unix 1796526000.25; the last second is half a second long.
  EXPECT_EQ(report_of(shop_json()).stats_history,
            std::string(kHistoryHeader) +
                "1796526001,2,,Aggregated,4.000000,1.000000,"
                "1.5,N/A,N/A,N/A,N/A,2.0,N/A,2.0,N/A,N/A,N/A,4,1,N/A,N/A,N/A,N/A,N/A\r\n"
                "1796526002,3,,Aggregated,3.000000,1.000000,"
                "1.8,N/A,N/A,N/A,N/A,10.0,N/A,10.0,N/A,N/A,N/A,7,2,N/A,N/A,N/A,N/A,N/A\r\n"
                "1796526002,3,,Aggregated,0.000000,0.000000,"
                "N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,7,2,N/A,N/A,N/A,N/A,N/A\r\n");
}

RequestStats second_of(std::uint64_t requests, std::uint64_t failures, std::uint64_t bytes,
                       std::initializer_list<std::uint64_t> latencies_ns) {
  RequestStats s = fixture_row({}, requests, bytes, latencies_ns).stats;
  s.failures = failures;
  return s;
}

// Two seconds of the fixture's four rows; the run ended at 1.5 s.
RequestHistory two_seconds() {
  std::vector<StatsKey> keys;
  for (const ResultRow& row : shop_result().rows) keys.push_back(row.key);
  RequestHistory history(keys);
  history.add_second(1, 2, {second_of(2, 1, 200, {1000}), second_of(1, 0, 100, {1200}), {}, {}});
  history.add_second(2, 3,
                     {second_of(1, 0, 100, {2000}), {}, second_of(1, 0, 50, {10'000'000}), {}});
  history.finish(1.5);
  return history;
}

TEST(CsvReport, FullHistoryHasEveryNameEverySecondThenTheAggregatedRow) {
  const RequestHistory history = two_seconds();
  const std::string none = "N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A";
  EXPECT_EQ(report_of(shop_json(), &history).stats_history,
            std::string(kHistoryHeader) +
                // second 1: only GET /items/{id} ran (1.0 and 1.2 µs, one refused connection)
                "1796526001,2,GET,/items/{id},3.000000,1.000000,0.001,0.0012,0.0012,0.0012,0.0012,"
                "0.0012,0.0012,0.0012,0.0012,0.0012,0.0012,3,1,0.001,0.0011,0.001,0.0012,100.0\r\n"
                "1796526001,2,POST,\"checkout, \"\"now\"\"\",0.000000,0.000000," +
                none +
                ",0,0,N/A,N/A,N/A,N/A,0\r\n"
                "1796526001,2,GET,idle,0.000000,0.000000," +
                none +
                ",0,0,N/A,N/A,N/A,N/A,0\r\n"
                "1796526001,2,,Aggregated,3.000000,1.000000,0.001,0.0012,0.0012,0.0012,0.0012,"
                "0.0012,0.0012,0.0012,0.0012,0.0012,0.0012,3,1,0.001,0.0011,0.001,0.0012,100.0\r\n"
                // second 2 lasted half a second: one request is 2 per second
                "1796526001,3,GET,/items/{id},2.000000,0.000000,0.002,0.002,0.002,0.002,0.002,"
                "0.002,0.002,0.002,0.002,0.002,0.002,4,1,0.0012,0.0014,0.001,0.002,100.0\r\n"
                "1796526001,3,POST,\"checkout, \"\"now\"\"\",2.000000,0.000000,10.0,10.0,10.0,10.0,"
                "10.0,10.0,10.0,10.0,10.0,10.0,10.0,1,0,10.0,10.0,10.0,10.0,50.0\r\n"
                "1796526001,3,GET,idle,0.000000,0.000000," +
                none +
                ",0,0,N/A,N/A,N/A,N/A,0\r\n"
                "1796526001,3,,Aggregated,4.000000,0.000000,0.002,9.998335,9.998335,9.998335,"
                "9.998335,9.998335,9.998335,9.998335,9.998335,9.998335,10.0,"
                "5,1,0.0012,2.50105,0.001,10.0,90.0\r\n");
}

TEST(CsvReport, PathsFollowLocustsNames) {
  const auto paths = csv_report_paths("out/run");
  EXPECT_EQ(paths[0], "out/run_stats.csv");
  EXPECT_EQ(paths[1], "out/run_stats_history.csv");
  EXPECT_EQ(paths[2], "out/run_failures.csv");
  EXPECT_EQ(paths[3], "out/run_exceptions.csv");
}

TEST(CsvReport, RefusesWhatIsNotAResult) {
  std::string error;
  EXPECT_FALSE(csv_report(nlohmann::json{{"schema", "other"}}, nullptr, &error));
  EXPECT_NE(error.find("stampede.result/v1"), std::string::npos) << error;
  nlohmann::json no_start = shop_json();
  no_start["started_at"] = "yesterday";
  error.clear();
  EXPECT_FALSE(csv_report(no_start, nullptr, &error));
  EXPECT_NE(error.find("started_at"), std::string::npos) << error;
}

TEST(CsvFormat, QuotesLikePythonsCsvWriter) {
  EXPECT_EQ(csv_line({"a", "b c", ""}), "a,b c,\r\n");
  EXPECT_EQ(csv_line({"a,b", "say \"hi\"", "two\nlines", "cr\r"}),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n");
}

TEST(CsvFormat, FloatsAsPythonsRepr) {
  EXPECT_EQ(python_float(11), "11.0");
  EXPECT_EQ(python_float(0), "0.0");
  EXPECT_EQ(python_float(3.5922520935549573), "3.5922520935549573");
  EXPECT_EQ(python_float(1e-05), "1e-05");
  EXPECT_EQ(python_float(650.0 / 7), "92.85714285714286");
  EXPECT_EQ(csv_milliseconds(2'500'000), "2.5");
  EXPECT_EQ(csv_fixed(116), "116.000000");
  EXPECT_EQ(csv_fixed(2.0 / 3), "0.666667");
}

}  // namespace
}  // namespace stampede::testing
