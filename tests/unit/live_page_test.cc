// The live web UI's page as a file: its configuration embedded so that no plan name can break
// out of it, the report's inline assets plus the live script, and a policy that allows
// connections to the runner alone. (The page in a browser: tests/integration/live_ui_test.cc.)
#include "report/live_page.h"

#include <gtest/gtest.h>

#include <regex>

#include "report/html_report.h"
#include "stats/result_json.h"
#include "unit/html_page_text.h"

namespace stampede {
namespace {

using nlohmann::json;

constexpr const char* kHostilePlan = "</script><b>x</b><!--";

json config(const std::string& plan = "checkout") {
  return {{"mode", "ui"},
          {"controls", true},
          {"token_required", false},
          {"model", "closed"},
          {"defaults", {{"users", 10}, {"spawn_rate", 2}}},
          {"plan", plan},
          {"events", "/v1/events"},
          {"report", "/v1/report.html"},
          {"csv", "/v1/stats.csv"}};
}

// The content of the page's Content-Security-Policy meta element.
std::string policy(const std::string& page) {
  std::smatch m;
  const std::regex meta(R"re(<meta http-equiv="Content-Security-Policy" content="([^"]*)">)re");
  return std::regex_search(page, m, meta) ? m[1].str() : "";
}

TEST(LivePage, EmbedsTheConfigWhereNoPlanNameCanCloseItsElement) {
  const json c = config(kHostilePlan);
  const std::string page = render_live_page(c);
  // Four script elements (the configuration, uPlot, the report's and the live script).
  EXPECT_EQ(count(page, "</script>"), 4u);
  EXPECT_EQ(page.find(kHostilePlan), std::string::npos);
  EXPECT_EQ(page.find("<b>x</b>"), std::string::npos);
  EXPECT_EQ(json::parse(element_text(page, "stampede-live")), c);
  // The title is text too.
  EXPECT_NE(page.find("<title>&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;&lt;!-- — Stampede live</title>"),
            std::string::npos);
  // No result is embedded: the events bring it.
  EXPECT_EQ(page.find("id=\"stampede-result\""), std::string::npos);
}

TEST(LivePage, MayConnectToItsRunnerOnly) {
  const std::string page = render_live_page(config());
  EXPECT_EQ(policy(page),
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "img-src data:; connect-src 'self'");
  // The report keeps its policy, which allows no connection at all.
  Result r;
  r.plan_name = "checkout";
  r.started_at = "2026-12-06T04:00:00Z";
  const std::string report = render_html_report(result_to_json(r));
  EXPECT_EQ(policy(report),
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "img-src data:");
  EXPECT_EQ(report.find("stampedeLive"), std::string::npos);
  EXPECT_EQ(report.find("live-empty"), std::string::npos);
}

TEST(LivePage, InlinesEverythingAndNamesNoOtherPlace) {
  const std::string page = render_live_page(config());
  EXPECT_EQ(page.find("{{"), std::string::npos) << "a placeholder was left unfilled";
  EXPECT_NE(page.find("var uPlot="), std::string::npos);
  EXPECT_NE(page.find("window.stampedeReport"), std::string::npos);
  EXPECT_NE(page.find("window.stampedeLive"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link rel=\"stylesheet\""), std::string::npos);
  // No absolute URL anywhere the browser would load from: the only http(s) URLs in the page
  // are uPlot's licence header and the SVG namespace uPlot draws in.
  const std::regex url(R"(https?://[^\s"'<>)]+)");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), url); it != std::sregex_iterator();
       ++it) {
    const std::string found = it->str();
    EXPECT_TRUE(found.rfind("https://github.com/leeoniya/uPlot", 0) == 0 ||
                found.rfind("http://www.w3.org/", 0) == 0)
        << found;
  }
}

TEST(LivePage, AnyConfigGivesAPage) {
  EXPECT_NO_THROW(render_live_page(json::object()));
  EXPECT_NO_THROW(render_live_page(json::array()));
  EXPECT_NO_THROW(render_live_page(json{{"plan", 3}}));
  json invalid_utf8 = config();
  invalid_utf8["plan"] = std::string("bad \xff name");
  const std::string page = render_live_page(invalid_utf8);
  EXPECT_FALSE(json::parse(element_text(page, "stampede-live")).is_discarded());
}

}  // namespace
}  // namespace stampede
