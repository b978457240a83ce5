// The HTML report as a file: one page with everything inline, the result embedded so that no
// request name can break out of it, and long series kept small. (The page's drawing is tested
// in a real browser: tests/integration/html_report_test.cc.)
#include "report/html_report.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "report/html_assets.h"
#include "stats/result_json.h"
#include "unit/html_page_text.h"

namespace stampede {
namespace {

using nlohmann::json;

constexpr const char* kHostileName = "</script><script>alert('x')</script><!--";

json sample_result(int series_points = 3) {
  Result r;
  r.plan_name = "checkout <smoke>";
  r.runner = "0/1";
  r.started_at = "2026-12-06T04:00:00Z";
  r.duration_seconds = series_points;
  ResultRow& row = r.rows.emplace_back();
  row.key = {"s", kHostileName, "GET"};
  row.stats.requests = 10;
  row.stats.statuses.add(200, 10);
  for (int i = 1; i <= 10; ++i)
    row.stats.latency.record_ns(static_cast<std::uint64_t>(i) * 1'000'000);
  for (int i = 1; i <= series_points; ++i) {
    r.series.push_back({static_cast<double>(i), 5, 10, 0, 0.001, 0.002, 0.003});
  }
  r.meta.target = "http://127.0.0.1:8080";
  return result_to_json(r);
}

TEST(HtmlReport, EmbedsTheResultWhereNoNameCanCloseItsElement) {
  const json result = sample_result();
  const std::string page = render_html_report(result);
  // Four script elements (result, display, uPlot, the page's script) and no other closing tag.
  EXPECT_EQ(count(page, "</script>"), 4u);
  EXPECT_EQ(page.find(kHostileName), std::string::npos);
  EXPECT_EQ(json::parse(element_text(page, "stampede-result")), result);
  const json display = json::parse(element_text(page, "stampede-display"));
  EXPECT_EQ(display["series"]["points"], 3);
  EXPECT_EQ(display["percentile_curve"]["nines"].front(), 0.0);
}

TEST(HtmlReport, InlinesEveryAssetAndFetchesNothing) {
  const std::string page = render_html_report(sample_result());
  EXPECT_EQ(page.find("{{"), std::string::npos) << "a placeholder was left unfilled";
  EXPECT_NE(page.find("var uPlot="), std::string::npos);
  EXPECT_NE(page.find("window.stampedeReport"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);  // the page's CSP forbids fetches
  EXPECT_NE(page.find("<title>checkout &lt;smoke&gt; — Stampede report</title>"),
            std::string::npos);
}

TEST(HtmlReport, AssetsAreTheVendoredFiles) {
  EXPECT_EQ(html_report_asset("uPlot.iife.min.js").substr(0, 42),
            "/*! https://github.com/leeoniya/uPlot (v1.");
  EXPECT_EQ(html_report_asset("report.html").substr(0, 15), "<!DOCTYPE html>");
  EXPECT_THROW(html_report_asset("missing.js"), std::out_of_range);
}

TEST(HtmlReport, ADayLongSeriesStaysSmall) {
  const json result = sample_result(86'400);
  const std::string page = render_html_report(result);
  EXPECT_LT(page.size(), 5u * 1024 * 1024);
  const json embedded = json::parse(element_text(page, "stampede-result"));
  EXPECT_FALSE(embedded.contains("series"));  // drawn from the display's buckets instead
  EXPECT_EQ(embedded["requests"], result["requests"]);
  const json display = json::parse(element_text(page, "stampede-display"));
  EXPECT_EQ(display["series"]["points"], 86'400);
  EXPECT_LE(display["series"]["t"].size(), 2 * 2000u);
}

TEST(HtmlReport, CompareEmbedsBothResults) {
  json next = sample_result();
  next["plan"] = "checkout v2";
  const std::string page = render_html_compare(sample_result(), next);
  EXPECT_EQ(json::parse(element_text(page, "stampede-result")), sample_result());
  EXPECT_EQ(json::parse(element_text(page, "stampede-result-new")), next);
  EXPECT_FALSE(element_text(page, "stampede-display-new").empty());
  EXPECT_EQ(count(page, "</script>"), 6u);
}

TEST(HtmlReport, RejectsWhatIsNotAResult) {
  EXPECT_THROW(render_html_report(json::array()), std::invalid_argument);
  EXPECT_THROW(render_html_report(json{{"schema", "other/v1"}, {"totals", json::object()}}),
               std::invalid_argument);
  EXPECT_THROW(render_html_report(json{{"schema", kResultSchema}}), std::invalid_argument);
  json bad_series = sample_result();
  bad_series["series"] = json::array({json{{"users", 1}}});  // a point without t
  EXPECT_THROW(render_html_report(bad_series), std::invalid_argument);
  try {
    check_report_input(json{{"schema", 3}}, "old.json");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("old.json: not a stampede.result/v1 document", 0), 0u)
        << e.what();
  }
  json next = sample_result();
  next.erase("totals");
  try {
    render_html_compare(sample_result(), next);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "new: no \"totals\"");
  }
}

TEST(HtmlReport, ToleratesAResultWithoutHistograms) {
  json result = sample_result();
  for (json& row : result["requests"]) row.erase("histograms");  // as the operator trims it
  const std::string page = render_html_report(result);
  const json display = json::parse(element_text(page, "stampede-display"));
  EXPECT_FALSE(display.contains("percentile_curve"));
  EXPECT_TRUE(display.contains("series"));
}

}  // namespace
}  // namespace stampede
