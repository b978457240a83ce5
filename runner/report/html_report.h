#pragma once
// The self-contained HTML report (`stampede run --html`, `stampede report`): one file holding
// the page, its script and style, uPlot, and the result documents, so it opens from an email
// attachment or a CI artifact with no network access at all. See runner/report/html/.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "stats/result.h"

namespace stampede {

// Throws std::invalid_argument, "<name>: <what is wrong>", unless `document` is a result the
// report can draw: schema stampede.result/v1 with its totals. Every other key is optional to the
// page (older results, or a merged result whose histograms were dropped for size).
void check_report_input(const nlohmann::json& document, std::string_view name);

// What the report's charts draw for `result`, computed from the full data: {"series": the
// per-second columns (series_display.h), "latency_distribution", "percentile_curve" (when the
// result has latency histograms)}. The live page gets the same document once per second.
nlohmann::json report_display(const nlohmann::json& result);
// The same for a result document, drawing `series` (its points) in at most `max_buckets`
// buckets: the live page's, which never builds the series' JSON (a day-long run has 86,400).
nlohmann::json report_display(const nlohmann::json& result,
                              const std::vector<TimeSeriesPoint>& series, std::size_t max_buckets);

// What fills report.html besides its assets: the report's data elements, or for the live page
// its configuration and what it adds (report/live_page.h).
struct ReportPageParts {
  std::string title;        // text
  std::string data;         // markup: the <script type="application/json"> elements
  std::string connect_src;  // "" (a report connects nowhere) or "; connect-src ..."
  std::string head;         // markup added to <head>
  std::string script;       // markup after report.js
};

// report.html with its placeholders filled: `parts`, the generator and the inlined uPlot and
// report styles and scripts.
std::string render_report_page(const ReportPageParts& parts);

// The report of one result document (schema stampede.result/v1: a run's --json, /v1/result, or
// the operator's merged result). Throws std::invalid_argument, saying what is wrong, when the
// document is not such a result.
std::string render_html_report(const nlohmann::json& result);

// Two results side by side: `base` and `next` (e.g. the last release's soak and this one's),
// with the change in each percentile and rate and each threshold's verdict in both. Throws
// std::invalid_argument naming "base" or "new" when either is not a result.
std::string render_html_compare(const nlohmann::json& base, const nlohmann::json& next);

}  // namespace stampede
