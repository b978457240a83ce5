#pragma once
// Kubernetes resource types the operator touches, and their REST paths.

#include <string>

namespace stampede::kube {

struct ResourceType {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  std::string kind;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
};

inline const ResourceType kLoadTests{"stampede.dev", "v1alpha1", "loadtests", "LoadTest"};
inline const ResourceType kJobs{"batch", "v1", "jobs", "Job"};
inline const ResourceType kPods{"", "v1", "pods", "Pod"};
inline const ResourceType kConfigMaps{"", "v1", "configmaps", "ConfigMap"};
inline const ResourceType kSecrets{"", "v1", "secrets", "Secret"};
inline const ResourceType kEvents{"", "v1", "events", "Event"};
inline const ResourceType kLeases{"coordination.k8s.io", "v1", "leases", "Lease"};

// "/apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]]" ("/api/v1/..." for the core
// group). An empty namespace addresses all namespaces (list and watch).
std::string resource_path(const ResourceType& type, const std::string& ns,
                          const std::string& name = "", const std::string& subresource = "");

// Percent-encodes a query parameter value (label selectors contain '=' and ',').
std::string query_escape(const std::string& value);

}  // namespace stampede::kube
