#pragma once
// The Helm chart (charts/stampede) in tests: helm from scripts/build-helm, renders parsed into
// objects, and the rendered RBAC that the operator's end-to-end tests run with.

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "support/subprocess.h"

namespace stampede::testing {

// helm from $STAMPEDE_HELM or scripts/build-helm (built from the Go module proxy once).
std::string helm_binary();
std::string chart_dir();  // <source>/charts/stampede

// Runs `helm args...` to completion.
RunResult run_helm(const std::vector<std::string>& args, const Env& env = {});
// "helm template ...: exit 1\nstdout: ...\nstderr: ..." for failure messages.
std::string describe_helm(const std::vector<std::string>& args, const RunResult& r);

struct ChartValues {
  std::string release = "stampede";
  std::string namespace_ = "stampede-system";
  std::vector<std::string> set;  // --set arguments, e.g. "replicaCount=2"
  bool include_crds = false;
};

// The args of `helm template` for these values.
std::vector<std::string> template_args(const ChartValues& values);

struct RenderedChart {
  std::string text;                 // the manifest as helm printed it
  std::vector<YAML::Node> objects;  // every non-empty document

  std::vector<YAML::Node> of_kind(const std::string& kind) const;
  // The only object of this kind (and name, when given); throws std::runtime_error otherwise.
  YAML::Node one(const std::string& kind, const std::string& name = "") const;
  // The manifest with only the objects of these kinds, as YAML documents.
  std::string only(const std::vector<std::string>& kinds) const;
};

// `helm template`; throws std::runtime_error with helm's output when it fails.
RenderedChart render_chart(const ChartValues& values = {});

}  // namespace stampede::testing
