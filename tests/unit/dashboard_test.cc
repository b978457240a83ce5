// dashboards/stampede.json against the runner's metrics contract: valid JSON, unique panel ids,
// every panel and query on the $datasource variable, only metrics the runner exposes, only
// variables the dashboard defines (or Grafana's built-in ones), and the helpers that a live
// Prometheus test uses to run the dashboard's queries.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "support/dashboard_queries.h"

namespace stampede::testing {
namespace {

const std::string kDashboard = std::string(STAMPEDE_SOURCE_DIR) + "/dashboards/stampede.json";

// The metrics the runner exposes (the contract in dashboards/README.md).
const std::set<std::string> kContractMetrics = {
    "stampede_requests_total",
    "stampede_request_failures_total",
    "stampede_request_duration_seconds_bucket",
    "stampede_request_duration_seconds_sum",
    "stampede_request_duration_seconds_count",
    "stampede_iterations_total",
    "stampede_dropped_total",
    "stampede_data_sent_bytes_total",
    "stampede_data_received_bytes_total",
    "stampede_users",
    "stampede_target_rate",
    "stampede_threshold_ok",
    "stampede_test_state",
    "stampede_test_elapsed_seconds",
    "stampede_test_planned_duration_seconds",
    "stampede_runner_info",
    "stampede_sse_time_to_first_event_seconds_bucket",
    "stampede_sse_event_gap_seconds_bucket",
    "stampede_sse_events_total",
    "stampede_sse_tokens_total",
    "stampede_sse_streams_total",
    "stampede_ws_sessions_total",
    "stampede_ws_msgs_sent_total",
    "stampede_ws_msgs_received_total",
    "stampede_ws_connecting_seconds_bucket",
    "stampede_ws_session_duration_seconds_bucket",
    "stampede_ws_ping_seconds_bucket",
    "stampede_ws_message_gap_seconds_bucket",
};

// Metrics that carry scenario and name labels (the rest cannot be filtered by them).
const std::set<std::string> kScenarioMetrics = {
    "stampede_iterations_total", "stampede_dropped_total", "stampede_data_sent_bytes_total",
    "stampede_data_received_bytes_total"};
const std::set<std::string> kScenarioNameMetrics = {
    "stampede_requests_total",
    "stampede_request_failures_total",
    "stampede_request_duration_seconds_bucket",
    "stampede_request_duration_seconds_sum",
    "stampede_request_duration_seconds_count",
    "stampede_sse_time_to_first_event_seconds_bucket",
    "stampede_sse_event_gap_seconds_bucket",
    "stampede_sse_events_total",
    "stampede_sse_tokens_total",
    "stampede_sse_streams_total",
    "stampede_ws_sessions_total",
    "stampede_ws_msgs_sent_total",
    "stampede_ws_msgs_received_total",
    "stampede_ws_connecting_seconds_bucket",
    "stampede_ws_session_duration_seconds_bucket",
    "stampede_ws_ping_seconds_bucket",
    "stampede_ws_message_gap_seconds_bucket"};

const std::set<std::string> kAllowedVariables = {
    "datasource", "testid", "scenario", "name", "__rate_interval", "__interval", "__range"};

const Substitutions kSubstitutions = {{"testid", "t-1"},    {"scenario", ".*"},
                                      {"name", ".*"},       {"__rate_interval", "20s"},
                                      {"__interval", "5s"}, {"__range", "15m"}};

class Dashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_THROW(dashboard_ = load_dashboard(kDashboard));
    panels_ = dashboard_panels(dashboard_);
    ASSERT_FALSE(panels_.empty());
  }

  // Every (panel title, expr) of the dashboard, unsubstituted.
  std::vector<std::pair<std::string, std::string>> exprs() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& panel : panels_) {
      for (const auto& target : panel.value("targets", nlohmann::json::array())) {
        if (target.contains("expr")) out.emplace_back(panel.value("title", ""), target["expr"]);
      }
    }
    return out;
  }

  const nlohmann::json* variable(const std::string& name) const {
    for (const auto& v : dashboard_["templating"]["list"]) {
      if (v.value("name", "") == name) return &v;
    }
    return nullptr;
  }

  nlohmann::json dashboard_;
  std::vector<nlohmann::json> panels_;
};

