// dashboards/prometheus and dashboards/alloy against real tools: promtool checks the scrape
// configuration, a real Prometheus runs its relabel rules on pod-like targets, and the PodMonitor
// and the Alloy configuration are held to the same rules. Also proves the PrometheusProcess
// helper that live dashboard tests build on.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/dashboard_queries.h"
#include "support/prometheus.h"
#include "support/stampede_run.h"  // write_temp_file
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using namespace std::chrono_literals;

const std::string kDashboards = std::string(STAMPEDE_SOURCE_DIR) + "/dashboards";
const std::string kScrapeConfig = kDashboards + "/prometheus/scrape-config.yaml";
const std::string kPodMonitor = kDashboards + "/prometheus/podmonitor.yaml";
const std::string kAlloy = kDashboards + "/alloy/stampede.alloy";
constexpr const char* kPromtool = "/usr/bin/promtool";

// One relabel rule, in whichever file's spelling it came from.
struct Rule {
  std::vector<std::string> source_labels;
  std::string target_label;
  std::string regex;
  std::string action;

  bool operator==(const Rule&) const = default;
  friend std::ostream& operator<<(std::ostream& out, const Rule& r) {
    out << "{[";
    for (const auto& s : r.source_labels) out << s << " ";
    return out << "] -> " << r.target_label << " regex=" << r.regex << " action=" << r.action
               << "}";
  }
};

std::string scalar(const YAML::Node& node, const char* key) {
  return node[key] ? node[key].as<std::string>() : std::string();
}

std::vector<Rule> yaml_rules(const YAML::Node& rules, const char* sources, const char* target) {
  std::vector<Rule> out;
  for (const auto& r : rules) {
    Rule rule;
    for (const auto& s : r[sources]) rule.source_labels.push_back(s.as<std::string>());
    rule.target_label = scalar(r, target);
    rule.regex = scalar(r, "regex");
    rule.action = scalar(r, "action");
    out.push_back(rule);
  }
  return out;
}

