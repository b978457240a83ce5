#pragma once
// A plan with a setup and a teardown against the bundled target (docs/setup-teardown.md): the
// setup creates one plan resource, the fixture, whose id and name every user reads; the teardown
// approves it. The target's /__stats then counts each phase's requests apart from the load's.

#include <sstream>
#include <string>

namespace stampede::testing {

struct FixturePlan {
  std::string target_url;
  std::string setup_path = "/api/plans";                              // POST: creates it
  std::string teardown_path = "/api/plans/{{ setup.plan }}/approve";  // POST
  std::string fixture_name = "fixture";  // what the setup sends and the users check
  std::string load = "{users: 3, duration: 2s}";
};

// The plan's YAML (target, load, setup, scenarios, teardown), each line indented by `indent`
// spaces (2 inside a LoadTest's spec). `fixture_name` must be a YAML double-quoted string's body.
inline std::string fixture_plan_yaml(const FixturePlan& p, int indent = 0) {
  const std::string text = "target: " + p.target_url + "\nload: " + p.load + R"(
setup:
  steps:
    - post: )" + p.setup_path +
                           R"(
      name: create fixture
      json: {name: ")" + p.fixture_name +
                           R"("}
      expect: {status: [201]}
      extract: {plan: {json: /id}, plan_name: {json: /name}}
scenarios:
  - name: read
    wait: constant(20ms)
    steps:
      - get: /api/plans/{{ setup.plan }}
        name: read fixture
        checks:
          - {name: the setup's fixture, json: /name, equals: "{{ setup.plan_name }}"}
teardown:
  steps:
    - post: )" + p.teardown_path +
                           R"(
      name: approve fixture
      checks: [{json: /status, equals: approved}]
)";
  std::istringstream lines(text);
  std::string out;
  for (std::string line; std::getline(lines, line);) {
    out += std::string(static_cast<std::size_t>(indent), ' ') + line + "\n";
  }
  return out;
}

}  // namespace stampede::testing
