// Exit codes and error messages of the real binary: 0 pass, 99 threshold failed, 2 invalid
// plan or usage, 1 could not run. Bad input names the field path and line, never crashes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

std::string plan_for(const std::string& url, const std::string& thresholds) {
  return "target: " + url + R"(
load: {users: 2, duration: 1s}
scenarios:
  - name: home
    steps: [{get: /}]
)" + (thresholds.empty() ? "" : "thresholds:\n" + thresholds);
}

TEST(Cli, ExitZeroWhenThresholdsPass) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede(
      "run", plan_for(target.url(), R"(  http_req_duration: ["p(95) < 2s", "p(99) < 3000ms"]
  http_req_failed: ["rate < 0.01"]
  http_reqs: ["count > 10"]
  "http_req_duration{scenario:home}": ["max < 5s"]
)"));
  EXPECT_EQ(run.exit_code, 0) << run.describe();
  EXPECT_NE(run.out.find("PASS"), std::string::npos) << run.out;
  EXPECT_EQ(run.result["thresholds"].size(), 5u);
  EXPECT_TRUE(run.result["thresholds_ok"].get<bool>());
}

TEST(Cli, ExitNinetyNineWhenAThresholdFails) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", plan_for(target.url(), R"(  http_reqs: ["count > 100000000"]
)"));
  EXPECT_EQ(run.exit_code, 99) << run.describe();
  EXPECT_NE(run.out.find("FAIL"), std::string::npos) << run.out;
  EXPECT_FALSE(run.result["thresholds"][0]["ok"].get<bool>());
  EXPECT_GT(run.result["thresholds"][0]["actual"].get<double>(), 10);
}

TEST(Cli, AbortOnFailStopsTheRunEarly) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", "target: " + target.url() + R"(
load: {users: 2, duration: 60s}
scenarios:
  - name: broken
    steps: [{get: /status/500}]
thresholds:
  http_req_failed: [{threshold: "rate < 0.01", abortOnFail: true, delayAbortEval: 1s}]
)");
  EXPECT_EQ(run.exit_code, 99) << run.describe();
  EXPECT_LT(run.result["totals"]["duration_seconds"].get<double>(), 10);
  EXPECT_NE(run.result.value("aborted_by", "").find("http_req_failed"), std::string::npos)
      << run.result.dump();
}

TEST(Cli, ExitTwoOnAnInvalidPlanWithPathAndLine) {
  const auto run = run_stampede("validate", R"(target: http://127.0.0.1:1
load:
  users: 5
  duration: -3s
scenarios:
  - name: home
    steps: [{get: /}]
)");
  EXPECT_EQ(run.exit_code, 2) << run.describe();
  EXPECT_NE(run.err.find(":4:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("load.duration"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("terminate"), std::string::npos) << run.err;
}

TEST(Cli, ExitTwoOnBrokenYaml) {
  const auto run = run_stampede("run", "target: [unclosed\nload: {users: 1}\n");
  EXPECT_EQ(run.exit_code, 2) << run.describe();
  EXPECT_NE(run.err.find("error:"), std::string::npos) << run.err;
}

TEST(Cli, ExitTwoOnUsageErrors) {
  EXPECT_EQ(run_process({STAMPEDE_BIN}, std::chrono::seconds(10)).status.code, 2);
  EXPECT_EQ(run_process({STAMPEDE_BIN, "fly"}, std::chrono::seconds(10)).status.code, 2);
  EXPECT_EQ(run_process({STAMPEDE_BIN, "run"}, std::chrono::seconds(10)).status.code, 2);
  const auto bad_flag = run_stampede("run", plan_for("http://127.0.0.1:1", ""), {"-u", "zero"});
  EXPECT_EQ(bad_flag.exit_code, 2) << bad_flag.describe();
  EXPECT_NE(bad_flag.err.find("-u/--users"), std::string::npos) << bad_flag.err;
  const auto missing =
      run_process({STAMPEDE_BIN, "run", "/nonexistent/plan.yaml"}, std::chrono::seconds(10));
  EXPECT_EQ(missing.status.code, 2) << missing.stderr_text;
}

TEST(Cli, ExitOneWhenTheRunCannotWriteItsResult) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_process({STAMPEDE_BIN, "run", write_temp_file(plan_for(target.url(), "")),
                                "--json", "/nonexistent-dir/result.json"},
                               std::chrono::seconds(60));
  EXPECT_EQ(run.status.code, 1) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("cannot write"), std::string::npos) << run.stderr_text;
}

