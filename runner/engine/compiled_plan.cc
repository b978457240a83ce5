#include "engine/compiled_plan.h"

#include <strings.h>

#include <algorithm>

#include "model/version.h"

namespace stampede {
namespace {

bool same_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool has_header(const std::vector<Header>& headers, const std::string& name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const Header& h) { return same_name(h.name, name); });
}

std::size_t row_for(std::vector<StatsKey>& rows, StatsKey key) {
  auto it = std::find(rows.begin(), rows.end(), key);
  if (it != rows.end()) return static_cast<std::size_t>(it - rows.begin());
  rows.push_back(std::move(key));
  return rows.size() - 1;
}

}  // namespace

std::string serialize_request(const Target& target, const HttpStep& step) {
  std::string out;
  out.reserve(256 + step.body.size());
  out += step.method + " " + target.url.join(step.path) + " HTTP/1.1\r\n";
  std::vector<Header> headers = step.headers;
  for (const Header& h : target.headers) {
    if (!has_header(headers, h.name)) headers.push_back(h);
  }
  if (!has_header(headers, "Host")) out += "Host: " + target.url.authority() + "\r\n";
  if (!has_header(headers, "User-Agent")) {
    out += std::string("User-Agent: stampede/") + kVersion + "\r\n";
  }
  for (const Header& h : headers) out += h.name + ": " + h.value + "\r\n";
  const bool sends_body =
      !step.body.empty() || step.method == "POST" || step.method == "PUT" || step.method == "PATCH";
  if (!step.content_type.empty() && !has_header(headers, "Content-Type")) {
    out += "Content-Type: " + step.content_type + "\r\n";
  }
  if (sends_body) out += "Content-Length: " + std::to_string(step.body.size()) + "\r\n";
  out += "\r\n";
  out += step.body;
  return out;
}

CompiledPlan compile_plan(const Plan& plan) {
  CompiledPlan compiled;
  for (const Scenario& scenario : plan.scenarios) {
    CompiledScenario& cs = compiled.scenarios.emplace_back();
    cs.name = scenario.name;
    cs.wait = scenario.wait;
    compiled.scenario_weights.push_back(scenario.weight);
    for (const Task& task : scenario.tasks) {
      CompiledTask& ct = cs.tasks.emplace_back();
      cs.task_weights.push_back(task.weight);
      for (const Step& step : task.steps) {
        const auto& http = std::get<HttpStep>(step);
        CompiledStep& s = ct.steps.emplace_back();
        s.request = serialize_request(plan.target, http);
        s.row = row_for(compiled.rows, {scenario.name, http.name, http.method});
        s.expect = http.expect_status;
        s.head = http.method == "HEAD";
      }
    }
  }
  return compiled;
}

}  // namespace stampede
