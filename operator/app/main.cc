// stampede-operator: runs LoadTests in a Kubernetes cluster.
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <thread>

#include "app/json_log.h"
#include "app/options.h"
#include "controller/children.h"
#include "controller/controller.h"
#include "controller/leader_election.h"
#include "kube/kube_config.h"
#include "plan/version.h"
#include "server/http_server.h"

namespace {

using stampede::HttpRequest;
using stampede::HttpResponse;
using namespace stampede::op;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

void setup_logging(const OperatorOptions& o) {
  auto logger = o.log_json ? make_json_logger("stampede-operator")
                           : spdlog::stderr_logger_mt("stampede-operator");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(o.log_level));
}

HttpResponse serve(const HttpRequest& r, const Controller& controller,
                   const OperatorMetrics& metrics) {
  HttpResponse out;
  out.content_type = "text/plain";
  if (r.path == "/healthz") {
    out.body = "ok\n";
  } else if (r.path == "/readyz") {
    const bool ready = controller.synced();
    out.status = ready ? 200 : 503;
    out.body = ready ? "ready\n" : "caches not synced yet\n";
  } else if (r.path == "/metrics") {
    out.content_type = "text/plain; version=0.0.4; charset=utf-8";
    out.body = metrics.serialize();
  } else {
    out.status = 404;
    out.body = "not found\n";
  }
  return out;
}

int run(const OperatorOptions& o) {
  // Signals go to the main thread's sigwait only: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);  // leadership lost
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::string error;
  const auto kube_config = stampede::kube::load_config(o.kubeconfig, &error);
  if (!kube_config) {
    spdlog::error("cannot configure the Kubernetes client: {}", error);
    return kExitError;
  }
  ControllerConfig controller_config = o.controller;
  if (controller_config.defaults.token_key.empty()) {
    spdlog::warn(
        "no --token-key-file: using a random key; after a restart this operator cannot "
        "control the runners of tests already running");
    controller_config.defaults.token_key = random_token();
  }
  OperatorMetrics metrics;
  Controller controller(*kube_config, controller_config, metrics);
  stampede::HttpServer server([&](const HttpRequest& r) { return serve(r, controller, metrics); });
  const auto address = stampede::parse_listen_address(o.listen, &error);
  if (!address || !server.start(*address, &error)) {
    spdlog::error("{}", error);
    return kExitError;
  }
  spdlog::info(
      "stampede-operator {} watching {} (health and metrics on port {})", stampede::kVersion,
      o.controller.namespaces.empty() ? "all namespaces" : "the listed namespaces", server.port());
  controller.start_watching();

  stampede::kube::KubeClient lease_client(*kube_config);
  LeaderElector elector(lease_client,
                        {o.leader_election_namespace, o.leader_election_id, o.identity});
  std::thread leading([&] {
    if (o.leader_elect) {
      if (!elector.acquire()) return;
      elector.keep_renewing([] { ::kill(::getpid(), SIGUSR1); });
    }
    metrics.set_leader(true);
    controller.start_workers();
  });

  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("{}: shutting down", signal == SIGUSR1 ? "leadership lost" : "signal");
  elector.stop();
  leading.join();
  controller.stop();
  server.stop();
  return signal == SIGUSR1 ? kExitError : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  const OperatorCli cli = parse_operator_cli(argc, argv);
  if (!cli.options) {
    std::fprintf(stderr, "error: %s\n\n%s", cli.error.c_str(), cli.help.c_str());
    return kExitUsage;
  }
  if (cli.show_help) {
    std::printf("%s", cli.help.c_str());
    return kExitOk;
  }
  if (cli.show_version) {
    std::printf("stampede-operator %s\n", stampede::kVersion);
    return kExitOk;
  }
  try {
    setup_logging(*cli.options);
    return run(*cli.options);
  } catch (const std::exception& e) {
    spdlog::critical("stampede-operator stopped: {}", e.what());
    return kExitError;
  }
}
