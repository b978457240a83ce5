#pragma once
// Reads the Grafana dashboard in dashboards/ for tests: its panels (rows flattened), the PromQL
// of every target, and that PromQL with the dashboard's variables substituted so that a test can
// send it to a real Prometheus.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace stampede::testing {

// Variable name (without the `$`; a leading `$` is ignored) -> text to put in its place, e.g.
// {"testid", "t1"}, {"scenario", ".*"}, {"__rate_interval", "20s"}, {"__range", "5m"}.
using Substitutions = std::map<std::string, std::string>;

struct DashboardQuery {
  int panel_id = 0;
  std::string panel_title;
  std::string panel_type;
  std::string ref_id;
  std::string legend;    // the target's legendFormat, "" when it has none
  bool instant = false;  // an instant query (stats, tables) rather than a range query
  std::string expr;      // the PromQL with the variables substituted
};

// The dashboard JSON; throws std::runtime_error when the file is missing or not JSON.
nlohmann::json load_dashboard(const std::string& path);

// Every panel in document order, rows included, each followed by the panels nested in it (a
// collapsed row keeps its panels inside it).
std::vector<nlohmann::json> dashboard_panels(const nlohmann::json& dashboard);

// The names of the variables `text` references as $name, ${name}, ${name:format} or
// [[name]], in order of appearance, repeats included.
std::vector<std::string> variable_references(std::string_view text);

// `text` with every variable reference replaced by its substitution (a :format is ignored).
// Throws std::invalid_argument naming a variable that has no substitution.
std::string substitute_variables(std::string_view text, const Substitutions& substitutions);

// The metric names `expr` uses: identifiers starting with "stampede_" outside string literals.
std::vector<std::string> metric_names(std::string_view expr);

// A plan's scenarios and thresholds (top-level YAML keys) against the bundled target that give
// every dashboard panel data: statuses 200, 404 (expected), 429 and 500, a streamed step, and
// WebSocket sessions on the target's echo (a ping, a named send/receive pair for the REPLY row, a
// second message for the gap) and refused ones (ws_handshake_refused).
std::string every_panel_scenarios();

// Every target with an expr, of every panel, with the variables substituted.
std::vector<DashboardQuery> dashboard_queries(const std::string& path,
                                              const Substitutions& substitutions);

}  // namespace stampede::testing
