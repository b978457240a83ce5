#include "controller/children.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cmath>

#include "controller/names.h"
#include "plan/load_peak.h"

namespace stampede::op {
namespace {

nlohmann::json child_labels(const LoadTest& lt) {
  return {{kManagedByLabel, kManagedBy}, {kLoadTestLabel, lt.name}, {kTestIdLabel, lt.testid}};
}

nlohmann::json child_metadata(const LoadTest& lt, const std::string& name) {
  return {{"name", name},
          {"namespace", lt.ns},
          {"labels", child_labels(lt)},
          {"ownerReferences", nlohmann::json::array({owner_reference(lt)})}};
}

// A child of one run: labelled with it, so that a run never takes its predecessor's pods for
// its own.
nlohmann::json run_child_metadata(const LoadTest& lt, std::uint32_t run, const std::string& name) {
  nlohmann::json meta = child_metadata(lt, name);
  meta["labels"][kRunLabel] = std::to_string(run);
  return meta;
}

bool present(const nlohmann::json& j) {
  return !j.is_null() && !j.empty();
}

// The restricted Pod Security Standard: what a load generator needs, nothing more.
nlohmann::json default_container_security() {
  return {{"allowPrivilegeEscalation", false},
          {"readOnlyRootFilesystem", true},
          {"runAsNonRoot", true},
          {"capabilities", {{"drop", {"ALL"}}}},
          {"seccompProfile", {{"type", "RuntimeDefault"}}}};
}

// The operator's own entries first (the plan volume and its mount), then the user's: the CRD
// refuses user entries that would take the operator's name or mount path.
nlohmann::json with_user_items(nlohmann::json ours, const nlohmann::json& users) {
  if (users.is_array()) {
    for (const auto& item : users) ours.push_back(item);
  }
  return ours;
}

}  // namespace

// The engine's own arithmetic (plan/load_peak.h): sizing must match what the runners run.
double peak_users(const Plan& plan) {
  return stampede::peak_users(plan.load);
}

double peak_rate(const Plan& plan) {
  return stampede::peak_rate(plan.load);
}

std::uint32_t runner_count(const Plan& plan, const RunnerSettings& settings) {
  if (settings.count > 0) return settings.count;
  double n = 1;
  if (settings.max_users_per_runner > 0) {
    n = std::max(n, std::ceil(peak_users(plan) / settings.max_users_per_runner));
  }
  if (settings.max_rate_per_runner > 0) {
    n = std::max(n, std::ceil(peak_rate(plan) / settings.max_rate_per_runner));
  }
  // Past 2^32 - 1 the conversion would be undefined; plan_of refuses more than kMaxRunners.
  return static_cast<std::uint32_t>(std::min(n, double{UINT32_MAX}));
}

nlohmann::json derived_resources(const Plan& plan, std::uint32_t count) {
  const double users = peak_users(plan) / count;
  const double rate = peak_rate(plan) / count;
  const double cores = std::clamp(users / 2000 + rate / 40000, 0.1, 8.0);
  const auto millicores = static_cast<long>(std::ceil(cores * 1000));
  const auto mebibytes = static_cast<long>(64 + std::ceil(users * 32 / 1024));
  return {
      {"requests",
       {{"cpu", std::to_string(millicores) + "m"}, {"memory", std::to_string(mebibytes) + "Mi"}}}};
}

nlohmann::json owner_reference(const LoadTest& lt) {
  return {{"apiVersion", "stampede.dev/v1alpha1"},
          {"kind", "LoadTest"},
          {"name", lt.name},
          {"uid", lt.uid},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

nlohmann::json control_secret(const LoadTest& lt, const std::string& token) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", child_metadata(lt, control_secret_name(lt.name))},
          {"type", "Opaque"},
          {"stringData", {{"token", token}}}};
}

nlohmann::json setup_secret(const LoadTest& lt, std::uint32_t run, const nlohmann::json& values) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", run_child_metadata(lt, run, setup_secret_name(lt.name, run))},
          {"type", "Opaque"},
          {"stringData", {{"values.json", values.dump()}}}};
}

nlohmann::json plan_config_map(const LoadTest& lt, std::uint32_t run) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", run_child_metadata(lt, run, plan_config_map_name(lt.name, run))},
          {"data", {{"plan.yaml", runner_plan_document(lt)}}}};
}

nlohmann::json result_config_map(const LoadTest& lt, std::uint32_t run, const ResultPart& part) {
  nlohmann::json cm = {{"apiVersion", "v1"},
                       {"kind", "ConfigMap"},
                       {"metadata", run_child_metadata(lt, run, part.name)}};
  if (!part.data.empty()) cm["data"] = part.data;
  if (!part.binary_data.empty()) cm["binaryData"] = part.binary_data;
  return cm;
}

