#pragma once
// A blocking HTTP/1.1 client for the Kubernetes API server (Beast + OpenSSL): client
// certificates or bearer tokens, a deadline on every call, one keep-alive connection reused
// across calls, and line-by-line streaming for watches. One client per thread; cancel() may be
// called from any thread.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kube/kube_config.h"

namespace stampede::kube {

using Millis = std::chrono::milliseconds;

struct ApiRequest {
  std::string method = "GET";
  std::string path;  // "/api/v1/namespaces/ns/pods?labelSelector=..."
  std::string body;
  std::string content_type = "application/json";
  Millis timeout{30'000};
};

struct ApiResponse {
  int status = 0;  // HTTP status; 0 when the call failed before an answer
  std::string body;
  std::string transport_error;  // connect/TLS/timeout/closed: what went wrong before a status

  bool ok() const { return transport_error.empty() && status >= 200 && status < 300; }
};

class ApiClient {
 public:
  explicit ApiClient(KubeConfig config);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // One call; never throws.
  ApiResponse send(const ApiRequest& request);
  // Streams the response body line by line to `on_line` (a watch), until the server ends it,
  // `on_line` returns false, nothing arrives for `idle_timeout`, or cancel(). A non-2xx
  // answer is returned with its body and no line is delivered.
  ApiResponse stream(const ApiRequest& request,
                     const std::function<bool(std::string_view line)>& on_line,
                     Millis idle_timeout);
  // Any thread: aborts the call in progress (it returns a transport error) and later ones.
  void cancel();

  const KubeConfig& config() const { return config_; }

 private:
  struct Impl;
  KubeConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stampede::kube
