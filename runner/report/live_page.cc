#include "report/live_page.h"

#include <string_view>

#include "report/html_assets.h"
#include "report/html_escape.h"
#include "report/html_report.h"

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
  // No results (live.js brings them): the configuration in their place, and the live script
  // after report.js, whose stampedeReport it draws with.
  return render_report_page(
      {.title = title_of(config),
       .data = "<script type=\"application/json\" id=\"stampede-live\">" + json_for_script(config) +
               "</script>",
       .connect_src = "; connect-src 'self'",
       // An icon of its own, so the browser does not ask the runner for /favicon.ico.
       .head =
           "<link rel=\"icon\" href=\"data:,\">\n<style>" + inline_asset("live.css") + "</style>",
       .script = "<script>" + inline_asset("live.js") + "</script>"});
}

}  // namespace stampede
