#include "app/options.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace stampede::op {
namespace po = boost::program_options;
namespace {

std::string env(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

po::options_description describe() {
  po::options_description d("stampede-operator options");
  d.add_options()("kubeconfig", po::value<std::string>(),
                  "kubeconfig file (default: in-cluster, else $KUBECONFIG or ~/.kube/config)")(
      "namespaces", po::value<std::string>(),
      "comma-separated namespaces to watch (env WATCH_NAMESPACES; default: all)")(
      "runner-image", po::value<std::string>(), "default runner image (env STAMPEDE_RUNNER_IMAGE)")(
      "max-users-per-runner", po::value<unsigned>(), "sizing default (1000)")(
      "max-rate-per-runner", po::value<double>(), "sizing default, requests/s (5000)")(
      "start-timeout", po::value<int>(), "default startTimeoutSeconds (300)")(
      "start-delay", po::value<int>(), "seconds between the start call and startAt (3)")(
      "workers", po::value<unsigned>(), "concurrent reconciles (2)")(
      "leader-elect", po::value<bool>(), "use a Lease so one replica acts (default true)")(
      "leader-election-namespace", po::value<std::string>(),
      "namespace of the Lease (env POD_NAMESPACE; default: default)")(
      "leader-election-id", po::value<std::string>(),
      "name of the Lease (stampede-operator); one per operator installation")(
      "listen", po::value<std::string>(), "address of /healthz, /readyz, /metrics (0.0.0.0:8080)")(
      "token-key-file", po::value<std::string>(),
      "key for the runners' control tokens (env STAMPEDE_TOKEN_KEY_FILE or STAMPEDE_TOKEN_KEY; "
      "default: a random key, so a restarted operator cannot control running tests)")(
      "log-level", po::value<std::string>(), "debug, info, warn, error (info)")(
      "log-format", po::value<std::string>(), "json or text (json)")(
      "version", po::bool_switch(), "print the version")("help,h", po::bool_switch(),
                                                         "show this help");
  return d;
}

}  // namespace

OperatorCli parse_operator_cli(int argc, const char* const* argv) {
  OperatorCli cli;
  const po::options_description d = describe();
  std::ostringstream help;
  help << "usage: stampede-operator [options]\n\n" << d;
  cli.help = help.str();
  OperatorOptions o;
  o.controller.namespaces = split(env("WATCH_NAMESPACES"));
  o.controller.defaults.runner_image =
      env("STAMPEDE_RUNNER_IMAGE", o.controller.defaults.runner_image);
  o.leader_election_namespace = env("POD_NAMESPACE", "default");
  o.identity = env("POD_NAME", host_name());
  o.controller.hooks.exit_after_fetching_results =
      env("STAMPEDE_OPERATOR_TEST_EXIT_AFTER_FETCH") == "1";
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, d), vm);
    po::notify(vm);
    cli.show_help = vm["help"].as<bool>();
    cli.show_version = vm["version"].as<bool>();
    if (vm.count("kubeconfig")) o.kubeconfig = vm["kubeconfig"].as<std::string>();
    if (vm.count("namespaces")) o.controller.namespaces = split(vm["namespaces"].as<std::string>());
    if (vm.count("runner-image"))
      o.controller.defaults.runner_image = vm["runner-image"].as<std::string>();
    if (vm.count("max-users-per-runner")) {
      o.controller.defaults.max_users_per_runner = vm["max-users-per-runner"].as<unsigned>();
    }
    if (vm.count("max-rate-per-runner")) {
      o.controller.defaults.max_rate_per_runner = vm["max-rate-per-runner"].as<double>();
    }
    if (vm.count("start-timeout"))
      o.controller.defaults.start_timeout_seconds = vm["start-timeout"].as<int>();
    if (vm.count("start-delay")) {
      o.controller.decide.start_delay = std::chrono::seconds(vm["start-delay"].as<int>());
    }
    if (vm.count("workers")) o.controller.workers = vm["workers"].as<unsigned>();
    if (vm.count("leader-elect")) o.leader_elect = vm["leader-elect"].as<bool>();
    if (vm.count("leader-election-namespace")) {
      o.leader_election_namespace = vm["leader-election-namespace"].as<std::string>();
    }
    if (vm.count("leader-election-id")) {
      o.leader_election_id = vm["leader-election-id"].as<std::string>();
    }
    if (vm.count("listen")) o.listen = vm["listen"].as<std::string>();
    const std::string key_file = vm.count("token-key-file") ? vm["token-key-file"].as<std::string>()
                                                            : env("STAMPEDE_TOKEN_KEY_FILE");
    if (!key_file.empty()) {
      std::ifstream in(key_file);
      std::ostringstream key;
      key << in.rdbuf();
      if (!in || key.str().empty()) throw po::error("cannot read the token key file " + key_file);
      o.controller.defaults.token_key = key.str();
    } else {
      o.controller.defaults.token_key = env("STAMPEDE_TOKEN_KEY");
    }
    if (vm.count("log-level")) o.log_level = vm["log-level"].as<std::string>();
    if (vm.count("log-format")) {
      const std::string format = vm["log-format"].as<std::string>();
      if (format != "json" && format != "text") throw po::error("--log-format: json or text");
      o.log_json = format == "json";
    }
  } catch (const po::error& e) {
    cli.error = e.what();
    return cli;
  }
  cli.options = o;
  return cli;
}

}  // namespace stampede::op
