#pragma once
// The operator's side of the runners' control API (/v1/status, /v1/start, /v1/stop,
// /v1/result, /v1/result/ack, /v1/setup, /v1/teardown), with the test's bearer token. An interface
// so that reconcile tests can use a fake.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/rfc3339.h"

namespace stampede::op {

struct RunnerAddress {
  std::string host;  // the pod IP
  int port = 9646;
  std::string token;
};

// What /v1/start carries besides the instant when the plan has a setup or a teardown
// (docs/setup-teardown.md): runner 0's setup values, and that the operator asks for the teardown.
struct RunnerStart {
  nlohmann::json setup_values;  // an object of strings, or null
  bool teardown_by_operator = false;
};

// POST /v1/setup or /v1/teardown on runner 0: the phase runs there once; asking again reports it.
struct PhaseAnswer {
  enum class State : std::uint8_t { kInProgress, kDone, kFailed };
  State state = State::kInProgress;
  nlohmann::json body;  // kDone, kFailed: the runner's answer (values, the phase's outcome)
};

class RunnerApi {
 public:
  virtual ~RunnerApi() = default;
  virtual std::optional<nlohmann::json> status(const RunnerAddress& runner, std::string* error) = 0;
  virtual bool start(const RunnerAddress& runner, WallTime at, const RunnerStart& with,
                     std::string* error) = 0;
  // `phase` is "setup" or "teardown"; nullopt + *error when the call failed (not the phase).
  virtual std::optional<PhaseAnswer> run_phase(const RunnerAddress& runner,
                                               const std::string& phase, std::string* error) = 0;
  virtual bool stop(const RunnerAddress& runner, std::string* error) = 0;
  // The result JSON text, once the runner has finished.
  virtual std::optional<std::string> result(const RunnerAddress& runner, std::string* error) = 0;
  // The result so far (GET /v1/result/live), while it runs: what is kept of a runner that is
  // then lost.
  virtual std::optional<std::string> live_result(const RunnerAddress& runner,
                                                 std::string* error) = 0;
  // The result is stored: the runner may exit. Only after the status and the ConfigMap are
  // written, so that an operator dying in between finds the results still served.
  virtual bool acknowledge(const RunnerAddress& runner, std::string* error) = 0;
};

// Over HTTP with short deadlines (a runner that does not answer in 5 s is not healthy).
class HttpRunnerApi final : public RunnerApi {
 public:
  std::optional<nlohmann::json> status(const RunnerAddress& runner, std::string* error) override;
  bool start(const RunnerAddress& runner, WallTime at, const RunnerStart& with,
             std::string* error) override;
  std::optional<PhaseAnswer> run_phase(const RunnerAddress& runner, const std::string& phase,
                                       std::string* error) override;
  bool stop(const RunnerAddress& runner, std::string* error) override;
  std::optional<std::string> result(const RunnerAddress& runner, std::string* error) override;
  std::optional<std::string> live_result(const RunnerAddress& runner, std::string* error) override;
  bool acknowledge(const RunnerAddress& runner, std::string* error) override;
};

}  // namespace stampede::op
