#include "report/junit_report.h"

#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <vector>

#include "report/format.h"
#include "report/threshold_text.h"
#include "report/xml_escape.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

using nlohmann::json;

struct TestCase {
  std::string classname;
  std::string name;
  std::optional<std::string> failure;  // the message, when it failed
  std::string type;                    // of the failure
  std::string details;                 // the failure's text, or system-out when it passed
};

TestCase threshold_case(const json& result, const json& threshold) {
  const ThresholdText t = threshold_text(result, threshold);
  TestCase c{"stampede.thresholds", t.metric + ": " + t.expression, std::nullopt, "threshold", ""};
  std::string details =
      fmt::format("metric {}\nexpression {}\nactual {}", t.metric, t.expression, t.actual);
  if (!t.bound.empty()) details += "\nbound " + t.bound;
  c.details = details;
  if (!t.ok) c.failure = fmt::format("{}: actual {}", t.expression, t.actual);
  return c;
}

TestCase check_case(const ResultRow& row, const CheckCounts& check) {
  const std::string label = row.key.scenario + " · " + row.key.name + " · " + check.name;
  TestCase c{"stampede.checks", label, std::nullopt, "check", ""};
  const std::uint64_t total = check.passes + check.fails;
  c.details = fmt::format("{} · {} {} · {}: {} passed, {} failed", row.key.scenario, row.key.method,
                          row.key.name, check.name, check.passes, check.fails);
  if (check.fails > 0) {
    const double rate = static_cast<double>(check.passes) / static_cast<double>(total);
    c.failure = fmt::format("{} of {} failed ({} passed)", check.fails, total, human_percent(rate));
  }
  return c;
}

std::vector<TestCase> test_cases(const json& doc, const Result& result) {
  std::vector<TestCase> cases;
  for (const json& threshold : doc.value("thresholds", json::array())) {
    cases.push_back(threshold_case(doc, threshold));
  }
  for (const ResultRow& row : result.rows) {
    for (const CheckCounts& check : row.stats.checks) cases.push_back(check_case(row, check));
  }
  return cases;
}

std::string case_xml(const TestCase& c) {
  std::string out = fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n",
                                xml_attribute(c.classname), xml_attribute(c.name));
  if (c.failure) {
    out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                       xml_attribute(*c.failure), xml_attribute(c.type), xml_text(c.details));
  } else {
    out += fmt::format("      <system-out>{}</system-out>\n", xml_text(c.details));
  }
  return out + "    </testcase>\n";
}

std::string property(std::string_view name, std::string_view value) {
  return fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_attribute(name),
                     xml_attribute(value));
}

std::string properties_xml(const Result& r) {
  const RequestStats totals = r.totals();
  std::string out = "    <properties>\n";
  out += property("testid", r.testid);
  out += property("runner", r.runner);
  out += property("started_at", r.started_at);
  out += property("requests", std::to_string(totals.requests));
  out += property("failures", std::to_string(totals.failures));
  if (!r.aborted_by.empty()) out += property("aborted_by", r.aborted_by);
  return out + "    </properties>\n";
}

// JUnit's timestamp is an ISO 8601 date and time without a zone (Jenkins' schema):
// "2026-12-06T03:00:00" of "2026-12-06T03:00:00.123Z".
std::string junit_timestamp(const std::string& rfc3339) {
  return rfc3339.size() >= 19 ? rfc3339.substr(0, 19) : rfc3339;
}

std::string document(const Result& r, const std::vector<TestCase>& cases) {
  std::size_t failures = 0;
  for (const TestCase& c : cases) failures += c.failure ? 1 : 0;
  const std::string name = r.plan_name.empty() ? "stampede" : r.plan_name;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"stampede\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">\n",
      cases.size(), failures, r.duration_seconds);
  out += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" "
      "time=\"{}\" timestamp=\"{}\">\n",
      xml_attribute(name), cases.size(), failures, r.duration_seconds,
      xml_attribute(junit_timestamp(r.started_at)));
  out += properties_xml(r);
  for (const TestCase& c : cases) out += case_xml(c);
  return out + "  </testsuite>\n</testsuites>\n";
}

}  // namespace

std::optional<std::string> junit_report(const json& doc, std::string* error) {
  std::optional<Result> result = result_from_json(doc, error);
  if (!result) return std::nullopt;
  try {
    return document(*result, test_cases(doc, *result));
  } catch (const json::exception& e) {
    *error = std::string("malformed result: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace stampede
