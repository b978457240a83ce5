#pragma once
// Debian's Prometheus as a real peer for integration tests: started on a free loopback port with
// a generated configuration and a temporary TSDB, stopped in the destructor, queried through its
// HTTP API.

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/dashboard_queries.h"
#include "support/subprocess.h"

namespace stampede::testing {

// A complete prometheus.yml, used as is (for tests of configurations other than the default).
struct PrometheusConfig {
  std::string yaml;
  // Debian's by default; the node suite's Prometheus 3 (scripts/build-prometheus) has the
  // Kubernetes service discovery that Debian's lacks.
  std::string binary = "/usr/bin/prometheus";
};

class PrometheusProcess {
 public:
  // Scrapes `target` ("host:port", path /metrics) every second in one static job named
  // "stampede" with honor_labels: true.
  explicit PrometheusProcess(const std::string& target);
  // Runs with this configuration instead. Throws std::runtime_error, with Prometheus' log, when
  // the server does not become ready within 20 s.
  explicit PrometheusProcess(const PrometheusConfig& config);
  ~PrometheusProcess();  // SIGTERM, then SIGKILL after a grace period; removes the directory
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

  // The configuration the first constructor generates.
  static std::string scrape_config(const std::string& target);

  std::uint16_t port() const { return port_; }
  std::string url() const;                               // http://127.0.0.1:PORT
  const std::string& directory() const { return dir_; }  // config file and TSDB live here
  std::string log() const;                               // what Prometheus wrote to stderr so far

  // GET /api/v1/query for `expr` (URL-encoded here), evaluated at `time` (Unix seconds) or now.
  // Returns the whole parsed response ({"status": "success", "data": {...}}). Throws
  // std::runtime_error when Prometheus rejects the query, with its error message.
  nlohmann::json query(std::string_view expr, std::optional<double> time = std::nullopt) const;

  // Polls query(expr) until its result is a non-empty vector (the first scrape of a new target
  // takes up to a scrape interval) and returns data.result; an empty array on timeout.
  nlohmann::json wait_for_series(std::string_view expr,
                                 Millis timeout = std::chrono::seconds(20)) const;

 private:
  std::string dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

// The dashboard queries (dashboard_queries.h) that return no data at `time`, each described
// (panel, title, refId, PromQL) on its own lines; "" when every one returns data.
std::string queries_without_data(const PrometheusProcess& prometheus,
                                 const std::vector<DashboardQuery>& queries, double time);

// True when /usr/bin/prometheus is installed (tests say so clearly instead of failing obscurely).
bool prometheus_available();

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);

}  // namespace stampede::testing