TEST_F(Dashboard, HasTheExpectedIdentityAndSettings) {
  EXPECT_EQ(dashboard_.value("uid", ""), "stampede");
  EXPECT_EQ(dashboard_.value("title", ""), "Stampede load test");
  EXPECT_EQ(dashboard_.value("refresh", ""), "5s");
  EXPECT_GE(dashboard_.value("schemaVersion", 0), 36);
  EXPECT_EQ(dashboard_["time"].value("from", ""), "now-15m");
}

TEST_F(Dashboard, PanelIdsAreUniqueIncludingNestedPanels) {
  std::set<int> ids;
  bool nested = false;
  for (const auto& panel : dashboard_["panels"]) {
    nested = nested || !panel.value("panels", nlohmann::json::array()).empty();
  }
  EXPECT_TRUE(nested) << "expected a collapsed row with nested panels";
  for (const auto& panel : panels_) {
    ASSERT_TRUE(panel.contains("id") && panel["id"].is_number_integer()) << panel.dump();
    EXPECT_TRUE(ids.insert(panel["id"].get<int>()).second)
        << "duplicate panel id " << panel["id"] << " (" << panel.value("title", "") << ")";
  }
}

TEST_F(Dashboard, EveryPanelAndTargetUsesTheDatasourceVariable) {
  const nlohmann::json expected = {{"type", "prometheus"}, {"uid", "${datasource}"}};
  for (const auto& panel : panels_) {
    const std::string title = panel.value("title", "");
    EXPECT_EQ(panel.value("datasource", nlohmann::json()), expected) << "panel " << title;
    for (const auto& target : panel.value("targets", nlohmann::json::array())) {
      EXPECT_EQ(target.value("datasource", nlohmann::json()), expected)
          << "panel " << title << " target " << target.value("refId", "");
    }
    if (panel.value("type", "") != "row") {
      EXPECT_FALSE(panel.value("targets", nlohmann::json::array()).empty()) << title;
    }
  }
}

TEST_F(Dashboard, QueriesUseOnlyContractMetrics) {
  std::set<std::string> used;
  for (const auto& [title, expr] : exprs()) {
    const auto names = metric_names(expr);
    EXPECT_FALSE(names.empty()) << title << ": " << expr;
    for (const auto& metric : names) {
      EXPECT_TRUE(kContractMetrics.contains(metric))
          << title << ": " << metric << " is not a metric the runner exposes";
      used.insert(metric);
    }
  }
  // Every metric of the contract appears somewhere (the dashboard shows all the runner offers).
  for (const auto& metric : kContractMetrics) EXPECT_TRUE(used.contains(metric)) << metric;
}

TEST_F(Dashboard, QueriesFilterByTestScenarioAndName) {
  for (const auto& [title, expr] : exprs()) {
    // Each selector `metric{...}` of the expression.
    for (std::size_t pos = expr.find("stampede_"); pos != std::string::npos;
         pos = expr.find("stampede_", pos + 1)) {
      if (pos > 0 &&
          (std::isalnum(static_cast<unsigned char>(expr[pos - 1])) || expr[pos - 1] == '_')) {
        continue;
      }
      const std::size_t open = expr.find('{', pos);
      const std::string metric = expr.substr(pos, open - pos);
      ASSERT_NE(open, std::string::npos) << title << ": " << metric << " has no label filter";
      ASSERT_TRUE(kContractMetrics.contains(metric)) << title << ": " << metric;
      const std::string labels = expr.substr(open, expr.find('}', open) - open);
      EXPECT_NE(labels.find(R"(testid=~"$testid")"), std::string::npos) << title << ": " << expr;
      if (kScenarioMetrics.contains(metric) || kScenarioNameMetrics.contains(metric)) {
        EXPECT_NE(labels.find(R"(scenario=~"$scenario")"), std::string::npos)
            << title << ": " << expr;
      }
      if (kScenarioNameMetrics.contains(metric)) {
        EXPECT_NE(labels.find(R"(name=~"$name")"), std::string::npos) << title << ": " << expr;
      }
    }
  }
}

