#pragma once
// The typed, immutable load plan: what `stampede run` executes and the operator schedules.
// Produced only by parse_plan() (plan_parser.h), which guarantees every invariant noted here.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/threshold.h"
#include "model/units.h"
#include "model/url.h"

namespace stampede {

struct Header {
  std::string name;
  std::string value;
};

struct TlsOptions {
  bool verify = true;       // false only when insecureSkipVerify is set
  std::string ca_file;      // PEM bundle; empty = system default paths
  std::string server_name;  // SNI and the name verified; empty = the URL's host
};

struct Target {
  Url url;                      // base URL: scheme, host, port, base path
  std::vector<Header> headers;  // sent with every request unless a step overrides them
  Duration connect_timeout = std::chrono::seconds(10);
  Duration request_timeout = std::chrono::seconds(60);  // send to last byte
  std::uint64_t max_response_bytes = 16ull << 20;       // larger responses are protocol errors
  TlsOptions tls;
};

// One leg of a ramp: move linearly from the previous stage's target (0 at the start) to `target`
// over `duration`. For the closed model the target is users; for the open model, requests/s.
struct Stage {
  Duration duration{};
  double target = 0;
  std::string name;  // optional; becomes the `stage` tag in later versions
};

// Locust semantics: a population of users, each running tasks in a loop with think time.
// Without stages: ramp from 0 to `users` at `spawn_rate` users/s, hold until `duration` ends.
// With stages: the user count follows the stages; `duration` is their sum.
struct ClosedModel {
  std::uint32_t users = 0;
  double spawn_rate = 0;  // users per second; 0 = all at once
  Duration duration{};
  std::vector<Stage> stages;
};

// k6 arrival-rate semantics: iterations start on a schedule independent of responses.
// Without stages: constant `rate` for `duration`. With stages: ramping rate, `duration` = sum.
// An iteration that finds every user busy and `max_in_flight` reached waits for a free user (its
// latency still counts from its scheduled start); when `max_queued` already wait, it is dropped.
struct OpenModel {
  double rate = 0;  // iterations per second
  Duration duration{};
  std::vector<Stage> stages;
  std::uint32_t pre_allocated_users = 0;  // users (connections) made before the start
  std::uint32_t max_in_flight = 0;        // cap on concurrent iterations (>= pre_allocated_users)
  std::uint32_t max_queued = 0;           // arrivals that may wait for a free user
};

struct LoadModel {
  std::variant<ClosedModel, OpenModel> model;
  Duration graceful_stop = std::chrono::seconds(30);  // in-flight requests may finish this long

  bool is_open() const { return std::holds_alternative<OpenModel>(model); }
  // Planned length of the load phase (without the graceful stop).
  Duration duration() const;
};

// Think time between task iterations of one user (Locust's wait_time).
struct WaitTime {
  enum class Kind { kNone, kConstant, kBetween, kPacing };
  Kind kind = Kind::kNone;
  Duration min{};  // constant and pacing use `min` only
  Duration max{};
};

// A set of HTTP statuses, from `expect.status`. Default: 200-399 are successes.
class StatusSet {
 public:
  static StatusSet default_success();
  void add(int status);
  void add_range(int first, int last);
  bool contains(int status) const {
    return status >= 0 && status < kMax && ((bits_[status / 64] >> (status % 64)) & 1u);
  }
  std::vector<int> to_list() const;

 private:
  static constexpr int kMax = 1000;
  std::uint64_t bits_[(kMax + 63) / 64] = {};
};

struct HttpStep {
  std::string method = "GET";
  std::string path = "/";       // joined to the target's base path
  std::vector<Header> headers;  // override target headers of the same name
  std::string body;             // raw body; `json:` bodies are serialized here at load time
  std::string content_type;     // set for `json:` bodies unless a header gives one
  std::string name;             // stats name; defaults to the path as written
  StatusSet expect_status = StatusSet::default_success();
};

// A step is one action of a task. Later versions add WebSocket, SSE and think steps here.
using Step = std::variant<HttpStep>;

struct Task {
  std::string name;
  double weight = 1;
  std::vector<Step> steps;  // run in order, one iteration = all steps once
  std::vector<std::string> tags;
};

struct Scenario {
  std::string name;
  double weight = 1;
  WaitTime wait;
  std::vector<Task> tasks;  // never empty
};

struct Plan {
  std::string name;  // metadata.name of a LoadTest manifest, or `name:`; may be empty
  Target target;
  LoadModel load;
  std::vector<Scenario> scenarios;  // never empty
  std::vector<Threshold> thresholds;
};

}  // namespace stampede
