#pragma once
// A LoadTest resource as the controller reads it: identity, the plan (the runner's format, as
// in the spec), the runner settings and the status written so far.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "plan/source_error.h"

namespace stampede::op {

// The most runner pods one LoadTest may have (the CRD's maximum of spec.runners.count; sizing
// from maxUsersPerRunner and maxRatePerRunner is held to it too).
inline constexpr std::uint32_t kMaxRunners = 1000;

// Defaults the operator is started with (flags and environment).
struct OperatorDefaults {
  std::string runner_image = "stampede-runner:latest";
  std::uint32_t max_users_per_runner = 1000;
  double max_rate_per_runner = 5000;
  int start_timeout_seconds = 300;
  std::chrono::seconds start_delay{3};  // startAt = now + this, so every runner gets the call
  // Control tokens are HMAC-SHA256(token_key, LoadTest uid): the operator can always recompute
  // a test's token and never needs to read a Secret back.
  std::string token_key;
};

struct RunnerSettings {
  std::uint32_t count = 0;  // 0: sized automatically
  std::uint32_t max_users_per_runner = 0;
  double max_rate_per_runner = 0;
  std::string image;
  // Passed through to the pod as written (validated by the CRD schema).
  nlohmann::json resources, env, env_from, node_selector, tolerations, affinity, security_context,
      labels, annotations, volumes, volume_mounts, topology_spread_constraints, image_pull_secrets;
  std::string service_account_name;
  std::string priority_class_name;
  // failurePolicy Replace: a lost runner is replaced (at most max_replacements times per
  // segment in a run) instead of failing the test.
  bool replace_on_failure = false;
  std::uint32_t max_replacements = 3;
};

enum class CleanupPolicy { kKeep, kOnSuccess, kAlways };

// When runs start besides the first (docs/runs.md): spec.schedule and its companions, and what
// a new generation does to a run in progress.
struct RunPolicy {
  std::string schedule;  // "" when the test is not scheduled
  std::string time_zone;
  bool replace_on_schedule = false;  // concurrencyPolicy: Replace (else Forbid)
  bool suspend = false;
  int starting_deadline_seconds = 300;
  std::uint32_t history_limit = 10;
  bool replace_on_spec_change = false;  // onSpecChange: Replace (else Wait)
};

// The most past runs status.history keeps (the CRD's maximum of spec.historyLimit).
inline constexpr std::uint32_t kMaxHistory = 100;

struct LoadTest {
  std::string ns;
  std::string name;
  std::string uid;
  std::int64_t generation = 0;
  std::string creation_timestamp;
  bool deleting = false;
  nlohmann::json spec;    // as stored
  nlohmann::json status;  // as stored ({} when none yet)
  RunnerSettings runners;
  int start_timeout_seconds = 0;
  CleanupPolicy cleanup = CleanupPolicy::kKeep;
  std::optional<int> ttl_seconds_after_finished;
  RunPolicy runs;
  std::string rerun;   // annotation stampede.dev/rerun ("" when absent)
  std::string testid;  // spec.testid or derived from the name and uid

  std::string key() const { return ns + "/" + name; }
  // status.run: the current (or last) run's number, 0 before the first.
  std::uint32_t run() const;
  // status.runGeneration: the generation the current run runs.
  std::int64_t run_generation() const;
};

// Reads the fields the controller needs; defaults filled from `defaults`. Status fields the
// controller reads that do not have the type it writes them with (a status edited by hand) are
// left out, as if never written: every reconcile would otherwise fail on them.
LoadTest read_loadtest(const nlohmann::json& object, const OperatorDefaults& defaults);

// The runner's plan in this LoadTest: the spec parsed exactly as `stampede run` would parse the
// manifest. nullopt and *errors (field paths, no line numbers) when it is invalid, or when it
// needs more than kMaxRunners runners.
std::optional<Plan> plan_of(const LoadTest& lt, SourceErrors* errors);

// The plan file the runners get: the LoadTest manifest minus status and server-set metadata,
// so a runner reads the same document a user would run locally.
std::string runner_plan_document(const LoadTest& lt);

}  // namespace stampede::op
