#include "support/helm_chart.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "support/project_tool.h"

namespace stampede::testing {

using namespace std::chrono_literals;

std::string helm_binary() {
  return project_tool("STAMPEDE_HELM", "build-helm");
}

std::string chart_dir() {
  return std::string(STAMPEDE_SOURCE_DIR) + "/charts/stampede";
}

RunResult run_helm(const std::vector<std::string>& args, const Env& env) {
  std::vector<std::string> argv{helm_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  // helm keeps its caches and repository config under these; a test never reads a user's.
  Env isolated{{"HELM_CACHE_HOME", "/tmp/stampede-helm-cache"},
               {"HELM_CONFIG_HOME", "/tmp/stampede-helm-config"},
               {"HELM_DATA_HOME", "/tmp/stampede-helm-data"}};
  for (const auto& [k, v] : env) isolated[k] = v;
  return run_process(argv, 120s, isolated);
}

std::string describe_helm(const std::vector<std::string>& args, const RunResult& r) {
  std::ostringstream text;
  text << "helm";
  for (const auto& a : args) text << ' ' << a;
  text << ": " << (r.timed_out ? "timed out" : r.status.to_string()) << "\nstdout:\n"
       << r.stdout_text.substr(0, 4000) << "\nstderr:\n"
       << r.stderr_text.substr(0, 4000);
  return text.str();
}

std::vector<std::string> template_args(const ChartValues& values) {
  std::vector<std::string> args{"template", values.release, chart_dir(), "--namespace",
                                values.namespace_};
  if (values.include_crds) args.emplace_back("--include-crds");
  for (const auto& s : values.set) {
    args.emplace_back("--set");
    args.push_back(s);
  }
  return args;
}

RenderedChart render_chart(const ChartValues& values) {
  const auto args = template_args(values);
  const RunResult r = run_helm(args);
  if (r.status.code != 0) throw std::runtime_error(describe_helm(args, r));
  RenderedChart chart;
  chart.text = r.stdout_text;
  for (const YAML::Node& doc : YAML::LoadAll(chart.text)) {
    if (doc.IsMap()) chart.objects.push_back(doc);
  }
  return chart;
}

std::vector<YAML::Node> RenderedChart::of_kind(const std::string& kind) const {
  std::vector<YAML::Node> found;
  std::copy_if(objects.begin(), objects.end(), std::back_inserter(found),
               [&](const YAML::Node& o) { return o["kind"].as<std::string>() == kind; });
  return found;
}

YAML::Node RenderedChart::one(const std::string& kind, const std::string& name) const {
  std::vector<YAML::Node> found;
  for (const YAML::Node& o : of_kind(kind)) {
    if (name.empty() || o["metadata"]["name"].as<std::string>() == name) found.push_back(o);
  }
  if (found.size() != 1) {
    throw std::runtime_error("expected one " + kind + (name.empty() ? "" : " " + name) +
                             ", rendered " + std::to_string(found.size()));
  }
  return found.front();
}

std::string RenderedChart::only(const std::vector<std::string>& kinds) const {
  std::ostringstream out;
  for (const YAML::Node& o : objects) {
    if (std::find(kinds.begin(), kinds.end(), o["kind"].as<std::string>()) == kinds.end()) continue;
    YAML::Emitter e;
    e << o;
    out << "---\n" << e.c_str() << '\n';
  }
  return out.str();
}

}  // namespace stampede::testing
