#pragma once
// Helpers shared by the plan parser tests: a minimal valid plan to vary, parsing shortcuts and
// an assertion that an error with this path, line and message was reported.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "plan/plan_parser.h"

namespace stampede::plan_test {

// A valid plan to build variations on; each test changes one part.
inline constexpr const char* kMinimal = R"yaml(target: http://localhost:8080
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
      - get: /
)yaml";

inline std::string describe(const SourceErrors& errors) {
  std::string out;
  for (const SourceError& e : errors) out += "\n  " + e.format("plan.yaml");
  return out.empty() ? " (none)" : out;
}

inline ParseResult parse(std::string_view yaml, const std::string& host = "") {
  ParseOptions options;
  options.host_override = host;
  return parse_plan_text(yaml, options);
}

inline Plan parse_ok(std::string_view yaml, const std::string& host = "") {
  ParseResult result = parse(yaml, host);
  EXPECT_TRUE(result.errors.empty()) << "errors:" << describe(result.errors);
  EXPECT_TRUE(result.plan.has_value());
  return result.plan.value_or(Plan{});
}

// An error (or warning) with exactly this path and line whose message contains `message`.
inline testing::AssertionResult has(const SourceErrors& errors, std::string_view path, int line,
                                    std::string_view message) {
  for (const SourceError& e : errors) {
    if (e.path == path && e.line == line && e.message.find(message) != std::string::npos) {
      return testing::AssertionSuccess();
    }
  }
  return testing::AssertionFailure() << "no " << path << " at line " << line << " with \""
                                     << message << "\"; got:" << describe(errors);
}

inline testing::AssertionResult has_error(const ParseResult& result, std::string_view path,
                                          int line, std::string_view message) {
  if (result.plan) return testing::AssertionFailure() << "a plan was returned despite errors";
  return has(result.errors, path, line, message);
}

inline const HttpStep& http(const Step& step) {
  return std::get<HttpStep>(step);
}

// A plan without a target, for the -H/--host override.
inline constexpr const char* kNoTarget = R"yaml(load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml";

}  // namespace stampede::plan_test
