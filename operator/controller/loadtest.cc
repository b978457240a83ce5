#include "controller/loadtest.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

#include "controller/children.h"
#include "controller/names.h"
#include "plan/plan_parser.h"

namespace stampede::op {
namespace {

// An integer field that holds a whole number T can represent; nullopt otherwise. nlohmann's
// get<T>() casts a float or a number out of range: undefined for 6e21 into an int (found by the
// loadtest fuzz target), and -1 into a uint32_t reads 4294967295.
template <class T>
std::optional<T> whole_number(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return static_cast<T>(n);
  } else if (value.is_number_integer()) {
    const auto n = value.get<std::int64_t>();
    if (std::in_range<T>(n)) return static_cast<T>(n);
  }
  return std::nullopt;
}

template <class T>
T value_or(const nlohmann::json& object, const char* key, T fallback) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return fallback;
  // The schema guards types; a wrong one falls back rather than throwing or wrapping.
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    return whole_number<T>(object[key]).value_or(fallback);
  } else {
    try {
      return object[key].get<T>();
    } catch (const nlohmann::json::exception&) {
      return fallback;
    }
  }
}

nlohmann::json field(const nlohmann::json& object, const char* key) {
  return object.is_object() && object.contains(key) ? object[key] : nlohmann::json();
}

CleanupPolicy cleanup_of(const std::string& text) {
  if (text == "always") return CleanupPolicy::kAlways;
  if (text == "onSuccess") return CleanupPolicy::kOnSuccess;
  return CleanupPolicy::kKeep;
}

bool is_count(const nlohmann::json& value) {
  if (!value.is_number_integer()) return false;
  if (value.is_number_unsigned()) return value.get<std::uint64_t>() <= kMaxRunners;
  return value.get<std::int64_t>() >= 0 && value.get<std::int64_t>() <= kMaxRunners;
}

// A condition as set_condition writes it: an object whose type, status and time are strings.
bool is_condition(const nlohmann::json& c) {
  if (!c.is_object()) return false;
  for (const char* key : {"type", "status", "reason", "message", "lastTransitionTime"}) {
    if (c.contains(key) && !c[key].is_string()) return false;
  }
  return true;
}

// status[key] with only the items `keep` accepts; dropped when it is not an array.
template <class Keep>
void keep_items(nlohmann::json& status, const char* key, Keep keep) {
  if (!status.contains(key)) return;
  nlohmann::json& items = status[key];
  if (!items.is_array()) {
    status.erase(key);
    return;
  }
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& item : items) {
    if (keep(item)) kept.push_back(item);
  }
  items = std::move(kept);
}

// The status fields the controller reads, with the types it writes; others are dropped.
nlohmann::json checked_status(nlohmann::json status) {
  if (!status.is_object()) return nlohmann::json::object();
  for (const char* key : {"phase", "testid", "reason", "message", "result", "resultConfigMap",
                          "startingSince", "startTime", "completionTime", "trigger", "rerun",
                          "lastResult", "lastScheduleTime", "nextScheduleTime"}) {
    if (status.contains(key) && !status[key].is_string()) status.erase(key);
  }
  for (const char* key : {"progress", "results", "pendingRun"}) {
    if (status.contains(key) && !status[key].is_object()) status.erase(key);
  }
  for (const char* key : {"run", "runGeneration", "skippedScheduleTimes"}) {
    if (status.contains(key) && !whole_number<std::uint32_t>(status[key])) status.erase(key);
  }
  keep_items(status, "history", [](const nlohmann::json& entry) {
    return entry.is_object() && entry.contains("run") && whole_number<std::uint32_t>(entry["run"]);
  });
  if (status.contains("runners")) {
    const nlohmann::json& runners = status["runners"];
    const bool counts = runners.is_object() &&
                        (!runners.contains("desired") || is_count(runners["desired"])) &&
                        (!runners.contains("ready") || is_count(runners["ready"]));
    if (!counts) status.erase("runners");
  }
  keep_items(status, "conditions", is_condition);
  return status;
}

// "checkout-smoke-3f9a1c": the name plus the start of the uid, unique per object.
std::string default_testid(const std::string& name, const std::string& uid) {
  std::string suffix;
  for (char c : uid) {
    if (c != '-') suffix += c;
    if (suffix.size() == 6) break;
  }
  return suffix.empty() ? name : name + "-" + suffix;
}

RunPolicy run_policy_of(const nlohmann::json& spec) {
  RunPolicy p;
  p.schedule = value_or<std::string>(spec, "schedule", "");
  p.time_zone = value_or<std::string>(spec, "timeZone", "");
  p.replace_on_schedule = value_or<std::string>(spec, "concurrencyPolicy", "Forbid") == "Replace";
  p.suspend = value_or<bool>(spec, "suspend", false);
  p.starting_deadline_seconds =
      std::max(1, value_or<int>(spec, "startingDeadlineSeconds", p.starting_deadline_seconds));
  p.history_limit = std::min(kMaxHistory, value_or<std::uint32_t>(spec, "historyLimit", 10));
  p.replace_on_spec_change = value_or<std::string>(spec, "onSpecChange", "Wait") == "Replace";
  return p;
}

}  // namespace

std::uint32_t LoadTest::run() const {
  return value_or<std::uint32_t>(status, "run", 0);
}

std::int64_t LoadTest::run_generation() const {
  return value_or<std::int64_t>(status, "runGeneration", generation);
}

