// The Markdown summary of a fixed result (golden), and cell escaping.
#include "report/markdown_summary.h"

#include <gtest/gtest.h>

#include "unit/ci_report_fixture.h"

namespace stampede::testing {
namespace {

// The fixture with millisecond latencies, which the summary shows to three digits.
Result in_milliseconds() {
  Result r = shop_result();
  const std::initializer_list<std::uint64_t> latencies[] = {
      {1'000'000, 2'000'000, 3'000'000}, {4'000'000, 5'000'000}, {10'000'000}, {}};
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    r.rows[i].stats.latency = Histogram();
    for (const std::uint64_t ns : latencies[i]) r.rows[i].stats.latency.record_ns(ns);
  }
  return r;
}

TEST(MarkdownSummary, VerdictTotalsRequestsThresholdsAndChecks) {
  std::string error;
  const auto md = markdown_summary(result_to_json(in_milliseconds()), &error);
  ASSERT_TRUE(md) << error;
  EXPECT_EQ(*md, R"md(## ❌ Stampede shop: 1 of 3 thresholds failed

Test shop-1 · runner 0/1 · started 2026-12-06T03:00:00.250Z · 2.50s

| requests | failures | rps | iterations | dropped | p50 | p95 | p99 | max |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| 7 | 2 (28.57%) | 2.80 | 0 | 0 | 3.00ms | 10.00ms | 10.00ms | 10.0ms |

### Requests

| scenario | name | method | requests | failures | rps | p50 | p95 | p99 | max |
|---|---|---|---:|---:|---:|---:|---:|---:|---:|
| browse | /items/{id} | GET | 4 | 1 | 1.60 | 2.00ms | 3.00ms | 3.00ms | 3.00ms |
| buy | /items/{id} | GET | 2 | 1 | 0.80 | 4.00ms | 5.00ms | 5.00ms | 5.00ms |
| buy | checkout, "now" | POST | 1 | 0 | 0.40 | 10.0ms | 10.0ms | 10.0ms | 10.0ms |
| browse | idle | GET | 0 | 0 | 0.00 | - | - | - | - |

### Thresholds

|  | metric | condition | actual |
|---|---|---|---:|
| ❌ FAIL | http\_req\_duration{scenario:buy} | p(95) \< 2ms | 2.50ms |
| ✅ PASS | http\_req\_failed | rate \< 0.5 | 0.285714 |
| ✅ PASS | checks{check:has id} | rate \> 0.9 | no data |

### Checks

|  | request | check | passes | fails | pass rate |
|---|---|---|---:|---:|---:|
| ✅ | browse · /items/{id} | status is 200 | 3 | 0 | 100.00% |
| ❌ | buy · /items/{id} | has id | 1 | 1 | 50.00% |
)md");
}

TEST(MarkdownSummary, PassingRunWithoutChecks) {
  Result r = in_milliseconds();
  r.thresholds = {{"http_req_failed", "rate < 0.5", 2.0 / 7, false, true}};
  for (ResultRow& row : r.rows) row.stats.checks.clear();
  std::string error;
  const auto md = markdown_summary(result_to_json(r), &error);
  ASSERT_TRUE(md) << error;
  EXPECT_TRUE(md->starts_with("## ✅ Stampede shop: 1 of 1 thresholds passed\n")) << *md;
  EXPECT_EQ(md->find("### Checks"), std::string::npos) << *md;
}

TEST(MarkdownSummary, CellsKeepTheirTextAndTheTable) {
  Result r = in_milliseconds();
  r.rows[0].key.name = "a|b <script> *x* `y`\nz & [l](u)";
  r.thresholds.clear();
  r.aborted_by = "abortOnFail: p(99) < 1s";
  std::string error;
  const auto md = markdown_summary(result_to_json(r), &error);
  ASSERT_TRUE(md) << error;
  EXPECT_TRUE(
      md->starts_with("## Stampede shop: completed (no thresholds)\n\n"
                      "**Stopped early:** abortOnFail: p(99) \\< 1s\n"))
      << *md;
  EXPECT_NE(md->find("| browse | a\\|b \\<script\\> \\*x\\* \\`y\\` z &amp; \\[l\\](u) | GET |"),
            std::string::npos)
      << *md;
}

}  // namespace
}  // namespace stampede::testing
