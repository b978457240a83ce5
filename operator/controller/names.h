#pragma once
// Names and labels of a LoadTest's children: predictable, so that a restarted operator finds
// what it made and never makes it twice.

#include <string>

namespace stampede::op {

inline constexpr const char* kAppLabel = "app.kubernetes.io/name";
inline constexpr const char* kRunnerApp = "stampede-runner";
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr const char* kManagedBy = "stampede-operator";
inline constexpr const char* kLoadTestLabel = "stampede.dev/loadtest";
inline constexpr const char* kTestIdLabel = "stampede.dev/testid";
inline constexpr const char* kRunnerIndexLabel = "stampede.dev/runner-index";
inline constexpr int kRunnerPort = 9646;
// Where the runner container mounts the plan ConfigMap (volume "plan").
inline constexpr const char* kPlanDirectory = "/etc/stampede";

inline std::string control_secret_name(const std::string& lt) {
  return lt + "-control";
}
inline std::string plan_config_map_name(const std::string& lt) {
  return lt + "-plan";
}
inline std::string result_config_map_name(const std::string& lt) {
  return lt + "-result";
}
inline std::string runner_pod_name(const std::string& lt, std::uint32_t index) {
  return lt + "-runner-" + std::to_string(index);
}

}  // namespace stampede::op