LoadTest read_loadtest(const nlohmann::json& object, const OperatorDefaults& defaults) {
  LoadTest lt;
  const nlohmann::json meta = field(object, "metadata");
  lt.ns = value_or<std::string>(meta, "namespace", "");
  lt.name = value_or<std::string>(meta, "name", "");
  lt.uid = value_or<std::string>(meta, "uid", "");
  lt.generation = value_or<std::int64_t>(meta, "generation", 0);
  lt.creation_timestamp = value_or<std::string>(meta, "creationTimestamp", "");
  lt.deleting = meta.is_object() && meta.contains("deletionTimestamp");
  lt.spec = field(object, "spec");
  if (!lt.spec.is_object()) lt.spec = nlohmann::json::object();
  lt.status = checked_status(field(object, "status"));

  const nlohmann::json r = field(lt.spec, "runners");
  RunnerSettings& s = lt.runners;
  s.count = value_or<std::uint32_t>(r, "count", 0);
  s.max_users_per_runner =
      value_or<std::uint32_t>(r, "maxUsersPerRunner", defaults.max_users_per_runner);
  s.max_rate_per_runner = value_or<double>(r, "maxRatePerRunner", defaults.max_rate_per_runner);
  s.image = value_or<std::string>(r, "image", defaults.runner_image);
  s.resources = field(r, "resources");
  s.env = field(r, "env");
  s.env_from = field(r, "envFrom");
  s.node_selector = field(r, "nodeSelector");
  s.tolerations = field(r, "tolerations");
  s.affinity = field(r, "affinity");
  s.security_context = field(r, "securityContext");
  s.labels = field(r, "labels");
  s.annotations = field(r, "annotations");
  s.volumes = field(r, "volumes");
  s.volume_mounts = field(r, "volumeMounts");
  s.topology_spread_constraints = field(r, "topologySpreadConstraints");
  s.image_pull_secrets = field(r, "imagePullSecrets");
  s.service_account_name = value_or<std::string>(r, "serviceAccountName", "");
  s.priority_class_name = value_or<std::string>(r, "priorityClassName", "");
  s.replace_on_failure = value_or<std::string>(r, "failurePolicy", "Fail") == "Replace";
  s.max_replacements =
      std::min<std::uint32_t>(100, value_or<std::uint32_t>(r, "maxReplacements", 3));

  lt.start_timeout_seconds =
      value_or<int>(lt.spec, "startTimeoutSeconds", defaults.start_timeout_seconds);
  lt.cleanup = cleanup_of(value_or<std::string>(lt.spec, "cleanup", "keep"));
  if (lt.spec.contains("ttlSecondsAfterFinished")) {
    lt.ttl_seconds_after_finished = value_or<int>(lt.spec, "ttlSecondsAfterFinished", 0);
  }
  lt.runs = run_policy_of(lt.spec);
  lt.rerun = value_or<std::string>(field(meta, "annotations"), kRerunAnnotation, "");
  lt.testid = value_or<std::string>(lt.spec, "testid", "");
  if (lt.testid.empty()) lt.testid = value_or<std::string>(lt.status, "testid", "");
  if (lt.testid.empty()) lt.testid = default_testid(lt.name, lt.uid);
  return lt;
}

std::string runner_plan_document(const LoadTest& lt) {
  // JSON is YAML: the runner's parser reads this as the manifest it is.
  const nlohmann::json manifest = {{"apiVersion", "stampede.dev/v1alpha1"},
                                   {"kind", "LoadTest"},
                                   {"metadata", {{"name", lt.name}, {"namespace", lt.ns}}},
                                   {"spec", lt.spec}};
  return manifest.dump(2) + "\n";
}

namespace {

// The runners' environment as far as the spec spells it out: `env` entries with a `value`
// (valueFrom and envFrom name Secrets and ConfigMaps the operator does not read).
std::map<std::string, std::string> literal_env(const nlohmann::json& env) {
  std::map<std::string, std::string> values;
  if (!env.is_array()) return values;
  for (const nlohmann::json& item : env) {
    const nlohmann::json name = field(item, "name");
    const nlohmann::json value = field(item, "value");
    if (name.is_string() && value.is_string()) values[name] = value;
  }
  return values;
}

}  // namespace

std::optional<Plan> plan_of(const LoadTest& lt, SourceErrors* errors) {
  // The plan runs in the runner pods: their env (secrets, env()) and files are not ours to read.
  // Thresholds are judged here, so their env() reads the values the spec gives the runners.
  ParseOptions options;
  options.runner_side = false;
  options.runner_env = literal_env(lt.runners.env);
  ParseResult parsed = parse_plan_text(runner_plan_document(lt), options);
  if (!parsed.plan) {
    *errors = std::move(parsed.errors);
    return std::nullopt;
  }
  // Sized from the plan's peak, or asked for: either way no more pods than the limit.
  if (const std::uint32_t count = runner_count(*parsed.plan, lt.runners); count > kMaxRunners) {
    const bool asked = lt.runners.count > 0;
    errors->push_back(SourceError{
        asked ? "runners.count" : "runners", 0, 0,
        std::to_string(count) + " runners, more than the limit of " + std::to_string(kMaxRunners) +
            (asked ? "" : " (raise runners.maxUsersPerRunner or runners.maxRatePerRunner)")});
    return std::nullopt;
  }
  return std::move(parsed.plan);
}

}  // namespace stampede::op
