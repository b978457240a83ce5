#include "kube/kube_client.h"

namespace stampede::kube {

std::string_view to_string(ApiError error) {
  switch (error) {
    case ApiError::kNone:
      return "ok";
    case ApiError::kTransport:
      return "transport";
    case ApiError::kNotFound:
      return "NotFound";
    case ApiError::kAlreadyExists:
      return "AlreadyExists";
    case ApiError::kConflict:
      return "Conflict";
    case ApiError::kGone:
      return "Gone";
    case ApiError::kInvalid:
      return "Invalid";
    case ApiError::kForbidden:
      return "Forbidden";
    case ApiError::kUnauthorized:
      return "Unauthorized";
    case ApiError::kTooManyRequests:
      return "TooManyRequests";
    case ApiError::kServerError:
      return "ServerError";
    case ApiError::kOther:
      return "Other";
  }
  return "Other";
}

namespace {

ApiError classify(int status, const std::string& reason) {
  if (status == 404) return ApiError::kNotFound;
  if (status == 409)
    return reason == "AlreadyExists" ? ApiError::kAlreadyExists : ApiError::kConflict;
  if (status == 410) return ApiError::kGone;
  if (status == 422) return ApiError::kInvalid;
  if (status == 403) return ApiError::kForbidden;
  if (status == 401) return ApiError::kUnauthorized;
  if (status == 429) return ApiError::kTooManyRequests;
  if (status >= 500) return ApiError::kServerError;
  return ApiError::kOther;
}

}  // namespace

Result to_result(const ApiResponse& response) {
  Result r;
  r.status = response.status;
  if (!response.transport_error.empty()) {
    r.error = ApiError::kTransport;
    r.message = response.transport_error;
    return r;
  }
  r.object = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status >= 200 && response.status < 300) {
    if (r.object.is_discarded()) {
      r.error = ApiError::kOther;
      r.message = "the API server answered " + std::to_string(response.status) + " with no JSON";
    }
    return r;
  }
  // A failure carries a Status object: {"kind":"Status","reason":"NotFound","message":...}.
  std::string reason;
  if (r.object.is_object()) {
    reason = r.object.value("reason", "");
    r.message = r.object.value("message", "");
  }
  if (r.message.empty())
    r.message = "HTTP " + std::to_string(response.status) + ": " + response.body;
  r.error = classify(response.status, reason);
  return r;
}

Result KubeClient::call(const ApiRequest& request) {
  const std::lock_guard lock(mutex_);
  return to_result(client_.send(request));
}

Result KubeClient::get(const ResourceType& type, const std::string& ns, const std::string& name) {
  return call({"GET", resource_path(type, ns, name), "", "", Millis(30'000)});
}

Result KubeClient::list(const ResourceType& type, const std::string& ns,
                        const std::string& label_selector) {
  std::string path = resource_path(type, ns);
  if (!label_selector.empty()) path += "?labelSelector=" + query_escape(label_selector);
  return call({"GET", path, "", "", Millis(60'000)});
}

Result KubeClient::create(const ResourceType& type, const std::string& ns,
                          const nlohmann::json& object) {
  return call({"POST", resource_path(type, ns), object.dump(), "application/json", Millis(30'000)});
}

Result KubeClient::merge_patch(const ResourceType& type, const std::string& ns,
                               const std::string& name, const nlohmann::json& patch,
                               const std::string& subresource) {
  return call({"PATCH", resource_path(type, ns, name, subresource), patch.dump(),
               "application/merge-patch+json", Millis(30'000)});
}

Result KubeClient::json_patch(const ResourceType& type, const std::string& ns,
                              const std::string& name, const nlohmann::json& operations,
                              const std::string& subresource) {
  return call({"PATCH", resource_path(type, ns, name, subresource), operations.dump(),
               "application/json-patch+json", Millis(30'000)});
}

Result KubeClient::replace(const ResourceType& type, const std::string& ns, const std::string& name,
                           const nlohmann::json& object, const std::string& subresource) {
  return call({"PUT", resource_path(type, ns, name, subresource), object.dump(), "application/json",
               Millis(30'000)});
}

Result KubeClient::remove(const ResourceType& type, const std::string& ns,
                          const std::string& name) {
  const nlohmann::json options = {
      {"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", "Background"}};
  return call({"DELETE", resource_path(type, ns, name), options.dump(), "application/json",
               Millis(30'000)});
}

}  // namespace stampede::kube
