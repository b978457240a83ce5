// Reading a LoadTest: status fields of the wrong type and specs that need too many runners.
#include "controller/loadtest.h"

#include <gtest/gtest.h>

#include "base/rfc3339.h"
#include "controller/decide.h"

namespace stampede::op {
namespace {

nlohmann::json object(const nlohmann::json& runners, const nlohmann::json& status) {
  return {{"metadata", {{"name", "demo"}, {"namespace", "ns"}, {"uid", "u-1"}, {"generation", 1}}},
          {"spec",
           {{"target", {{"url", "http://target:8080"}}},
            {"load", {{"users", 5000}, {"duration", "30s"}}},
            {"scenarios", {{{"name", "s"}, {"steps", {{{"get", "/"}}}}}}},
            {"runners", runners}}},
          {"status", status}};
}

Decision decide_now(const nlohmann::json& o) {
  Observed observed;
  observed.lt = read_loadtest(o, OperatorDefaults{});
  observed.now = *parse_rfc3339("2026-11-22T12:00:00Z", nullptr);
  return decide(observed);
}

// Found by the loadtest fuzz target: every reconcile of a LoadTest whose status had been edited
// to other types threw (json type_error) and was retried forever.
TEST(LoadTest, StatusFieldsOfAnotherTypeAreReadAsNotWritten) {
  const nlohmann::json runners = {{"maxUsersPerRunner", 1000}};
  for (const nlohmann::json& status : {
           nlohmann::json{{"phase", "Starting"}, {"runners", 3}},
           nlohmann::json{{"phase", "Starting"}, {"runners", {{"desired", "three"}}}},
           nlohmann::json{{"phase", 5}},
           nlohmann::json{{"phase", "Running"}, {"conditions", {1, "x", {{"type", 2}}}}},
           nlohmann::json{{"phase", "Starting"}, {"conditions", "Ready"}},
       }) {
    SCOPED_TRACE(status.dump());
    Decision d;
    EXPECT_NO_THROW(d = decide_now(object(runners, status)));
  }
  const LoadTest lt =
      read_loadtest(object(runners, {{"phase", 5}, {"runners", {{"desired", -1}}}, {"other", 1}}),
                    OperatorDefaults{});
  EXPECT_FALSE(lt.status.contains("phase"));
  EXPECT_FALSE(lt.status.contains("runners")) << "a negative count would wrap to 4294967295";
  EXPECT_EQ(lt.status["other"], 1) << "fields the controller does not read are kept";
}

// Found by the loadtest fuzz target: an integer field holding a float or a number out of range
// was cast (startTimeoutSeconds 6.01845e21 into an int: undefined; runners.count -1 into a
// uint32_t: 4294967295). Such a field now reads as absent.
TEST(LoadTest, IntegerFieldsOutOfRangeReadAsAbsent) {
  const OperatorDefaults defaults;
  nlohmann::json o = object({{"count", -1}, {"maxUsersPerRunner", 1.5}}, {});
  o["spec"]["startTimeoutSeconds"] = 6.01845e21;
  o["spec"]["ttlSecondsAfterFinished"] = 4294967296;
  o["metadata"]["generation"] = 1e300;
  const LoadTest lt = read_loadtest(o, defaults);
  EXPECT_EQ(lt.runners.count, 0u);
  EXPECT_EQ(lt.runners.max_users_per_runner, defaults.max_users_per_runner);
  EXPECT_EQ(lt.start_timeout_seconds, defaults.start_timeout_seconds);
  EXPECT_EQ(lt.ttl_seconds_after_finished, 0);
  EXPECT_EQ(lt.generation, 0);
  o["spec"]["startTimeoutSeconds"] = 42;
  o["spec"]["runners"]["count"] = 3;
  EXPECT_EQ(read_loadtest(o, defaults).start_timeout_seconds, 42);
  EXPECT_EQ(read_loadtest(o, defaults).runners.count, 3u);
}

// Seen while fixing the status finding (not by the fuzzer itself): 5000 users at
// maxUsersPerRunner 1 asked for 5000 pods, and a peak past 2^32 runners overflowed the count.
// More than kMaxRunners is an invalid spec.
TEST(LoadTest, MoreRunnersThanTheLimitIsAnInvalidSpec) {
  for (const nlohmann::json& runners :
       {nlohmann::json{{"maxUsersPerRunner", 1}}, nlohmann::json{{"count", 1001}}}) {
    SCOPED_TRACE(runners.dump());
    SourceErrors errors;
    EXPECT_FALSE(plan_of(read_loadtest(object(runners, {}), OperatorDefaults{}), &errors));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].message.find("more than the limit of 1000"), std::string::npos)
        << errors[0].message;
    const Decision d = decide_now(object(runners, {}));
    EXPECT_EQ(d.status.value("reason", ""), "InvalidSpec");
    EXPECT_TRUE(d.actions.empty());
  }
  SourceErrors errors;
  EXPECT_TRUE(plan_of(read_loadtest(object({{"count", 1000}}, {}), OperatorDefaults{}), &errors));
}

// The operator judges the merged result, so env() in a threshold reads what the spec gives the
// runners (`env` entries with a value): the same bound the runners see.
TEST(LoadTest, ThresholdsReadEnvFromTheRunnersEnvValues) {
  nlohmann::json o =
      object({{"count", 1},
              {"env",
               {{{"name", "P95_LIMIT"}, {"value", "450ms"}},
                {{"name", "FROM_SECRET"},
                 {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}}}}},
             {});
  o["spec"]["thresholds"] = {{"http_req_duration", {"p(95) < {{ env(\"P95_LIMIT\", \"2s\") }}"}},
                             {"http_req_failed", {"rate < {{ env(\"RATE_LIMIT\", \"1%\") }}"}}};
  SourceErrors errors;
  const std::optional<Plan> plan = plan_of(read_loadtest(o, OperatorDefaults{}), &errors);
  ASSERT_TRUE(plan) << (errors.empty() ? "" : errors[0].message);
  ASSERT_EQ(plan->thresholds.size(), 2u);
  EXPECT_DOUBLE_EQ(plan->thresholds[0].conditions[0].bound, 0.45);
  EXPECT_DOUBLE_EQ(plan->thresholds[1].conditions[0].bound, 0.01);
  // A value the operator cannot read (a Secret) and no default: the spec is invalid, by field.
  o["spec"]["thresholds"] = {{"http_req_duration", {"p(95) < {{ env(\"FROM_SECRET\") }}"}}};
  errors.clear();
  EXPECT_FALSE(plan_of(read_loadtest(o, OperatorDefaults{}), &errors));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].path, "spec.thresholds.http_req_duration[0]");
  EXPECT_NE(errors[0].message.find("FROM_SECRET is not set"), std::string::npos)
      << errors[0].message;
}

}  // namespace
}  // namespace stampede::op