TEST_F(Dashboard, QueriesUseOnlyKnownVariables) {
  for (const auto& [title, expr] : exprs()) {
    for (const auto& name : variable_references(expr)) {
      EXPECT_TRUE(kAllowedVariables.contains(name)) << title << ": $" << name;
    }
  }
  for (const auto& v : dashboard_["templating"]["list"]) {
    for (const auto& name : variable_references(v.value("definition", ""))) {
      EXPECT_TRUE(kAllowedVariables.contains(name)) << "variable " << v["name"] << ": $" << name;
    }
  }
}

TEST_F(Dashboard, LatencyPercentilesComeFromTheMergedHistogram) {
  std::set<std::string> quantiles;
  for (const auto& [title, expr] : exprs()) {
    if (title != "Latency percentiles") continue;
    for (const char* q : {"0.5", "0.9", "0.95", "0.99"}) {
      const std::string prefix = std::string("histogram_quantile(") + q +
                                 ", sum by (le) (rate(stampede_request_duration_seconds_bucket{";
      if (expr.starts_with(prefix) && expr.ends_with("[$__rate_interval])))")) quantiles.insert(q);
    }
  }
  EXPECT_EQ(quantiles, (std::set<std::string>{"0.5", "0.9", "0.95", "0.99"}));
}

TEST_F(Dashboard, WebSocketRowShowsReplyTimesAndEveryWsFailureReason) {
  const auto queries = dashboard_queries(kDashboard, kSubstitutions);
  bool reply = false;
  bool failures = false;
  for (const auto& q : queries) {
    if (q.panel_title == "Reply time (p95) by name") {
      reply = q.expr.find("stampede_request_duration_seconds_bucket{") != std::string::npos &&
              q.expr.find(R"(method="REPLY")") != std::string::npos;
    }
    if (q.panel_title == "WebSocket failures by reason") {
      failures = q.expr.starts_with("sum by (reason) (rate(stampede_request_failures_total{");
      for (const char* reason : {"ws_handshake_refused", "ws_closed_abnormally",
                                 "ws_protocol_error", "receive_timeout", "message_too_large"}) {
        EXPECT_NE(q.expr.find(reason), std::string::npos) << reason << " in " << q.expr;
      }
    }
  }
  EXPECT_TRUE(reply) << "a reply time panel on the REPLY rows' latency histogram";
  EXPECT_TRUE(failures) << "a WebSocket failures by reason panel";
  // The row follows the Streams row.
  std::vector<std::string> rows;
  for (const auto& panel : dashboard_["panels"]) {
    if (panel.value("type", "") == "row") rows.push_back(panel.value("title", ""));
  }
  const auto streams = std::find_if(rows.begin(), rows.end(),
                                    [](const auto& title) { return title.starts_with("Streams"); });
  ASSERT_NE(streams, rows.end());
  ASSERT_NE(streams + 1, rows.end());
  EXPECT_EQ(*(streams + 1), "WebSocket");
}

TEST_F(Dashboard, ShowsTheSharesOf429And5xx) {
  bool share_429 = false;
  bool share_5xx = false;
  for (const auto& [title, expr] : exprs()) {
    share_429 = share_429 || expr.find(R"(status="429")") != std::string::npos;
    share_5xx = share_5xx || expr.find(R"(status=~"5..")") != std::string::npos;
  }
  EXPECT_TRUE(share_429);
  EXPECT_TRUE(share_5xx);
}

