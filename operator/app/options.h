#pragma once
// stampede-operator's flags, with environment fallbacks for what a Deployment sets.

#include <optional>
#include <string>
#include <vector>

#include "controller/controller.h"

namespace stampede::op {

struct OperatorOptions {
  std::string kubeconfig;  // empty: in-cluster, else $KUBECONFIG or ~/.kube/config
  ControllerConfig controller;
  bool leader_elect = true;
  std::string leader_election_namespace;                 // default: the operator's namespace
  std::string leader_election_id = "stampede-operator";  // the Lease's name
  std::string identity;                                  // default: POD_NAME or the host name
  std::string listen = "0.0.0.0:8080";                   // /healthz, /readyz, /metrics
  std::string log_level = "info";
  bool log_json = true;
};

struct OperatorCli {
  std::optional<OperatorOptions> options;
  std::string error;  // usage error (exit 2)
  std::string help;
  bool show_help = false;
  bool show_version = false;
};

OperatorCli parse_operator_cli(int argc, const char* const* argv);

}  // namespace stampede::op
