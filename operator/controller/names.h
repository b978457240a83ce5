#pragma once
// Names and labels of a LoadTest's children: predictable, so that a restarted operator finds
// what it made and never makes it twice.

#include <cstdint>
#include <string>

namespace stampede::op {

inline constexpr const char* kAppLabel = "app.kubernetes.io/name";
inline constexpr const char* kRunnerApp = "stampede-runner";
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedBy = "stampede-operator";
inline constexpr const char* kLoadTestLabel = "stampede.dev/loadtest";
inline constexpr const char* kTestIdLabel = "stampede.dev/testid";
inline constexpr const char* kRunnerIndexLabel = "stampede.dev/runner-index";
// The run a child belongs to (docs/runs.md): runner pods, plan and result ConfigMaps.
inline constexpr const char* kRunLabel = "stampede.dev/run";
// Which pod of a runner's segment this is: 0 the first, 1 its first replacement, ...
inline constexpr const char* kAttemptLabel = "stampede.dev/attempt";
// Set to a value not seen before, it runs the test again without a spec change.
inline constexpr const char* kRerunAnnotation = "stampede.dev/rerun";
inline constexpr int kRunnerPort = 9646;
// Where the runner container mounts the plan ConfigMap (volume "plan").
inline constexpr const char* kPlanDirectory = "/etc/stampede";

// Where a replacement runner mounts the setup's values (volume "setup", Secret
// setup_secret_name), read with --setup-values (docs/setup-teardown.md).
inline constexpr const char* kSetupDirectory = "/etc/stampede-setup";

// Shared by every run: the token is HMAC(key, uid), the same for all of them.
inline std::string control_secret_name(const std::string& lt) {
  return lt + "-control";
}
// "<name>-<run>": the prefix of the children of one run.
inline std::string run_prefix(const std::string& lt, std::uint32_t run) {
  return lt + "-" + std::to_string(run);
}
inline std::string plan_config_map_name(const std::string& lt, std::uint32_t run) {
  return run_prefix(lt, run) + "-plan";
}
// The setup's values of run `run`, for its replacement runners (failurePolicy Replace).
inline std::string setup_secret_name(const std::string& lt, std::uint32_t run) {
  return run_prefix(lt, run) + "-setup";
}
inline std::string result_config_map_name(const std::string& lt, std::uint32_t run) {
  return run_prefix(lt, run) + "-result";
}
// Runner `index` of run `run`; a replacement (attempt > 0) has the attempt appended.
inline std::string runner_pod_name(const std::string& lt, std::uint32_t run, std::uint32_t index,
                                   std::uint32_t attempt = 0) {
  std::string name = run_prefix(lt, run) + "-runner-" + std::to_string(index);
  if (attempt > 0) name += "-" + std::to_string(attempt);
  return name;
}
// What was kept of a lost runner (runners.failurePolicy Replace): its result, final or so far.
inline std::string kept_result_name(const std::string& lt, std::uint32_t run, std::uint32_t index,
                                    std::uint32_t attempt) {
  return runner_pod_name(lt, run, index, attempt) + "-result";
}

}  // namespace stampede::op