TEST(Cli, FlagsAndEnvironmentOverrideThePlan) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  // The plan points at a closed port; TARGET_HOST redirects it, -u/-t reshape the load.
  const auto run = run_stampede("run", plan_for("http://127.0.0.1:1", ""), {"-u", "3", "-t", "1s"},
                                std::chrono::seconds(60), {{"TARGET_HOST", target.url()}});
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  EXPECT_EQ(run.result["totals"]["failures"], 0);
  EXPECT_GT(run.result["totals"]["requests"].get<int>(), 10);
  EXPECT_LE(run.result["series"][0]["users"].get<double>(), 3);
}

// A plan without load or thresholds takes both from the profile; -t still shortens it.
TEST(Cli, ProfileGivesTheLoadAndThresholds) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", "target: " + target.url() + R"(
scenarios:
  - name: home
    steps: [{get: /}]
)",
                                {"--profile", "smoke", "-t", "2s"});
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  EXPECT_GT(run.result["totals"]["requests"].get<int>(), 5);
  EXPECT_EQ(run.result["totals"]["failures"], 0);
  EXPECT_LT(run.result["totals"]["duration_seconds"].get<double>(), 10) << "-t 2s, not 30s";
  double peak_users = 0;
  for (const auto& point : run.result["series"]) {
    peak_users = std::max(peak_users, point["users"].get<double>());
  }
  EXPECT_EQ(peak_users, 1) << "smoke is one user: " << run.result["series"].dump();
  // smoke's thresholds: http_req_failed rate, http_req_duration p(95) and p(99).
  EXPECT_EQ(run.result["thresholds"].size(), 3u) << run.result["thresholds"].dump();
}

TEST(Cli, ExitTwoOnAnUnknownProfile) {
  const std::string plan = R"(target: http://127.0.0.1:1
profile: heavy
scenarios:
  - name: home
    steps: [{get: /}]
)";
  const auto key = run_stampede("validate", plan);
  EXPECT_EQ(key.exit_code, 2) << key.describe();
  EXPECT_NE(key.err.find(":2:10: profile: unknown profile 'heavy' (known: load, progressive, "
                         "smoke, soak, spike, stress, sustained, warmup)"),
            std::string::npos)
      << key.err;
  const auto flag =
      run_stampede("validate", plan_for("http://127.0.0.1:1", ""), {"--profile", "nightly"});
  EXPECT_EQ(flag.exit_code, 2) << flag.describe();
  EXPECT_NE(flag.err.find("--profile: unknown profile 'nightly' (known: load,"), std::string::npos)
      << flag.err;
  // The flag wins over the plan's key; validate reports the resulting load.
  const auto wins = run_stampede("validate", plan, {"--profile", "soak"});
  EXPECT_EQ(wins.exit_code, 0) << wins.describe();
  EXPECT_NE(wins.out.find("closed model, 50 users"), std::string::npos) << wins.out;
}

// Every file the runner reads is a regular file within a limit: no read until bad_alloc.
TEST(Cli, ExitTwoOnAFileThatIsNotRegularOrTooLarge) {
  const std::string plan = plan_for("http://127.0.0.1:1", "");
  const auto profile = run_stampede("validate", plan, {"--profile", "/dev/zero"});
  EXPECT_EQ(profile.exit_code, 2) << profile.describe();
  EXPECT_NE(profile.err.find("--profile: cannot read profile file '/dev/zero': is a device, not "
                             "a regular file"),
            std::string::npos)
      << profile.err;
  const auto token = run_stampede("validate", plan, {"--control-token-file", "/dev/zero"});
  EXPECT_EQ(token.exit_code, 2) << token.describe();
  EXPECT_NE(token.err.find("cannot read the control token file '/dev/zero': is a device"),
            std::string::npos)
      << token.err;
  const auto big_token =
      run_stampede("validate", plan,
                   {"--control-token-file", write_temp_file(std::string(65 * 1024, 't'), ".txt")});
  EXPECT_EQ(big_token.exit_code, 2) << big_token.describe();
  EXPECT_NE(big_token.err.find("larger than the 64 KiB limit"), std::string::npos) << big_token.err;
  const auto zero_plan =
      run_process({STAMPEDE_BIN, "validate", "/dev/zero"}, std::chrono::seconds(10));
  EXPECT_EQ(zero_plan.status.code, 2) << zero_plan.stderr_text;
  EXPECT_NE(zero_plan.stderr_text.find("cannot read plan file '/dev/zero': is a device"),
            std::string::npos)
      << zero_plan.stderr_text;
}