TEST_F(Dashboard, TemplatingDefinesTheVariables) {
  const auto* datasource = variable("datasource");
  ASSERT_NE(datasource, nullptr);
  EXPECT_EQ(datasource->value("type", ""), "datasource");
  EXPECT_EQ(datasource->value("query", ""), "prometheus");

  const auto* testid = variable("testid");
  ASSERT_NE(testid, nullptr);
  EXPECT_EQ(testid->value("type", ""), "query");
  EXPECT_EQ(testid->value("definition", ""), "label_values(stampede_runner_info, testid)");

  for (const char* name : {"scenario", "name"}) {
    const auto* v = variable(name);
    ASSERT_NE(v, nullptr) << name;
    EXPECT_EQ(v->value("type", ""), "query") << name;
    EXPECT_TRUE(v->value("multi", false)) << name;
    EXPECT_TRUE(v->value("includeAll", false)) << name;
    EXPECT_EQ(v->value("allValue", ""), ".*") << name;
    const std::string definition = v->value("definition", "");
    EXPECT_TRUE(definition.starts_with("label_values(")) << definition;
    EXPECT_NE(definition.find(R"(testid=~"$testid")"), std::string::npos) << definition;
  }
  EXPECT_NE(variable("name")->value("definition", "").find(R"(scenario=~"$scenario")"),
            std::string::npos);
  for (const auto* v : {testid, variable("scenario"), variable("name")}) {
    EXPECT_EQ(v->value("datasource", nlohmann::json()),
              (nlohmann::json{{"type", "prometheus"}, {"uid", "${datasource}"}}));
  }
}

TEST_F(Dashboard, QueriesSubstituteToPlainPromQL) {
  const auto queries = dashboard_queries(kDashboard, kSubstitutions);
  ASSERT_EQ(queries.size(), exprs().size());
  for (const auto& q : queries) {
    EXPECT_EQ(q.expr.find('$'), std::string::npos) << q.panel_title << ": " << q.expr;
    EXPECT_GT(q.panel_id, 0);
    EXPECT_FALSE(q.ref_id.empty());
    EXPECT_FALSE(q.panel_title.empty());
  }
  const auto first = std::find_if(queries.begin(), queries.end(),
                                  [](const auto& q) { return q.panel_title == "Request rate"; });
  ASSERT_NE(first, queries.end());
  EXPECT_EQ(
      first->expr,
      R"(sum(rate(stampede_requests_total{testid=~"t-1", scenario=~".*", name=~".*"}[20s])))");
}

// ---------------------------------------------------------------------------------------------
// The helpers themselves.

TEST(DashboardHelpers, FindsVariableReferencesInEverySyntax) {
  EXPECT_EQ(variable_references(R"(a{x=~"$testid"}[$__rate_interval] ${name} ${scenario:regex})"),
            (std::vector<std::string>{"testid", "__rate_interval", "name", "scenario"}));
  EXPECT_EQ(variable_references("[[testid]] [[name:csv]] up{le=\"+Inf\"} x$ $ $$"),
            (std::vector<std::string>{"testid", "name"}));
}

TEST(DashboardHelpers, SubstitutesLongestNamesAndKeepsLoneDollars) {
  const Substitutions subs = {{"__range", "5m"}, {"$__rate_interval", "20s"}, {"name", "a|b"}};
  EXPECT_EQ(substitute_variables(R"(r[$__rate_interval] i[$__range] n=~"${name}" re=~"x$")", subs),
            R"(r[20s] i[5m] n=~"a|b" re=~"x$")");
  EXPECT_THROW(substitute_variables("x[$__interval]", subs), std::invalid_argument);
}

TEST(DashboardHelpers, FindsMetricNamesOutsideStrings) {
  EXPECT_EQ(
      metric_names(
          R"(sum by (le) (rate(stampede_a_bucket{x="stampede_b", y=~'stampede_c'}[$__rate_interval])) / on() stampede_d:ratio)"),
      (std::vector<std::string>{"stampede_a_bucket", "stampede_d:ratio"}));
}

}  // namespace
}  // namespace stampede::testing
