#include "report/html_report.h"

#include <optional>
#include <stdexcept>
#include <string_view>

#include "plan/version.h"
#include "report/html_assets.h"
#include "report/html_escape.h"
#include "report/latency_display.h"
#include "report/series_display.h"
#include "stats/result.h"

namespace stampede {

using nlohmann::json;

// What the charts draw, computed here from the full data (see series_display.h and
// latency_display.h); the page only draws it.
namespace {

json display_with_latency(const json& result, json series) {
  json display = {{"series", std::move(series)}};
  const std::optional<Histogram> latency = merged_latency(result);
  if (latency && !latency->empty()) {
    display["latency_distribution"] = latency_distribution(*latency);
    display["percentile_curve"] = percentile_curve(*latency);
  }
  return display;
}

}  // namespace

json report_display(const json& result) {
  return display_with_latency(result, display_series(result.value("series", json::array())));
}

json report_display(const json& result, const std::vector<TimeSeriesPoint>& series,
                    std::size_t max_buckets) {
  return display_with_latency(result, display_series(series, max_buckets));
}

namespace {

// The result as embedded: whole, except a series too long to draw point by point, which the
// display's buckets stand for (86,400 points would make a 24-hour report ten times larger).
json embedded_result(const json& result) {
  const auto series = result.find("series");
  if (series == result.end() || !series_is_downsampled(series->size())) return result;
  json copy = result;
  copy.erase("series");
  return copy;
}

// Two JSON elements per result; `suffix` tells the base ("") from the new one ("-new").
std::string data_elements(const json& result, std::string_view suffix) {
  std::string out;
  const auto element = [&](std::string_view id, const json& document) {
    out += "<script type=\"application/json\" id=\"" + std::string(id) + std::string(suffix) +
           "\">" + json_for_script(document) + "</script>\n";
  };
  element("stampede-result", embedded_result(result));
  element("stampede-display", report_display(result));
  return out;
}

std::string plan_name(const json& result) {
  const auto plan = result.find("plan");
  return plan != result.end() && plan->is_string() && !plan->get<std::string>().empty()
             ? plan->get<std::string>()
             : "result";
}

std::string page(const std::string& title, const std::string& data) {
  return render_report_page({.title = title, .data = data});
}

// A document that passed check_report_input can still hold wrong types deeper down (a series point
// without "t"); that is the same mistake, reported the same way.
template <class F>
std::string rendered(F&& render) {
  try {
    return render();
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed result: ") + e.what());
  }
}

}  // namespace

std::string render_report_page(const ReportPageParts& parts) {
  const auto inline_asset = [](std::string_view name) {
    return inline_element_text(html_report_asset(name));
  };
  return fill_template(html_report_asset("report.html"),
                       {{"TITLE", html_text(parts.title)},
                        {"GENERATOR", html_text(std::string("stampede ") + kVersion)},
                        {"CONNECT_SRC", parts.connect_src},
                        {"UPLOT_CSS", inline_asset("uPlot.min.css")},
                        {"REPORT_CSS", inline_asset("report.css")},
                        {"LIVE_HEAD", parts.head},
                        {"DATA", parts.data},
                        {"UPLOT_JS", inline_asset("uPlot.iife.min.js")},
                        {"REPORT_JS", inline_asset("report.js")},
                        {"LIVE_SCRIPT", parts.script}});
}

void check_report_input(const json& document, std::string_view name) {
  const auto fail = [&](const std::string& why) {
    throw std::invalid_argument(std::string(name) + ": " + why);
  };
  const std::string not_a_result = std::string("not a ") + kResultSchema + " document";
  if (!document.is_object()) fail(not_a_result);
  const auto schema = document.find("schema");
  if (schema == document.end() || !schema->is_string() || *schema != kResultSchema) {
    fail(not_a_result + " (no \"schema\": \"" + kResultSchema + "\")");
  }
  if (!document.contains("totals") || !document.at("totals").is_object()) fail("no \"totals\"");
  if (document.contains("series") && !document.at("series").is_array()) {
    fail("\"series\" is not a list");
  }
}

std::string render_html_report(const json& result) {
  check_report_input(result, "result");
  return rendered(
      [&] { return page(plan_name(result) + " — Stampede report", data_elements(result, "")); });
}

std::string render_html_compare(const json& base, const json& next) {
  check_report_input(base, "base");
  check_report_input(next, "new");
  return rendered([&] {
    return page(plan_name(base) + " vs " + plan_name(next) + " — Stampede report",
                data_elements(base, "") + data_elements(next, "-new"));
  });
}

}  // namespace stampede
