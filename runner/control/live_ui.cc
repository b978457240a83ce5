#include "control/live_ui.h"

#include <array>
#include <stdexcept>

#include "report/csv_report.h"
#include "report/html_report.h"
#include "report/live_page.h"

namespace stampede {
namespace {

constexpr std::array<const char*, 5> kPaths = {"/", "/v1/events", "/v1/report.html",
                                               "/v1/stats.csv", "/v1/result/live"};

HttpResponse body(unsigned status, std::string content_type, std::string text) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(text);
  return r;
}

HttpResponse json_error(unsigned status, const std::string& message) {
  return body(status, "application/json", nlohmann::json{{"error", message}}.dump() + "\n");
}

// Letters, digits, '-', '_' and '.', the rest as '_': a Content-Disposition file name needs no
// quoting then, and a plan's name cannot smuggle a header.
std::string file_stem(const nlohmann::json& config) {
  std::string name = config.value("plan", std::string());
  for (char& c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (!safe) c = '_';
  }
  return name.empty() ? "stampede" : name;
}

}  // namespace

LiveUi::LiveUi(const LiveFeed& feed, const nlohmann::json& page_config)
    : feed_(feed), page_(render_live_page(page_config)), file_stem_(file_stem(page_config)) {}

std::optional<HttpResponse> LiveUi::handle(const HttpRequest& request) const {
  const std::string& path = request.path;
  bool ours = false;
  for (const char* p : kPaths) ours = ours || path == p;
  if (!ours) return std::nullopt;
  if (request.method != "GET") {
    HttpResponse r = json_error(405, "use GET for " + path);
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  if (path == "/") {
    HttpResponse r = body(200, "text/html; charset=utf-8", page_);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  if (path == "/v1/events") {
    HttpResponse r;
    r.events = feed_.events();
    return r;
  }
  return download(path);
}

// The report, the CSV and the JSON of the result so far (the final one after the end), rendered
// on the server thread when asked for: the engine never waits for a download.
HttpResponse LiveUi::download(const std::string& path) const {
  const std::shared_ptr<const std::string> text = feed_.result();
  if (!text) return json_error(409, "the test has not started: there is no result yet");
  if (path == "/v1/result/live") {
    // The whole result so far, histograms included: what the operator keeps of a runner that
    // may yet be lost, so that a replacement loses at most one poll's data.
    HttpResponse r = body(200, "application/json", *text);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  // Parsed only when someone downloads: the feed keeps text (see live_feed.h).
  const nlohmann::json result = nlohmann::json::parse(*text);
  HttpResponse r;
  std::string file;
  if (path == "/v1/report.html") {
    r = body(200, "text/html; charset=utf-8", render_html_report(result));
    file = file_stem_ + "-report.html";
  } else {
    std::string error;
    const auto csv = csv_report(result, nullptr, &error);
    if (!csv) return json_error(500, error);
    r = body(200, "text/csv; charset=utf-8", csv->stats);
    file = file_stem_ + "_stats.csv";
  }
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace stampede