// Every numeric flag has a range; outside it is a usage error naming the flag (exit 2), not a
// wrapped count (-u 4294967296 was 0 users) or an allocation that aborts the run.
TEST(Cli, ExitTwoOnANumericFlagOutOfRange) {
  struct FlagCase {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<FlagCase> cases = {
      {{"-u", "4294967296"}, "-u/--users: must be a whole number from 1 to 1000000"},
      {{"-u", "1000001"}, "-u/--users: must be a whole number from 1 to 1000000"},
      {{"--rate", "1e18"}, "--rate: must be a number > 0 and at most 10000000"},
      {{"-u", "1", "-r", "1000001"}, "-r/--spawn-rate: must be a number >= 0 and at most 1000000"},
      {{"-t", "31d"}, "-t/--run-time: must be > 0 and at most 30d"},
      {{"-t", "300000d"}, "-t/--run-time: duration '300000d' is too large"},
      {{"--threads", "-1"}, "--threads '-1': expected a whole number from 1 to 1024"},
      {{"--threads", "0"}, "--threads '0': expected a whole number from 1 to 1024"},
      {{"--threads", "100000"}, "--threads '100000': expected a whole number from 1 to 1024"},
      {{"--segment", "0/1001"}, "--segment '0/1001': expected i/N with 0 <= i < N <= 1000"},
      {{"--linger", "25h"}, "--linger: must be at most 1d"},
  };
  const std::string plan = plan_for("http://127.0.0.1:1", "");
  for (const FlagCase& c : cases) {
    const auto run = run_stampede("validate", plan, c.args);
    EXPECT_EQ(run.exit_code, 2) << c.args[0] << " " << c.args[1] << run.describe();
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
  }
  const auto at_limits = run_stampede("validate", plan,
                                      {"-u", "1000000", "-r", "1000000", "-t", "30d", "--threads",
                                       "1024", "--segment", "999/1000", "--linger", "24h"});
  EXPECT_EQ(at_limits.exit_code, 0) << at_limits.describe();
  const auto rate = run_stampede("validate", plan, {"--rate", "10000000"});
  EXPECT_EQ(rate.exit_code, 0) << rate.describe();
}

// --rate turns the plan into an open model, where the arrival rate paces iterations: the plan's
// `wait` no longer applies, and the runner says so as it does for the plan's own `load: {rate}`.
TEST(Cli, RateFlagWarnsThatWaitIsIgnored) {
  const std::string plan = R"(target: http://127.0.0.1:1
load: {users: 2, duration: 1s}
scenarios:
  - name: browse
    wait: between(1, 3)
    steps: [{get: /}]
  - name: api
    steps: [{get: /api}]
)";
  const auto rate = run_stampede("validate", plan, {"--rate", "5"});
  EXPECT_EQ(rate.exit_code, 0) << rate.describe();
  EXPECT_NE(rate.err.find("warning: --rate: scenarios[0].wait of 'browse' is ignored: the arrival "
                          "rate paces an open model"),
            std::string::npos)
      << rate.err;
  EXPECT_EQ(rate.err.find("'api'"), std::string::npos) << "api has no wait: " << rate.err;
  const auto users = run_stampede("validate", plan, {"-u", "5"});
  EXPECT_EQ(users.exit_code, 0) << users.describe();
  EXPECT_EQ(users.err.find("warning"), std::string::npos) << users.err;
}

// validate counts threshold conditions, and the metrics they are on.
TEST(Cli, ValidateCountsThresholdConditions) {
  const auto run = run_stampede(
      "validate",
      plan_for("http://127.0.0.1:1", R"(  http_req_duration: ["p(95) < 2s", "p(99) < 3s"]
  http_reqs: ["count > 1"]
)"));
  EXPECT_EQ(run.exit_code, 0) << run.describe();
  EXPECT_NE(run.out.find(", 3 thresholds on 2 metrics"), std::string::npos) << run.out;
  const auto one =
      run_stampede("validate", plan_for("http://127.0.0.1:1", R"(  http_reqs: ["count > 1"]
)"));
  EXPECT_NE(one.out.find(", 1 threshold on 1 metric\n"), std::string::npos) << one.out;
  const auto none = run_stampede("validate", plan_for("http://127.0.0.1:1", ""));
  EXPECT_NE(none.out.find(", no thresholds\n"), std::string::npos) << none.out;
}

TEST(Cli, VersionAndHelp) {
  const auto version = run_process({STAMPEDE_BIN, "version"}, std::chrono::seconds(10));
  EXPECT_EQ(version.status.code, 0);
  EXPECT_EQ(version.stdout_text.rfind("stampede ", 0), 0u) << version.stdout_text;
  const auto help = run_process({STAMPEDE_BIN, "--help"}, std::chrono::seconds(10));
  EXPECT_EQ(help.status.code, 0);
  EXPECT_NE(help.stdout_text.find("--spawn-rate"), std::string::npos);
  EXPECT_NE(help.stdout_text.find("--profile"), std::string::npos);
  for (const char* name :
       {"smoke", "warmup", "load", "sustained", "stress", "spike", "soak", "progressive"}) {
    EXPECT_NE(help.stdout_text.find(name), std::string::npos) << name << help.stdout_text;
  }
}

}  // namespace
}  // namespace stampede::testing
