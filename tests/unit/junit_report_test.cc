// The JUnit XML report of a fixed result (golden), and the escaping that keeps it well-formed
// whatever a plan names things. (The integration test parses a real run's report with Python.)
#include "report/junit_report.h"

#include <gtest/gtest.h>

#include "report/xml_escape.h"
#include "unit/ci_report_fixture.h"

namespace stampede::testing {
namespace {

TEST(JunitReport, ThresholdsAndChecksAreTestCases) {
  std::string error;
  const auto xml = junit_report(shop_json(), &error);
  ASSERT_TRUE(xml) << error;
  EXPECT_EQ(*xml,
            R"xml(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="stampede" tests="5" failures="2" errors="0" time="2.5">
  <testsuite name="shop" tests="5" failures="2" errors="0" skipped="0" time="2.5" timestamp="2026-12-06T03:00:00">
    <properties>
      <property name="testid" value="shop-1"/>
      <property name="runner" value="0/1"/>
      <property name="started_at" value="2026-12-06T03:00:00.250Z"/>
      <property name="requests" value="7"/>
      <property name="failures" value="2"/>
    </properties>
    <testcase classname="stampede.thresholds" name="http_req_duration{scenario:buy}: p(95) &lt; 2ms" time="0">
      <failure message="p(95) &lt; 2ms: actual 2.50ms" type="threshold">metric http_req_duration{scenario:buy}
expression p(95) &lt; 2ms
actual 2.50ms</failure>
    </testcase>
    <testcase classname="stampede.thresholds" name="http_req_failed: rate &lt; 0.5" time="0">
      <system-out>metric http_req_failed
expression rate &lt; 0.5
actual 0.285714</system-out>
    </testcase>
    <testcase classname="stampede.thresholds" name="checks{check:has id}: rate &gt; 0.9" time="0">
      <system-out>metric checks{check:has id}
expression rate &gt; 0.9
actual no data</system-out>
    </testcase>
    <testcase classname="stampede.checks" name="browse · /items/{id} · status is 200" time="0">
      <system-out>browse · GET /items/{id} · status is 200: 3 passed, 0 failed</system-out>
    </testcase>
    <testcase classname="stampede.checks" name="buy · /items/{id} · has id" time="0">
      <failure message="1 of 2 failed (50.00% passed)" type="check">buy · GET /items/{id} · has id: 1 passed, 1 failed</failure>
    </testcase>
  </testsuite>
</testsuites>
)xml");
}

TEST(JunitReport, HostileNamesAreEscaped) {
  Result r = shop_result();
  r.plan_name = "a\"b'<c>&\td";
  r.rows[0].stats.checks = {{"x]]>y\x01z\xff", 0, 1}};
  std::string error;
  const auto xml = junit_report(result_to_json(r), &error);
  ASSERT_TRUE(xml) << error;
  EXPECT_NE(xml->find("<testsuite name=\"a&quot;b&apos;&lt;c&gt;&amp;&#9;d\""), std::string::npos)
      << *xml;
  EXPECT_NE(xml->find("x]]&gt;y\xEF\xBF\xBDz\xEF\xBF\xBD"), std::string::npos) << *xml;
}

TEST(JunitReport, RefusesWhatIsNotAResult) {
  std::string error;
  EXPECT_FALSE(junit_report(nlohmann::json::array(), &error));
  EXPECT_FALSE(error.empty());
}

TEST(XmlEscape, MarkupBecomesReferences) {
  EXPECT_EQ(xml_text("a<b>&c\"'"), "a&lt;b&gt;&amp;c\"'");
  EXPECT_EQ(xml_attribute("a<b>&c\"'\t\n\r"), "a&lt;b&gt;&amp;c&quot;&apos;&#9;&#10;&#13;");
  EXPECT_EQ(xml_text("tab\tand\nline"), "tab\tand\nline");
}

TEST(XmlEscape, WhatXmlCannotHoldBecomesTheReplacementCharacter) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(xml_text(std::string("a\0b", 3)), "a" + r + "b");
  EXPECT_EQ(xml_text("\x1b[0m"), r + "[0m");
  EXPECT_EQ(xml_text("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
            "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(xml_text("\xC0\xAF"), r + r);          // an overlong '/'
  EXPECT_EQ(xml_text("\xED\xA0\x80"), r + r + r);  // a surrogate
  EXPECT_EQ(xml_text("\xE2\x82"), r + r);          // cut short
  EXPECT_EQ(xml_text("\xEF\xBF\xBE"), r);          // U+FFFE
}

}  // namespace
}  // namespace stampede::testing
