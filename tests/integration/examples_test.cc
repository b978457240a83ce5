// Every plan in examples/ validates, and runs briefly against the bundled target with its
// thresholds passing, so the examples in the README never drift from the parser.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

// The examples that sign JWTs read their HS256 secret from this variable (a secret never sits
// in a plan); the bundled target is started with the same secret.
const std::string kJwtSecret = "stampede-demo-secret";
const Env kExampleEnv{{"STAMPEDE_EXAMPLE_JWT_SECRET", kJwtSecret}};

std::vector<std::string> example_plans() {
  std::vector<std::string> plans;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(STAMPEDE_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() == ".yaml") plans.push_back(entry.path().string());
  }
  return plans;
}

// The load overrides for a short run, from `stampede validate`'s description of the load
// ("valid — closed model, 8 stages, 10m, ..."): a constant load gets `-t 2s`; staged loads
// shorter than a minute keep their stages (so stage thresholds see data); longer ones (a
// profile such as progressive or spike, or the stages of a whole test day) run as a constant
// load of the same model for 2 s, where their stage thresholds have no data and pass.
std::vector<std::string> short_run_flags(const std::string& validate_output) {
  static const std::regex kStaged(R"(— (open|closed) model, \d+ stages, ([^,]+),)");
  std::smatch m;
  if (!std::regex_search(validate_output, m, kStaged)) return {"-t", "2s"};
  const std::string duration = m[2].str();
  const bool minute_or_more =
      duration.find_first_of("hd") != std::string::npos ||
      (duration.find('m') != std::string::npos && duration.find("ms") == std::string::npos);
  if (!minute_or_more) return {};
  if (m[1].str() == "open") return {"--rate", "20", "-t", "2s"};
  return {"-u", "5", "-t", "2s"};
}

TEST(Examples, ThereAreExamples) {
  EXPECT_GE(example_plans().size(), 2u);
}

TEST(Examples, ShortRunFlagsFollowTheLoad) {
  EXPECT_EQ(short_run_flags("p: valid — closed model, 10 users, 10s, 1 scenario(s)"),
            (std::vector<std::string>{"-t", "2s"}));
  EXPECT_TRUE(short_run_flags("p: valid — open model, 2 stages, 15s, 1 scenario(s)").empty());
  EXPECT_EQ(short_run_flags("p: valid — open model, 6 stages, 8m15s, 1 scenario(s)"),
            (std::vector<std::string>{"--rate", "20", "-t", "2s"}));
  EXPECT_EQ(short_run_flags("p: valid — closed model, 8 stages, 10m, 2 scenario(s)"),
            (std::vector<std::string>{"-u", "5", "-t", "2s"}));
  EXPECT_EQ(short_run_flags("p: valid — closed model, 3 stages, 1h, 2 scenario(s)"),
            (std::vector<std::string>{"-u", "5", "-t", "2s"}));
}

TEST(Examples, EveryExampleValidates) {
  for (const auto& plan : example_plans()) {
    const auto r =
        run_process({STAMPEDE_BIN, "validate", plan}, std::chrono::seconds(30), kExampleEnv);
    EXPECT_EQ(r.status.code, 0) << plan << "\n" << r.stderr_text;
  }
}

TEST(Examples, EveryExampleRunsAndPassesItsThresholds) {
  TargetProcess target(STAMPEDE_TARGET_BIN, {"--jwt-secret", kJwtSecret});
  for (const auto& plan : example_plans()) {
    const auto validate =
        run_process({STAMPEDE_BIN, "validate", plan}, std::chrono::seconds(30), kExampleEnv);
    std::vector<std::string> argv{STAMPEDE_BIN, "run", plan, "-H", target.url(), "--quiet"};
    for (const auto& flag : short_run_flags(validate.stdout_text)) argv.push_back(flag);
    const auto r = run_process(argv, std::chrono::seconds(120), kExampleEnv);
    EXPECT_EQ(r.status.code, 0) << plan << "\n" << r.stdout_text << r.stderr_text;
  }
}

}  // namespace
}  // namespace stampede::testing
