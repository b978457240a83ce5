#include "support/dashboard_queries.h"

#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace stampede::testing {
namespace {

bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// One variable reference found at some position of a text.
struct Reference {
  std::size_t begin = 0;
  std::size_t end = 0;  // one past the reference
  std::string name;
};

// The reference starting at `pos`, if one does: $name, ${name}, ${name:format}, [[name]],
// [[name:format]] (Grafana's syntaxes).
std::optional<Reference> reference_at(std::string_view text, std::size_t pos) {
  auto word_end = [&](std::size_t from) {
    std::size_t i = from;
    while (i < text.size() && is_word(text[i])) ++i;
    return i;
  };
  if (text[pos] == '$') {
    if (pos + 1 < text.size() && text[pos + 1] == '{') {
      const std::size_t name_end = word_end(pos + 2);
      const std::size_t close = text.find('}', name_end);
      if (name_end == pos + 2 || close == std::string_view::npos) return std::nullopt;
      if (close != name_end && text[name_end] != ':') return std::nullopt;
      return Reference{pos, close + 1, std::string(text.substr(pos + 2, name_end - pos - 2))};
    }
    const std::size_t name_end = word_end(pos + 1);
    if (name_end == pos + 1) return std::nullopt;  // a lone `$`, as at the end of a regex
    return Reference{pos, name_end, std::string(text.substr(pos + 1, name_end - pos - 1))};
  }
  if (text.substr(pos, 2) == "[[") {
    const std::size_t name_end = word_end(pos + 2);
    const std::size_t close = text.find("]]", name_end);
    if (name_end == pos + 2 || close == std::string_view::npos) return std::nullopt;
    if (close != name_end && text[name_end] != ':') return std::nullopt;
    return Reference{pos, close + 2, std::string(text.substr(pos + 2, name_end - pos - 2))};
  }
  return std::nullopt;
}

std::vector<Reference> references(std::string_view text) {
  std::vector<Reference> found;
  for (std::size_t i = 0; i < text.size();) {
    if (auto ref = reference_at(text, i)) {
      i = ref->end;
      found.push_back(std::move(*ref));
    } else {
      ++i;
    }
  }
  return found;
}

void collect_panels(const nlohmann::json& panels, std::vector<nlohmann::json>& out) {
  if (!panels.is_array()) return;
  for (const auto& panel : panels) {
    out.push_back(panel);
    if (panel.contains("panels")) collect_panels(panel["panels"], out);
  }
}

std::string string_field(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

nlohmann::json load_dashboard(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + " is not valid JSON: " + e.what());
  }
}

std::vector<nlohmann::json> dashboard_panels(const nlohmann::json& dashboard) {
  std::vector<nlohmann::json> panels;
  if (dashboard.contains("panels")) collect_panels(dashboard["panels"], panels);
  return panels;
}

std::vector<std::string> variable_references(std::string_view text) {
  std::vector<std::string> names;
  for (auto& ref : references(text)) names.push_back(std::move(ref.name));
  return names;
}

std::string substitute_variables(std::string_view text, const Substitutions& substitutions) {
  std::string out;
  std::size_t copied = 0;
  for (const auto& ref : references(text)) {
    auto it = substitutions.find(ref.name);
    if (it == substitutions.end()) it = substitutions.find("$" + ref.name);
    if (it == substitutions.end()) {
      throw std::invalid_argument("no substitution for dashboard variable $" + ref.name +
                                  " in: " + std::string(text));
    }
    out.append(text.substr(copied, ref.begin - copied));
    out.append(it->second);
    copied = ref.end;
  }
  out.append(text.substr(copied));
  return out;
}

std::vector<std::string> metric_names(std::string_view expr) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < expr.size();) {
    const char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {  // a string literal: label values, regexes
      std::size_t j = i + 1;
      while (j < expr.size() && expr[j] != c) j += (expr[j] == '\\' && c != '`') ? 2 : 1;
      i = j + 1;
    } else if (c == '$') {  // a variable: never a metric
      ++i;
      if (i < expr.size() && expr[i] == '{') ++i;
      while (i < expr.size() && is_word(expr[i])) ++i;
    } else if (is_word(c) || c == ':') {
      std::size_t j = i;
      while (j < expr.size() && (is_word(expr[j]) || expr[j] == ':')) ++j;
      const std::string_view word = expr.substr(i, j - i);
      if (word.starts_with("stampede_")) names.emplace_back(word);
      i = j;
    } else {
      ++i;
    }
  }
  return names;
}

std::vector<DashboardQuery> dashboard_queries(const std::string& path,
                                              const Substitutions& substitutions) {
  std::vector<DashboardQuery> queries;
  for (const auto& panel : dashboard_panels(load_dashboard(path))) {
    if (!panel.contains("targets") || !panel["targets"].is_array()) continue;
    for (const auto& target : panel["targets"]) {
      const std::string expr = string_field(target, "expr");
      if (expr.empty()) continue;
      DashboardQuery q;
      q.panel_id = panel.value("id", 0);
      q.panel_title = string_field(panel, "title");
      q.panel_type = string_field(panel, "type");
      q.ref_id = string_field(target, "refId");
      q.legend = string_field(target, "legendFormat");
      if (q.legend == "__auto") q.legend.clear();
      q.instant = target.value("instant", false) && !target.value("range", false);
      q.expr = substitute_variables(expr, substitutions);
      queries.push_back(std::move(q));
    }
  }
  return queries;
}

std::string every_panel_scenarios() {
  return R"(scenarios:
  - name: shop
    tasks:
      - {name: home, weight: 6, steps: [{get: /, name: home}]}
      - {name: missing, steps: [{get: /status/404, name: "/status/{code}", expect: {status: [404]}}]}
      - {name: limited, steps: [{get: /status/429, name: limited}]}
      - {name: broken, steps: [{get: /status/500, name: broken}]}
      - name: stream
        steps: [{get: "/api/chat/stream?tokens=4&gap_ms=2", name: stream, stream: {end: "[DONE]"}}]
      - name: ws
        steps:
          - ws: /ws/echo
            name: echo
            actions: [ping, {send: hi, name: rtt}, {receive: 1, name: rtt}, {send: again}, {receive: 1}]
      - {name: refused, steps: [{ws: "/ws/echo?status=403", name: refused, actions: [ping]}]}
thresholds:
  http_req_duration: ["p(95) < 2s"]
  http_req_failed: ["rate < 0.5"]
)";
}

}  // namespace stampede::testing