nlohmann::json runner_pod(const LoadTest& lt, const Plan& plan, std::uint32_t run,
                          std::uint32_t index, std::uint32_t count, std::uint32_t attempt) {
  const RunnerSettings& s = lt.runners;
  nlohmann::json meta = run_child_metadata(lt, run, runner_pod_name(lt.name, run, index, attempt));
  nlohmann::json labels = present(s.labels) ? s.labels : nlohmann::json::object();
  const nlohmann::json ours = meta["labels"];
  for (const auto& [k, v] : ours.items()) labels[k] = v;  // ours win
  labels[kAppLabel] = kRunnerApp;
  labels[kRunnerIndexLabel] = std::to_string(index);
  labels[kAttemptLabel] = std::to_string(attempt);
  meta["labels"] = labels;
  if (present(s.annotations)) meta["annotations"] = s.annotations;

  nlohmann::json env = nlohmann::json::array(
      {{{"name", "STAMPEDE_CONTROL_TOKEN"},
        {"valueFrom",
         {{"secretKeyRef", {{"name", control_secret_name(lt.name)}, {"key", "token"}}}}}}});
  if (s.env.is_array()) {
    for (const auto& e : s.env) env.push_back(e);
  }
  nlohmann::json args = {"agent",     std::string(kPlanDirectory) + "/plan.yaml",
                         "--segment", std::to_string(index) + "/" + std::to_string(count),
                         "--testid",  lt.testid};
  nlohmann::json mounts = {{{"name", "plan"}, {"mountPath", kPlanDirectory}, {"readOnly", true}}};
  nlohmann::json volumes = {
      {{"name", "plan"}, {"configMap", {{"name", plan_config_map_name(lt.name, run)}}}}};
  if (attempt > 0) {
    args.push_back("--resume");
    if (plan.setup) {
      // A replacement never runs the setup again: it reads the values runner 0's gave.
      args.push_back("--setup-values");
      args.push_back(std::string(kSetupDirectory) + "/values.json");
      mounts.push_back({{"name", "setup"}, {"mountPath", kSetupDirectory}, {"readOnly", true}});
      volumes.push_back(
          {{"name", "setup"}, {"secret", {{"secretName", setup_secret_name(lt.name, run)}}}});
    }
  }
  nlohmann::json container = {
      {"name", "runner"},
      {"image", s.image},
      {"args", args},
      {"env", env},
      {"ports", {{{"name", "metrics"}, {"containerPort", kRunnerPort}, {"protocol", "TCP"}}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/readyz"}, {"port", "metrics"}}}, {"periodSeconds", 2}}},
      {"resources", present(s.resources) ? s.resources : derived_resources(plan, count)},
      {"securityContext", default_container_security()},
      // A runner that exits on a bad plan (a data file missing, say) says why on stderr: the
      // end of its log becomes the termination message, which the status then carries.
      {"terminationMessagePolicy", "FallbackToLogsOnError"},
      {"volumeMounts", with_user_items(mounts, s.volume_mounts)}};
  if (present(s.env_from)) container["envFrom"] = s.env_from;

  nlohmann::json spec = {
      {"restartPolicy", "Never"},
      {"containers", {container}},
      {"volumes", with_user_items(volumes, s.volumes)},
      {"securityContext", present(s.security_context)
                              ? s.security_context
                              : nlohmann::json{{"runAsNonRoot", true},
                                               {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      {"automountServiceAccountToken", false}};
  if (present(s.node_selector)) spec["nodeSelector"] = s.node_selector;
  if (present(s.tolerations)) spec["tolerations"] = s.tolerations;
  if (present(s.affinity)) spec["affinity"] = s.affinity;
  if (!s.service_account_name.empty()) spec["serviceAccountName"] = s.service_account_name;
  if (!s.priority_class_name.empty()) spec["priorityClassName"] = s.priority_class_name;
  if (present(s.topology_spread_constraints)) {
    spec["topologySpreadConstraints"] = s.topology_spread_constraints;
  }
  if (present(s.image_pull_secrets)) spec["imagePullSecrets"] = s.image_pull_secrets;
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta}, {"spec", spec}};
}

namespace {

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

}  // namespace

std::string control_token(const std::string& key, const LoadTest& lt) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(lt.uid.data()), lt.uid.size(), mac, &length);
  return to_hex(mac, length);
}

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  return to_hex(bytes, sizeof bytes);
}

}  // namespace stampede::op
