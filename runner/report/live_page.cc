#include "report/live_page.h"

#include <string_view>

#include "plan/version.h"
#include "report/html_assets.h"
#include "report/html_escape.h"

namespace stampede {
namespace {

std::string title_of(const nlohmann::json& config) {
  const auto plan = config.find("plan");  // end() for a config that is not an object
  const bool named = plan != config.end() && plan->is_string() && !plan->get<std::string>().empty();
  return (named ? plan->get<std::string>() + " — " : std::string()) + "Stampede live";
}

}  // namespace

std::string render_live_page(const nlohmann::json& config) {
  const auto inline_asset = [](std::string_view name) {
    return inline_element_text(html_report_asset(name));
  };
  // report.html's placeholders: no results (live.js brings them), the configuration in their
  // place, and the live script after report.js, whose stampedeReport it draws with.
  return fill_template(
      html_report_asset("report.html"),
      {{"TITLE", html_text(title_of(config))},
       {"GENERATOR", html_text(std::string("stampede ") + kVersion)},
       {"CONNECT_SRC", "; connect-src 'self'"},
       {"UPLOT_CSS", inline_asset("uPlot.min.css")},
       {"REPORT_CSS", inline_asset("report.css")},
       // An icon of its own, so the browser does not ask the runner for /favicon.ico.
       {"LIVE_HEAD",
        "<link rel=\"icon\" href=\"data:,\">\n<style>" + inline_asset("live.css") + "</style>"},
       {"DATA", "<script type=\"application/json\" id=\"stampede-live\">" +
                    json_for_script(config) + "</script>"},
       {"UPLOT_JS", inline_asset("uPlot.iife.min.js")},
       {"REPORT_JS", inline_asset("report.js")},
       {"LIVE_SCRIPT", "<script>" + inline_asset("live.js") + "</script>"}});
}

}  // namespace stampede
