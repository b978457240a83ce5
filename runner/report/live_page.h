#pragma once
// The runner's live web UI (GET / on its --listen port, for `stampede ui`, `run --ui` and the
// agent): the HTML report's page without results, which runner/report/html/live.js fills from
// the runner's Server-Sent Events and which drives the control API. Like the report, the page
// is one self-contained document (inline scripts and styles, uPlot) that loads nothing else.

#include <nlohmann/json.hpp>
#include <string>

namespace stampede {

// The page for a runner described by `config`, which is embedded as is for live.js:
//   {"mode": "run"|"ui"|"agent", "controls": bool, "token_required": bool,
//    "model": "closed"|"open", "defaults": {"users": N, "spawn_rate": R} or {"rate": R},
//    "plan": "<plan name>", "events": "/v1/events", "report": "/v1/report.html",
//    "csv": "/v1/stats.csv"}
// Its Content-Security-Policy is the report's plus connect-src 'self' (the event stream and the
// control calls go to the runner that served it, and nowhere else). Throws nothing for such a
// config; any JSON is embedded safely (a plan name cannot close its element).
std::string render_live_page(const nlohmann::json& config);

}  // namespace stampede