YAML::Node runner_job(const YAML::Node& config) {
  for (const auto& job : config["scrape_configs"]) {
    if (job["job_name"].as<std::string>() == "stampede-runners") return job;
  }
  throw std::runtime_error("no stampede-runners job in " + kScrapeConfig);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The `rule { ... }` blocks of discovery.relabel in the Alloy file, comments removed.
std::vector<Rule> alloy_rules(const std::string& text) {
  std::string code;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto comment = line.find("//");
    code += (comment == std::string::npos ? line : line.substr(0, comment)) + "\n";
  }
  const std::regex block(R"(rule\s*\{([^}]*)\})");
  const std::regex quoted(R"re("([^"]*)")re");
  auto attribute = [](const std::string& body, const std::string& name) {
    std::smatch m;
    const std::regex re("\\b" + name + R"re(\s*=\s*("[^"]*"|\[[^\]]*\]))re");
    return std::regex_search(body, m, re) ? m[1].str() : std::string();
  };
  auto unquote = [](const std::string& s) { return s.size() >= 2 ? s.substr(1, s.size() - 2) : s; };
  std::vector<Rule> out;
  for (auto it = std::sregex_iterator(code.begin(), code.end(), block);
       it != std::sregex_iterator(); ++it) {
    const std::string body = (*it)[1].str();
    Rule rule;
    const std::string sources = attribute(body, "source_labels");
    for (auto s = std::sregex_iterator(sources.begin(), sources.end(), quoted);
         s != std::sregex_iterator(); ++s) {
      rule.source_labels.push_back((*s)[1].str());
    }
    rule.target_label = unquote(attribute(body, "target_label"));
    rule.regex = unquote(attribute(body, "regex"));
    rule.action = unquote(attribute(body, "action"));
    out.push_back(rule);
  }
  return out;
}

// A one-page HTTP server on loopback that answers every request with a fixed Prometheus text
// exposition, standing in for a runner's /metrics.
class FixedMetricsServer {
 public:
  explicit FixedMetricsServer(std::string body) : body_(std::move(body)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 16) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FixedMetricsServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  FixedMetricsServer(const FixedMetricsServer&) = delete;
  FixedMetricsServer& operator=(const FixedMetricsServer&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        pollfd c{client, POLLIN, 0};
        if (::poll(&c, 1, 2000) <= 0) break;
        const ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      const std::string response =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
          std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
      for (std::size_t sent = 0; sent < response.size();) {
        const ssize_t n = ::write(client, response.data() + sent, response.size() - sent);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      ::close(client);
      ++requests_;
    }
  }

  std::string body_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// The series of a query result as label maps, for readable failure messages.
std::string describe(const nlohmann::json& result) {
  return result.dump();
}

// ---------------------------------------------------------------------------------------------

TEST(ScrapeConfig, PromtoolAcceptsIt) {
  ASSERT_EQ(::access(kPromtool, X_OK), 0)
      << kPromtool << " is missing (apt-get install prometheus)";
  const auto as_is = run_process({kPromtool, "check", "config", kScrapeConfig}, 60s);
  if (as_is.status.code == 0) return;
  // Debian builds Prometheus without Kubernetes service discovery, so its promtool rejects the
  // field itself. Then check everything else: the same file with the discovery replaced by a
  // static target, which promtool parses with the same rules.
  const std::string output = as_is.stdout_text + as_is.stderr_text;
  ASSERT_NE(output.find("field kubernetes_sd_configs not found"), std::string::npos)
      << as_is.status.to_string() << "\n"
      << output;
  YAML::Node config = YAML::LoadFile(kScrapeConfig);
  YAML::Node job = runner_job(config);
  ASSERT_TRUE(job["kubernetes_sd_configs"].IsSequence());
  ASSERT_EQ(job["kubernetes_sd_configs"].size(), 1u);
  EXPECT_EQ(scalar(job["kubernetes_sd_configs"][0], "role"), "pod");
  job.remove("kubernetes_sd_configs");
  YAML::Node static_config;
  static_config["targets"].push_back("10.0.0.1:9646");
  job["static_configs"].push_back(static_config);
  const std::string derived = write_temp_file(YAML::Dump(config), ".yml");
  const auto checked = run_process({kPromtool, "check", "config", derived}, 60s);
  EXPECT_EQ(checked.status.code, 0) << checked.stdout_text << checked.stderr_text << "\n"
                                    << YAML::Dump(config);
  std::cout << "note: this promtool has no Kubernetes discovery; checked " << kScrapeConfig
            << " with kubernetes_sd_configs replaced by static_configs\n";
}

TEST(ScrapeConfig, ScrapesEveryFiveSecondsHonouringTheRunnersLabels) {
  const YAML::Node job = runner_job(YAML::LoadFile(kScrapeConfig));
  EXPECT_EQ(scalar(job, "scrape_interval"), "5s");
  EXPECT_TRUE(job["honor_labels"].as<bool>());
}

// The relabel rules, run by a real Prometheus: the targets carry the labels that Kubernetes pod
// discovery would give them, as static_configs labels.
TEST(ScrapeConfig, RelabelRulesKeepRunnerPodsAndCopyTheirLabels) {
  ASSERT_TRUE(prometheus_available()) << "prometheus is missing: run scripts/install-deps test";
  // The runner's own labels differ from the pod's on purpose: honor_labels must keep the
  // runner's on its series, while `up` (made by Prometheus) gets the pod's.
  FixedMetricsServer runner(
      "# TYPE stampede_runner_info gauge\n"
      "stampede_runner_info{version=\"0.1.0\",testid=\"from-runner\",runner=\"7\"} 1\n");

  YAML::Node config = YAML::LoadFile(kScrapeConfig);
  config["global"]["scrape_interval"] = "1s";
  YAML::Node job = runner_job(config);
  job["scrape_interval"] = "1s";
  job["scrape_timeout"] = "1s";
  job.remove("kubernetes_sd_configs");
  auto pod = [](const std::string& address, const std::string& app, const std::string& port_name,
                const std::string& phase) {
    YAML::Node group;
    group["targets"].push_back(address);
    YAML::Node labels;
    labels["__meta_kubernetes_pod_label_app_kubernetes_io_name"] = app;
    labels["__meta_kubernetes_pod_container_port_name"] = port_name;
    labels["__meta_kubernetes_pod_phase"] = phase;
    labels["__meta_kubernetes_pod_label_stampede_dev_testid"] = "from-pod";
    labels["__meta_kubernetes_pod_label_stampede_dev_runner_index"] = "2";
    labels["__meta_kubernetes_pod_label_stampede_dev_loadtest"] = "checkout";
    labels["__meta_kubernetes_pod_label_stampede_dev_run"] = "4";
    labels["__meta_kubernetes_pod_name"] = "checkout-4-runner-2";
    labels["__meta_kubernetes_namespace"] = "perf";
    group["labels"] = labels;
    return group;
  };
  job["static_configs"].push_back(pod(runner.address(), "stampede-runner", "metrics", "Running"));
  // Each of these must be dropped; nothing listens on their ports.
  job["static_configs"].push_back(pod("127.0.0.1:1", "web", "metrics", "Running"));
  job["static_configs"].push_back(pod("127.0.0.1:2", "stampede-runner", "http", "Running"));
  job["static_configs"].push_back(pod("127.0.0.1:3", "stampede-runner", "metrics", "Succeeded"));

  PrometheusProcess prometheus(PrometheusConfig{YAML::Dump(config)});
  const auto info = prometheus.wait_for_series("stampede_runner_info");
  ASSERT_EQ(info.size(), 1u) << describe(info) << "\n" << prometheus.log();
  const auto& labels = info[0]["metric"];
  EXPECT_EQ(labels.value("testid", ""), "from-runner") << describe(info);
  EXPECT_EQ(labels.value("runner", ""), "7") << describe(info);
  EXPECT_FALSE(labels.contains("exported_testid")) << describe(info);
  EXPECT_EQ(labels.value("loadtest", ""), "checkout");
  EXPECT_EQ(labels.value("pod", ""), "checkout-4-runner-2");
  EXPECT_EQ(labels.value("run", ""), "4") << "runs of one test told apart";
  EXPECT_EQ(labels.value("namespace", ""), "perf");
  EXPECT_EQ(labels.value("job", ""), "stampede-runners");

  // Let every target have had its scrape: the dropped ones must never show up.
  std::this_thread::sleep_for(2500ms);
  const auto up = prometheus.query("up")["data"]["result"];
  ASSERT_EQ(up.size(), 1u) << describe(up);
  EXPECT_EQ(up[0]["metric"].value("instance", ""), runner.address());
  EXPECT_EQ(up[0]["metric"].value("testid", ""), "from-pod");
  EXPECT_EQ(up[0]["metric"].value("runner", ""), "2");
  EXPECT_EQ(up[0]["value"][1], "1");
}

TEST(PodMonitor, SelectsRunnerPodsWithTheSameRules) {
  const YAML::Node monitor = YAML::LoadFile(kPodMonitor);
  EXPECT_EQ(scalar(monitor, "apiVersion"), "monitoring.coreos.com/v1");
  EXPECT_EQ(scalar(monitor, "kind"), "PodMonitor");
  const YAML::Node spec = monitor["spec"];
  EXPECT_TRUE(spec["namespaceSelector"]["any"].as<bool>());
  EXPECT_EQ(scalar(spec["selector"]["matchLabels"], "app.kubernetes.io/name"), "stampede-runner");
  ASSERT_EQ(spec["podMetricsEndpoints"].size(), 1u);
  const YAML::Node endpoint = spec["podMetricsEndpoints"][0];
  EXPECT_EQ(scalar(endpoint, "port"), "metrics");
  EXPECT_EQ(scalar(endpoint, "interval"), "5s");
  EXPECT_TRUE(endpoint["honorLabels"].as<bool>());

  // The selector and the port stand for the scrape config's first two (keep) rules; the rest
  // must match rule for rule.
  auto expected = yaml_rules(runner_job(YAML::LoadFile(kScrapeConfig))["relabel_configs"],
                             "source_labels", "target_label");
  ASSERT_GE(expected.size(), 2u);
  EXPECT_EQ(
      expected[0],
      (Rule{
          {"__meta_kubernetes_pod_label_app_kubernetes_io_name"}, "", "stampede-runner", "keep"}));
  EXPECT_EQ(expected[1],
            (Rule{{"__meta_kubernetes_pod_container_port_name"}, "", "metrics", "keep"}));
  expected.erase(expected.begin(), expected.begin() + 2);
  EXPECT_EQ(yaml_rules(endpoint["relabelings"], "sourceLabels", "targetLabel"), expected);
}

TEST(Alloy, DiscoversRelabelsAndScrapesLikeTheScrapeConfig) {
  const std::string alloy = read_text(kAlloy);
  ASSERT_FALSE(alloy.empty()) << kAlloy;
  const auto expected = yaml_rules(runner_job(YAML::LoadFile(kScrapeConfig))["relabel_configs"],
                                   "source_labels", "target_label");
  EXPECT_EQ(alloy_rules(alloy), expected);
  for (const char* needle :
       {"discovery.kubernetes \"", "role = \"pod\"", "discovery.relabel \"", "prometheus.scrape \"",
        "scrape_interval = \"5s\"", "honor_labels = true", "prometheus.remote_write \"",
        "url = sys.env(\"PROMETHEUS_REMOTE_WRITE_URL\")"}) {
    // Alloy aligns `=` with spaces; compare with runs of spaces collapsed.
    const std::string collapsed = std::regex_replace(alloy, std::regex(" +"), " ");
    EXPECT_NE(collapsed.find(needle), std::string::npos) << needle;
  }
}

// Every query of the dashboard, its variables substituted as Grafana would, is PromQL that
// Prometheus accepts (no data is needed for that: an empty result is still a success).
TEST(DashboardQueries, AreAcceptedByPrometheus) {
  ASSERT_TRUE(prometheus_available()) << "prometheus is missing: run scripts/install-deps test";
  PrometheusProcess prometheus("127.0.0.1:1");
  const Substitutions substitutions = {{"testid", "t-1"},    {"scenario", "(browse|buy)"},
                                       {"name", ".*"},       {"__rate_interval", "20s"},
                                       {"__interval", "5s"}, {"__range", "900s"}};
  const auto queries = dashboard_queries(kDashboards + "/stampede.json", substitutions);
  ASSERT_GT(queries.size(), 20u);
  for (const auto& q : queries) {
    EXPECT_NO_THROW(prometheus.query(q.expr)) << q.panel_title << " " << q.ref_id << ": " << q.expr;
  }
}

// ---------------------------------------------------------------------------------------------
// The PrometheusProcess helper itself.

TEST(PrometheusProcess, ScrapesATargetAndAnswersQueries) {
  ASSERT_TRUE(prometheus_available()) << "prometheus is missing: run scripts/install-deps test";
  // stampede-target has no /metrics: the scrape fails and up is 0, which is enough to prove
  // that Prometheus started, read its configuration and scraped the target.
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string address = target.host() + ":" + std::to_string(target.port());
  PrometheusProcess prometheus(address);
  EXPECT_EQ(http_get("127.0.0.1", prometheus.port(), "/-/ready").status, 200);

  const auto up = prometheus.wait_for_series("up");
  ASSERT_EQ(up.size(), 1u) << describe(up) << "\n" << prometheus.log();
  EXPECT_EQ(up[0]["metric"].value("job", ""), "stampede");
  EXPECT_EQ(up[0]["metric"].value("instance", ""), address);
  const std::string value = up[0]["value"][1];
  EXPECT_TRUE(value == "0" || value == "1") << value;

  // An explicit evaluation time, and an expression that needs URL encoding.
  // Evaluated just after the query above that found the sample, so it is surely there.
  const double at_time = up[0]["value"][0].get<double>() + 0.25;
  const auto at = prometheus.query(R"(count(up{job="stampede", instance=~".+"}) + 0)", at_time);
  ASSERT_EQ(at["data"]["resultType"], "vector") << at.dump();
  ASSERT_EQ(at["data"]["result"].size(), 1u) << at.dump();
  EXPECT_DOUBLE_EQ(at["data"]["result"][0]["value"][0].get<double>(), at_time);
  EXPECT_EQ(at["data"]["result"][0]["value"][1], "1");

  EXPECT_THROW(prometheus.query("sum(("), std::runtime_error);
}

TEST(PrometheusProcess, UrlEncodesQueries) {
  EXPECT_EQ(url_encode(R"(a{b=~"c.*"} + 1)"), "a%7Bb%3D~%22c.%2A%22%7D%20%2B%201");
  EXPECT_EQ(url_encode("x_y-z.~"), "x_y-z.~");
}

}  // namespace
}  // namespace stampede::testing
