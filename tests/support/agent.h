#pragma once
// `stampede agent` as a test fixture: the plan written to a file, the control API on a free
// loopback port, helpers for its endpoints.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/http_client.h"
#include "support/subprocess.h"

namespace stampede::testing {

class AgentProcess {
 public:
  // `stampede agent PLAN --listen 127.0.0.1:PORT --quiet args...` with `env` added; with
  // `max_open_files`, under that limit of file descriptors (see with_open_file_limit).
  AgentProcess(const std::string& plan_yaml, std::vector<std::string> args = {},
               const Env& env = {}, std::optional<unsigned> max_open_files = std::nullopt);

  std::uint16_t port() const { return port_; }
  Subprocess& process() { return process_; }

  // Polls /readyz until it answers 200; false after `timeout` or if the agent exits.
  bool wait_ready(Millis timeout = Millis(10'000));
  HttpResponse get(const std::string& path) const;
  HttpResponse post(const std::string& path, const std::string& body = "",
                    const std::string& token = "") const;
  nlohmann::json status() const;
  // Polls /v1/status until its state is `state`; false after `timeout`.
  bool wait_for_state(const std::string& state, Millis timeout);

 private:
  std::uint16_t port_ = 0;
  Subprocess process_;
};

}  // namespace stampede::testing
