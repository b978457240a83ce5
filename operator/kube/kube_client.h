#pragma once
// Typed calls on the Kubernetes API: get, list, create, patch (merge and JSON patch), the status
// subresource and delete. API errors come back as values (reason + message), never as
// exceptions, so the control loop decides what each means. Thread-safe: calls are serialized
// on one keep-alive connection.

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "kube/api_client.h"
#include "kube/resource.h"

namespace stampede::kube {

enum class ApiError {
  kNone,
  kTransport,  // no answer: connect, TLS, timeout
  kNotFound,
  kAlreadyExists,
  kConflict,  // resourceVersion conflict
  kGone,      // 410: the resourceVersion is too old (relist)
  kInvalid,   // 422: refused by validation
  kForbidden,
  kUnauthorized,
  kTooManyRequests,
  kServerError,
  kOther,
};

std::string_view to_string(ApiError error);

struct Result {
  ApiError error = ApiError::kNone;
  int status = 0;
  std::string message;  // the API's Status message, or the transport error
  nlohmann::json object;

  bool ok() const { return error == ApiError::kNone; }
};

// Interprets an HTTP answer of the API server.
Result to_result(const ApiResponse& response);

class KubeClient {
 public:
  explicit KubeClient(KubeConfig config) : client_(std::move(config)) {}

  Result get(const ResourceType& type, const std::string& ns, const std::string& name);
  // ns empty: all namespaces. The List object carries metadata.resourceVersion for a watch.
  Result list(const ResourceType& type, const std::string& ns,
              const std::string& label_selector = "");
  Result create(const ResourceType& type, const std::string& ns, const nlohmann::json& object);
  Result merge_patch(const ResourceType& type, const std::string& ns, const std::string& name,
                     const nlohmann::json& patch, const std::string& subresource = "");
  Result json_patch(const ResourceType& type, const std::string& ns, const std::string& name,
                    const nlohmann::json& operations, const std::string& subresource = "");
  // PUT (optimistic concurrency through metadata.resourceVersion).
  Result replace(const ResourceType& type, const std::string& ns, const std::string& name,
                 const nlohmann::json& object, const std::string& subresource = "");
  // Background propagation: owned children go with it.
  Result remove(const ResourceType& type, const std::string& ns, const std::string& name);

  void cancel() { client_.cancel(); }
  const KubeConfig& config() const { return client_.config(); }

 private:
  Result call(const ApiRequest& request);

  std::mutex mutex_;
  ApiClient client_;
};

}  // namespace stampede::kube
