#include "support/prometheus.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/nginx.h"  // free_port()

namespace stampede::testing {
namespace {

constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr Millis kReadyTimeout(20'000);

std::string make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp != nullptr ? tmp : "/tmp") + "/stampede-prometheus-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

}  // namespace

bool prometheus_available() {
  return ::access(kPrometheus, X_OK) == 0;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
        (byte >= '0' && byte <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    }
  }
  return out;
}

std::string PrometheusProcess::scrape_config(const std::string& target) {
  std::ostringstream c;
  c << "global:\n"
    << "  scrape_interval: 1s\n"
    << "  scrape_timeout: 1s\n"
    << "  evaluation_interval: 1s\n"
    << "scrape_configs:\n"
    << "  - job_name: stampede\n"
    << "    honor_labels: true\n"
    << "    metrics_path: /metrics\n"
    << "    static_configs:\n"
    << "      - targets: ['" << target << "']\n";
  return c.str();
}

PrometheusProcess::PrometheusProcess(const std::string& target)
    : PrometheusProcess(PrometheusConfig{scrape_config(target)}) {}

PrometheusProcess::PrometheusProcess(const PrometheusConfig& config) : dir_(make_temp_dir()) {
  const std::string config_path = dir_ + "/prometheus.yml";
  std::ofstream(config_path) << config.yaml;
  // A port can be taken between free_port() and Prometheus' bind: try a few.
  std::string last_log;
  for (int attempt = 0; attempt < 5 && !process_; ++attempt) {
    port_ = free_port();
    auto p = std::make_unique<Subprocess>(std::vector<std::string>{
        config.binary, "--config.file=" + config_path, "--storage.tsdb.path=" + dir_ + "/data",
        "--web.listen-address=127.0.0.1:" + std::to_string(port_)});
    const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
    bool ready = false;
    while (!ready && p->running() && std::chrono::steady_clock::now() < deadline) {
      try {
        ready = http_get("127.0.0.1", port_, "/-/ready").status == 200;
      } catch (const std::exception&) {
        // not listening yet
      }
      if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (ready) {
      process_ = std::move(p);
      break;
    }
    last_log = p->stderr_text();
    p->terminate();
    // Only a lost race for the port is worth another try.
    if (last_log.find("address already in use") == std::string::npos) break;
  }
  if (!process_) {
    std::filesystem::remove_all(dir_);
    throw std::runtime_error("prometheus did not become ready; its log:\n" + last_log);
  }
}

PrometheusProcess::~PrometheusProcess() {
  if (process_) process_->terminate(std::chrono::seconds(5));
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PrometheusProcess::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string PrometheusProcess::log() const {
  return process_ ? process_->stderr_text() : std::string();
}

nlohmann::json PrometheusProcess::query(std::string_view expr, std::optional<double> time) const {
  std::string target = "/api/v1/query?query=" + url_encode(expr);
  if (time) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.3f", *time);
    target += "&time=" + std::string(buffer);
  }
  const auto response = http_get("127.0.0.1", port_, target);
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status != 200 || !body.is_object() || body.value("status", "") != "success") {
    const std::string error = body.is_object() ? body.value("error", response.body) : response.body;
    throw std::runtime_error("prometheus query `" + std::string(expr) + "` failed (HTTP " +
                             std::to_string(response.status) + "): " + error);
  }
  return body;
}

nlohmann::json PrometheusProcess::wait_for_series(std::string_view expr, Millis timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto result = query(expr)["data"]["result"];
    if (result.is_array() && !result.empty()) return result;
    if (std::chrono::steady_clock::now() >= deadline) return nlohmann::json::array();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::string queries_without_data(const PrometheusProcess& prometheus,
                                 const std::vector<DashboardQuery>& queries, double time) {
  std::string missing;
  for (const DashboardQuery& q : queries) {
    if (!prometheus.query(q.expr, time)["data"]["result"].empty()) continue;
    missing += "panel " + std::to_string(q.panel_id) + " \"" + q.panel_title + "\" (" + q.ref_id +
               ") returned no data:\n" + q.expr + "\n";
  }
  return missing;
}

}  // namespace stampede::testing
