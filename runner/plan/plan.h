#pragma once
// The typed, immutable load plan: what `stampede run` executes and the operator schedules.
// Produced only by parse_plan() (plan_parser.h), which guarantees every invariant noted here.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/units.h"
#include "plan/template.h"
#include "plan/url.h"
#include "stats/threshold.h"

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

// One leg of a ramp: move linearly from the previous stage's target (0 at the start) to `target`
// over `duration`. For the closed model the target is users; for the open model, requests/s.
struct Stage {
  Duration duration{};
  double target = 0;
  std::string name;  // optional; becomes the `stage` tag in later versions
};

// Closed model, `load.adaptive` (docs/rate-limits.md): fewer users while the target signals
// overload, as a client that backs off would run — AIMD on the user count. The plan's users (or
// stages) stay the ceiling.
struct AdaptiveUsers {
  StatusSet on;                     // responses that signal overload (`statuses`, default 429, 503)
  std::optional<Duration> latency;  // a response slower than this signals overload too
  double decrease = 0.75;           // at a signal the running users are multiplied by this
  double increase = 1;              // users added back each second while no signal comes
  std::uint32_t min_users = 1;      // the floor (each worker thread keeps at least one user)
};

// Locust semantics: a population of users, each running tasks in a loop with think time.
// Without stages: ramp from 0 to `users` at `spawn_rate` users/s, hold until `duration` ends.
// With stages: the user count follows the stages; `duration` is their sum.
struct ClosedModel {
  std::uint32_t users = 0;
  double spawn_rate = 0;  // users per second; 0 = all at once
  Duration duration{};
  std::vector<Stage> stages;
  std::optional<AdaptiveUsers> adaptive;
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

// maxInFlight when the plan does not give it: the peak rate (one second's arrivals), at least
// 100 and at most limits::kMaxInFlight.
std::uint32_t default_max_in_flight(double peak_rate);
// maxQueued when the plan does not give it: 100 ms of arrivals at the peak rate, so that a stall
// of the generator's machine (a virtual machine's can last 10 ms) or a slow moment of the target
// delays arrivals — shown in their latency — rather than dropping them; at least maxInFlight,
// at most limits::kMaxInFlight.
std::uint32_t default_max_queued(double peak_rate, std::uint32_t max_in_flight);
// preAllocatedUsers when the plan does not give it: the arrivals of one release at the peak rate
// (plan/open_release.h: the open model starts them together), at most maxInFlight.
std::uint32_t default_pre_allocated(double peak_rate, std::uint32_t max_in_flight);

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

// Where a value is read from in a response (extract, checks, custom metrics).
struct ResponseSource {
  enum class Kind { kJson, kHeader, kRegex, kBody, kStatus, kDuration };
  Kind kind = Kind::kJson;
  std::string
      path;  // kJson: JSON pointer ("" = the whole document); kHeader: name; kRegex: pattern
};

// `extract: {var: {json: /id}}`: sets a user variable from the response.
struct Extractor {
  std::string variable;
  ResponseSource source;
  std::optional<std::string> fallback;  // `default:`; without it, nothing found fails the request
};

// k6's check: a named assertion on a response, counted, never failing the request.
struct Check {
  enum class Op { kExists, kEquals, kMatches, kContains, kOneOf, kLess, kLessEqual };
  std::string name;        // as written, or made from subject and operator ("status is 201")
  ResponseSource subject;  // kStatus, kJson, kBody, kHeader or kDuration
  Op op = Op::kExists;
  Template expected;                // kEquals, kMatches (a regex), kContains
  std::vector<std::string> one_of;  // kOneOf
  StatusSet statuses;               // subject kStatus
  Duration limit{};                 // subject kDuration with kLess / kLessEqual
};

struct BasicAuth {
  Template username;
  Template password;
};

// HS256 JSON Web Token, signed per user and re-signed when a fifth of its life is left.
struct JwtAuth {
  std::string secret;         // read at load time from env or a file; never printed anywhere
  std::string secret_source;  // "env JWT_SECRET" or "file /path", for messages
  Template claims_json;       // the claims object as JSON text (string values JSON-escaped)
  Duration expires_in = std::chrono::minutes(15);
};

struct Auth {
  enum class Kind { kNone, kBearer, kBasic, kJwt };
  Kind kind = Kind::kNone;
  Template bearer;  // kBearer: the token
  BasicAuth basic;
  JwtAuth jwt;
};

// `retry:` for rate limits and transient errors.
struct RetryPolicy {
  StatusSet on;            // statuses that are retried
  bool on_errors = false;  // also transport errors (refused, reset, timeout)
  std::uint32_t max = 3;   // retries after the first attempt
  Duration initial = std::chrono::milliseconds(200);
  Duration max_backoff = std::chrono::seconds(5);
  double multiplier = 2;
  bool retry_after = true;  // honour Retry-After, capped by max_backoff
};

// `limits:` (docs/rate-limits.md): the client's own limit on the requests a selector picks.
// Adaptive: the rate follows the target's signals, additive increase and multiplicative
// decrease (AIMD), as TCP's congestion control does.
struct AdaptiveLimit {
  StatusSet on;                     // responses that signal overload (`statuses`, default 429, 503)
  std::optional<Duration> latency;  // a response slower than this signals overload too
  double decrease = 0.9;            // at a signal the rate is multiplied by this
  double increase = 0.01;  // each second, this share of the rate set at the last decrease is added
  double min_rate = 1.0 / 60;  // requests per second, the floor
  double max_rate = 0;         // requests per second; 0: no ceiling
  bool retry_after = true;     // a signal's Retry-After pauses the limiter until then
};

struct RequestLimit {
  std::string selector;                 // "http_reqs{scenario:groq}", as the result names it
  std::optional<std::string> scenario;  // the tags the selector filters on
  std::optional<std::string> name;
  std::optional<std::string> method;
  // Requests per second. With `adaptive`, the starting rate (0: unlimited until the first signal).
  double rate = 0;
  double burst = 1;  // requests that may go at once after a quiet spell
  // Open model: the longest an arrival's first request waits for its slot; one that would wait
  // longer is not sent (`skipped`), as the arrival rate is above the limit. Closed-model users
  // and retries always wait.
  Duration max_delay = std::chrono::milliseconds(250);
  std::optional<AdaptiveLimit> adaptive;
  // `per: user`: every user keeps the rate on its own requests (a quota per API key or account
  // each user holds), rather than all users together. Never adaptive.
  bool per_user = false;
};

// A metric the plan declares through `metrics:` on steps; one entry per distinct name.
struct CustomMetricDef {
  enum class Kind { kTrend, kCounter };
  std::string name;
  Kind kind = Kind::kTrend;
  std::string unit;  // trends: "ms", "s" or "" (a plain number)
};

// One step's contribution to a custom metric.
struct MetricCapture {
  std::size_t metric = 0;            // index into Plan::metrics
  ResponseSource value;              // trends: the number; counters: ignored unless `by` is absent
  std::optional<ResponseSource> by;  // the `value` tag
};

// `stream:` on an HTTP step: the response body is read as events while it arrives, for the
// latencies of streaming APIs (time to first event, gaps between events, tokens per second).
enum class StreamFormat : unsigned char { kSse, kNdjson };

struct StreamSpec {
  StreamFormat format = StreamFormat::kSse;
  // The data of the event that ends the stream (OpenAI's "[DONE]"): not an event itself, and
  // the request completes when it arrives. Without it the stream ends with the body.
  std::optional<std::string> end;
  // What a stream's tokens are: one per event; the events with a non-empty value at a JSON
  // pointer; the sum of the numbers at a pointer; or the number at a pointer in the last event
  // that has one (a usage block).
  enum class Tokens : unsigned char { kEvents, kCount, kSum, kLast };
  Tokens tokens = Tokens::kEvents;
  std::string token_pointer;
  std::uint64_t max_event_bytes = std::uint64_t{1} << 20;
};

struct HttpStep {
  std::string method = "GET";
  std::string path = "/";       // joined to the target's base path
  std::vector<Header> headers;  // override target headers of the same name
  std::string body;             // raw body; `json:` bodies are serialized here at load time
  std::string content_type;     // set for `json:` bodies unless a header gives one
  std::string name;             // stats name; defaults to the path as written
  StatusSet expect_status = StatusSet::default_success();
  // The same fields as templates (constant ones when the text has no {{ }}); the strings above
  // keep the text as written, for names and messages.
  Template path_template;
  std::vector<Template> header_templates;  // values, parallel to `headers`
  Template body_template;
  std::vector<Extractor> extract;
  std::vector<Check> checks;
  std::optional<Auth> auth;          // the nearest of step, task, scenario and target
  std::optional<RetryPolicy> retry;  // the nearest of step, scenario and target
  std::vector<MetricCapture> metrics;
  std::optional<StreamSpec> stream;
};

// One action of a WebSocket session (`actions:` of a `ws:` step). Actions run in order; a
// repeat holds a block of them.
struct WsAction {
  enum class Kind : unsigned char { kSend, kReceive, kPing, kThink, kRepeat, kClose };
  Kind kind = Kind::kSend;
  // kSend and kReceive: a receive with the name of an earlier send is that request's reply, and
  // the time between them is recorded in a row of its own (method REPLY, this name).
  std::string name;
  // kSend: a text message (`send: text`, or `send: {json ...}` as JSON text) or a binary one
  // (`sendBinary:`), with templates.
  bool binary = false;
  Template payload;
  // kReceive: messages until one passes `until` (a check's subject and operator, judged on each
  // message), or else the next `count` messages; within `timeout` from the action's start.
  std::optional<Check> until;
  std::uint64_t count = 1;
  Duration timeout = std::chrono::seconds(10);
  // kReceive: values read from the message that ended the receive, for later actions and steps
  // (a token in a welcome message, an id in a reply). Nothing found, and no default: the
  // session fails with `extract`.
  std::vector<Extractor> extract;
  // kThink: a constant pause or one between min and max.
  WaitTime think;
  // kRepeat: the block `times` times, or until `duration` has passed since the repeat began
  // (a round that has begun finishes).
  std::uint64_t times = 0;
  Duration duration{};
  std::vector<WsAction> actions;
  // kClose: the close handshake with this code and reason; the session ends with it.
  std::uint16_t close_code = 1000;
  std::string close_reason;
};

// `ws: /path`: a WebSocket session. Its handshake is an HTTP GET with the step's path, headers,
// auth and name (statistics row: method WS); extract, checks and metrics read the last message
// received. Users and arrival rates count sessions: the session is the step.
struct WsStep {
  HttpStep handshake;                     // method GET; expect_status 101
  std::vector<std::string> subprotocols;  // offered in Sec-WebSocket-Protocol, in order
  bool deflate = false;                   // offer permessage-deflate
  std::uint64_t max_message_bytes = std::uint64_t{1} << 20;
  std::vector<WsAction> actions;
};

// A step is one action of a task: an HTTP request (which may read a stream) or a WebSocket
// session.
using Step = std::variant<HttpStep, WsStep>;

// The HTTP part of any step: the request itself, or a WebSocket session's handshake (name,
// auth, extract and checks live there).
inline const HttpStep& http_part(const Step& step) {
  if (const auto* ws = std::get_if<WsStep>(&step)) return ws->handshake;
  return std::get<HttpStep>(step);
}

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

// A feeder: rows of named columns, drawn per iteration (data:).
struct DataSource {
  enum class Order { kSequential, kRandom, kUnique };
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each as long as `columns`
  Order order = Order::kSequential;
};

// The variables `steps` extract (WebSocket receives included), in order, each once.
std::vector<std::string> extracted_variables(const std::vector<Step>& steps);

// What a setup's extracted variable X is called where users and the teardown read it.
inline std::string setup_variable(const std::string& name) {
  return "setup." + name;
}

struct Plan {
  std::string name;     // metadata.name of a LoadTest manifest, or `name:`; may be empty
  std::string profile;  // the load profile used (--profile, else `profile:`); empty: none
  Target target;
  LoadModel load;
  std::vector<Scenario> scenarios;  // never empty
  std::vector<Threshold> thresholds;
  std::vector<RequestLimit> limits;
  std::vector<std::pair<std::string, std::string>> vars;  // constants, already rendered
  std::vector<DataSource> data;
  std::vector<CustomMetricDef> metrics;  // declared by steps' `metrics:`
  // `setup:` and `teardown:` (docs/setup-teardown.md): steps run once by one user before the
  // load and once after it, each a scenario named "setup" or "teardown" with one task. Every
  // variable the setup extracts is `setup.NAME` to the scenarios and the teardown.
  std::optional<Scenario> setup;
  std::optional<Scenario> teardown;
};

}  // namespace stampede
