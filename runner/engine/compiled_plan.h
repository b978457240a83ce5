#pragma once
// The plan turned into what the request path needs: requests serialized once, statistics rows
// numbered, weights ready for picking. Built once before the run; read-only afterwards, so all
// worker threads share it without locks.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/thread_stats.h"
#include "engine/ws_program.h"
#include "plan/plan.h"
#include "stats/request_stats.h"

namespace stampede {

// A request that changes per user or per iteration: rendered into the user's buffer before each
// send. Content-Length and the auth header are added at render time.
struct RequestTemplate {
  Template head;  // request line and headers, each line ending in CRLF, without the blank line
  Template body;
  bool sends_body = false;  // Content-Length even when empty (POST, PUT, PATCH or a body)
};

struct CompiledStep {
  std::string request;  // the complete HTTP/1.1 request bytes (constant steps)
  std::size_t row = 0;  // index of the statistics row (scenario + name + method)
  StatusSet expect;     // statuses that count as success
  bool head = false;    // HEAD: the response has no body whatever its headers say
  // Everything below is empty for a plain step, which keeps the request path as it was.
  std::optional<RequestTemplate> dynamic;  // set when the request has templates or auth
  const HttpStep* source = nullptr;  // the step as parsed: extract, checks, metrics, auth, retry
  std::vector<std::size_t> extract_slots;  // the variable slot of each extractor
  std::vector<std::size_t> check_index;    // each check's index in its row's check list
  std::vector<Template> check_expected;    // each check's expected value, bound to slots
  Template bearer;                         // auth bearer / basic parts, bound to slots
  Template basic_user;
  Template basic_password;
  Template jwt_claims;
  bool capture_body = false;     // extract, checks or metrics read the body
  bool capture_headers = false;  // ... or headers (Retry-After included)
  // A `ws:` step: `request` (or `dynamic`) is its handshake, `source` the handshake's HttpStep
  // (name, auth, extract, checks: these read the last message received).
  std::optional<CompiledWs> ws;
};

struct CompiledTask {
  std::vector<CompiledStep> steps;
  std::vector<std::size_t> feeders;  // data sources (Plan::data) drawn at each iteration start
};

// Where a data source's columns live among the user's variable slots.
struct FeederSlots {
  std::size_t first_slot = 0;  // column c is slot first_slot + c
};

struct CompiledScenario {
  std::string name;
  WaitTime wait;
  std::vector<CompiledTask> tasks;
  std::vector<double> task_weights;
};

// The requests a windowed threshold counts (max_count, max_rate on http_reqs): their send times
// go to a WindowCounts, under the selector's text (docs/rate-limits.md).
struct CompiledWindow {
  std::string selector;               // MetricSelector::to_string(): the result's key
  std::optional<std::string> status;  // "429" or a class "4xx"; nullopt: any
  std::optional<std::size_t> stage;   // a stage_names index: only requests started in it
  std::optional<std::string> value;   // a custom counter's `value` tag (a provider, say)
};

// A per-user windowed threshold's series (max_count_per_user(W)): each user counts its own sends
// of the matching rows in windows of `window_ns` (stats/sliding_peak.h).
struct CompiledUserWindow {
  std::string selector;  // MetricSelector::to_string(): the result's key
  std::uint64_t window_ns = 0;
  std::optional<std::string> status;  // "429" or a class "4xx"; nullopt: any
  std::optional<std::size_t> stage;   // a stage_names index: only requests started in it
};

struct CompiledPlan {
  std::vector<StatsKey> rows;                        // statistics rows in plan order
  std::vector<std::vector<std::string>> row_checks;  // check names of each row, in plan order
  const Plan* plan = nullptr;
  std::vector<FeederSlots> feeders;  // by Plan::data index
  std::size_t slot_count = 0;        // data columns, extracted variables, setup values
  // Each variable the plan's setup extracts (NAME, read as setup.NAME) and its slot.
  struct SetupSlot {
    std::string name;
    std::size_t slot = 0;
  };
  std::vector<SetupSlot> setup_slots;
  std::map<std::string, std::size_t> variable_slots;  // every variable's slot, by name
  // Load stages: the distinct stage names in plan order, and for each stage of the load model
  // its length and the index of its name (npos for an unnamed stage, which is not recorded).
  std::vector<std::string> stage_names;
  std::vector<Duration> stage_lengths;
  std::vector<std::size_t> stage_name_of;
  std::vector<CompiledScenario> scenarios;
  std::vector<double> scenario_weights;
  std::vector<CompiledWindow> windows;  // one per windowed selector
  std::vector<std::vector<std::size_t>>
      row_windows;  // by row: the windows its requests may count in
  std::vector<std::vector<std::size_t>> custom_windows;    // by Plan::metrics index: its windows
  std::vector<CompiledUserWindow> user_windows;            // one per per-user selector and window
  std::vector<std::vector<std::size_t>> row_user_windows;  // by row: its user windows
  // By row: the `limits:` entries (Plan::limits indexes) its requests wait for.
  std::vector<std::vector<std::size_t>> row_limits;
};

CompiledPlan compile_plan(const Plan& plan);

// Empty statistics for one interval of `compiled`: its rows (each with its check names),
// scenarios, stages and custom metrics.
std::unique_ptr<ThreadStats> fresh_thread_stats(const CompiledPlan& compiled);

// Builds the request template of a step that has {{ }} expressions or auth. Variables must
// already be bound to slots.
RequestTemplate request_template(const Target& target, const HttpStep& step);

// Serializes one request: request line, Host, User-Agent, target headers overridden by the
// step's (names compared case-insensitively), Content-Type/Length when there is a body.
std::string serialize_request(const Target& target, const HttpStep& step);

}  // namespace stampede
