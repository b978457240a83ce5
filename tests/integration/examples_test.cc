// Every plan in examples/ validates, and runs briefly against the bundled target with its
// thresholds passing, so the examples in the README never drift from the parser.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

std::vector<std::string> example_plans() {
  std::vector<std::string> plans;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(STAMPEDE_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() == ".yaml") plans.push_back(entry.path().string());
  }
  return plans;
}

TEST(Examples, ThereAreExamples) {
  EXPECT_GE(example_plans().size(), 2u);
}

TEST(Examples, EveryExampleValidates) {
  for (const auto& plan : example_plans()) {
    const auto r = run_process({STAMPEDE_BIN, "validate", plan}, std::chrono::seconds(30));
    EXPECT_EQ(r.status.code, 0) << plan << "\n" << r.stderr_text;
  }
}

TEST(Examples, EveryExampleRunsAndPassesItsThresholds) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  for (const auto& plan : example_plans()) {
    // A short run with the plan's own load model; staged plans keep their stages.
    const auto validate = run_process({STAMPEDE_BIN, "validate", plan}, std::chrono::seconds(30));
    const bool staged = validate.stdout_text.find("stages") != std::string::npos;
    std::vector<std::string> argv{STAMPEDE_BIN, "run", plan, "-H", target.url(), "--quiet"};
    if (!staged) argv.insert(argv.end(), {"-t", "2s"});
    const auto r = run_process(argv, std::chrono::seconds(120));
    EXPECT_EQ(r.status.code, 0) << plan << "\n" << r.stdout_text << r.stderr_text;
  }
}

}  // namespace
}  // namespace stampede::testing
