#include "support/agent.h"

#include <thread>

#include "support/nginx.h"
#include "support/stampede_run.h"

namespace stampede::testing {
namespace {

std::vector<std::string> agent_argv(const std::string& plan_yaml, std::uint16_t port,
                                    std::vector<std::string> args,
                                    std::optional<unsigned> max_open_files) {
  std::vector<std::string> argv = {STAMPEDE_BIN,
                                   "agent",
                                   write_temp_file(plan_yaml),
                                   "--listen",
                                   "127.0.0.1:" + std::to_string(port),
                                   "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  if (max_open_files) return with_open_file_limit(*max_open_files, std::move(argv));
  return argv;
}

}  // namespace

AgentProcess::AgentProcess(const std::string& plan_yaml, std::vector<std::string> args,
                           const Env& env, std::optional<unsigned> max_open_files)
    : port_(free_port()),
      process_(agent_argv(plan_yaml, port_, std::move(args), max_open_files), env) {}

bool AgentProcess::wait_ready(Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline && process_.running()) {
    try {
      if (get("/readyz").status == 200) return true;
    } catch (const std::runtime_error&) {
      // not listening yet
    }
    std::this_thread::sleep_for(Millis(20));
  }
  return false;
}

HttpResponse AgentProcess::get(const std::string& path) const {
  return http_get("127.0.0.1", port_, path);
}

HttpResponse AgentProcess::post(const std::string& path, const std::string& body,
                                const std::string& token) const {
  Headers headers = {{"Content-Type", "application/json"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return http_request("127.0.0.1", port_, "POST", path, body, headers);
}

nlohmann::json AgentProcess::status() const {
  return nlohmann::json::parse(get("/v1/status").body);
}

bool AgentProcess::wait_for_state(const std::string& state, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (status().value("state", "") == state) return true;
    std::this_thread::sleep_for(Millis(50));
  }
  return false;
}

}  // namespace stampede::testing
