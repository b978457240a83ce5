// The real stampede binary with too few file handles for its users: connections fail, but the
// result must still reach --json (its file is opened before the load starts).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

// Enough for the runner's own files, its two worker threads (--threads 2: each event loop
// holds a few descriptors, so more cores must not eat the budget) and its first connections;
// far fewer than its 300 users need.
constexpr unsigned kOpenFileLimit = 64;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(OutOfFileHandles, TheJsonResultIsStillWritten) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan = write_temp_file("target: " + target.url() +
                                           "\nload: {users: 300, duration: 2s}\n"
                                           "scenarios: [{name: s, steps: [{get: /}]}]\n");
  const std::string json = write_temp_file("", ".json");
  std::remove(json.c_str());  // the run creates it
  const RunResult run = run_process(
      with_open_file_limit(
          kOpenFileLimit, {STAMPEDE_BIN, "run", plan, "--threads", "2", "--json", json, "--quiet"}),
      std::chrono::seconds(60));
  const std::string describe = run.status.to_string() + "\n--- stdout\n" + run.stdout_text +
                               "\n--- stderr\n" + run.stderr_text;
  ASSERT_FALSE(run.timed_out) << describe;
  EXPECT_NE(run.stdout_text.find("requests"), std::string::npos) << "no summary\n" << describe;
  EXPECT_EQ(run.stderr_text.find("cannot write"), std::string::npos) << describe;
  const auto result = nlohmann::json::parse(read_text(json), nullptr, false);
  ASSERT_TRUE(result.is_object()) << "no JSON result\n" << describe;
  EXPECT_GT(result["totals"]["requests"].get<std::uint64_t>(), 0u) << describe;
  EXPECT_GT(result["totals"]["failures"].get<std::uint64_t>(), 0u)
      << "the file handles never ran out: the test proves nothing\n"
      << describe;
  EXPECT_EQ(run.status.code, 0) << "no thresholds: the run itself succeeded\n" << describe;
}

// The users without a file handle fail at once on every connect. Before they backed off, each
// failed again immediately: some 100,000 connect_errors in 2 s, with a CPU spinning that the
// working users needed. Now each waits 10 ms, doubling to 1 s: a dozen attempts each at most.
TEST(OutOfFileHandles, UsersWithoutAHandleWaitInsteadOfSpinning) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan = write_temp_file("target: " + target.url() +
                                           "\nload: {users: 300, duration: 2s}\n"
                                           "scenarios: [{name: s, steps: [{get: /}]}]\n");
  const std::string json = write_temp_file("", ".json");
  std::remove(json.c_str());
  const RunResult run = run_process(
      with_open_file_limit(
          kOpenFileLimit, {STAMPEDE_BIN, "run", plan, "--threads", "2", "--json", json, "--quiet"}),
      std::chrono::seconds(60));
  const std::string describe = run.status.to_string() + "\n--- stderr\n" + run.stderr_text;
  ASSERT_FALSE(run.timed_out) << describe;
  EXPECT_NE(run.stderr_text.find("300 users need 300 connections"), std::string::npos) << describe;
  EXPECT_NE(run.stderr_text.find("ulimit -n"), std::string::npos) << describe;
  const auto result = nlohmann::json::parse(read_text(json), nullptr, false);
  ASSERT_TRUE(result.is_object()) << "no JSON result\n" << describe;
  const auto connect_errors = result["errors"]["connect_error"].get<std::uint64_t>();
  EXPECT_GT(connect_errors, 0u) << "the handles never ran out: the test proves nothing";
  // ~250 users without a handle, at most ~12 attempts each in 2 s (10 ms doubling, jittered
  // down to half): 3,000; the margin allows for handles freed and taken again.
  EXPECT_LT(connect_errors, 6000u) << describe;
  // The users that hold a connection keep working.
  EXPECT_GT(result["totals"]["requests"].get<std::uint64_t>(), connect_errors) << describe;
}

}  // namespace
}  // namespace stampede::testing
