#include "stats/threshold.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/text.h"

namespace stampede {
namespace {

using Kind = Aggregation::Kind;

const std::vector<Kind> kTimeAggregations = {Kind::kAvg, Kind::kStddev,     Kind::kMin,  Kind::kMax,
                                             Kind::kMed, Kind::kPercentile, Kind::kCount};
// `stage` selects the requests started during a named load stage (Result::stages).
const std::vector<std::string_view> kHttpTags = {"scenario", "name", "method", "stage"};
const std::vector<std::string_view> kHttpStatusTags = {"scenario", "name", "method", "status",
                                                       "stage"};
// The tags naming a row of statistics; a stage's statistics cover all rows together.
const std::vector<std::string_view> kRowTags = {"scenario", "name", "method"};

std::vector<MetricInfo> make_metrics() {
  auto time_metric = [](std::string_view name) {
    return MetricInfo{name, true, kTimeAggregations, kHttpTags, "", false};
  };
  return {
      time_metric("http_req_duration"),
      time_metric("http_req_service_time"),
      time_metric("http_req_waiting"),
      time_metric("http_req_connecting"),
      {"http_req_failed", false, {Kind::kRate, Kind::kCount}, kHttpTags, "", true},
      {"http_reqs",
       false,
       {Kind::kCount, Kind::kRate, Kind::kMaxCount, Kind::kMaxRate},
       kHttpStatusTags,
       "",
       false},
      {"http_req_status", false, {Kind::kRate, Kind::kCount}, kHttpStatusTags, "status", true},
      // Retried attempts; {status:429} counts the retries that status caused.
      {"http_req_retries", false, {Kind::kCount, Kind::kRate}, kHttpStatusTags, "", false},
      // k6's checks: the share of check evaluations that passed.
      {"checks", false, {Kind::kRate}, {"scenario", "name", "method", "check", "stage"}, "", true},
      {"iterations", false, {Kind::kCount, Kind::kRate}, {"scenario"}, "", false},
      {"dropped_iterations", false, {Kind::kCount, Kind::kRate}, {"scenario"}, "", false},
      {"data_sent", false, {Kind::kCount, Kind::kRate}, {}, "", false},
      {"data_received", false, {Kind::kCount, Kind::kRate}, {}, "", false},
      // `stream:` steps (SSE and NDJSON alike), per row.
      {"sse_time_to_first_event", true, kTimeAggregations, kRowTags, "", false},
      {"sse_event_gap", true, kTimeAggregations, kRowTags, "", false},
      {"sse_stream_duration", true, kTimeAggregations, kRowTags, "", false},
      {"sse_time_per_output_token", true, kTimeAggregations, kRowTags, "", false},
      {"sse_tokens_per_second", false, kTimeAggregations, kRowTags, "", false},
      {"sse_events_per_stream", false, kTimeAggregations, kRowTags, "", false},
      {"sse_streams", false, {Kind::kCount, Kind::kRate}, kRowTags, "", false},
      {"sse_events", false, {Kind::kCount, Kind::kRate}, kRowTags, "", false},
      {"sse_tokens", false, {Kind::kCount, Kind::kRate}, kRowTags, "", false},
      // `ws:` steps, per row, with k6's names; ws_reply_time is the latency of the REPLY rows
      // (named send/receive pairs), the others read the session rows (method WS).
      {"ws_connecting", true, kTimeAggregations, kRowTags, "", false},
      {"ws_session_duration", true, kTimeAggregations, kRowTags, "", false},
      {"ws_ping", true, kTimeAggregations, kRowTags, "", false},
      {"ws_message_gap", true, kTimeAggregations, kRowTags, "", false},
      {"ws_reply_time", true, kTimeAggregations, kRowTags, "", false},
      {"ws_sessions", false, {Kind::kCount, Kind::kRate}, kRowTags, "", false},
      {"ws_msgs_sent", false, {Kind::kCount, Kind::kRate}, kRowTags, "", false},
      {"ws_msgs_received", false, {Kind::kCount, Kind::kRate}, kRowTags, "", false},
  };
}

// Keys and tag lists may come from YAML block scalars, with line breaks around them.
std::string_view trim_lines(std::string_view text) {
  return trim(text, " \t\r\n");
}

bool is_metric_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The comma that ends a tag: one followed by the next `key:`. Request names may hold commas and
// braces themselves ("name:GET /plans/{id},{rev}").
std::size_t next_tag_comma(std::string_view text) {
  for (std::size_t comma = text.find(','); comma != std::string_view::npos;
       comma = text.find(',', comma + 1)) {
    std::string_view rest = trim_lines(text.substr(comma + 1));
    std::size_t n = 0;
    while (n < rest.size() && is_metric_char(rest[n])) ++n;
    if (n > 0 && n < rest.size() && rest[n] == ':') return comma;
  }
  return std::string_view::npos;
}

// Parses "k:v,k2:v2" (the inside of the braces) into *tags.
bool parse_tags(std::string_view text, MetricSelector* selector, std::string* error) {
  while (true) {
    std::size_t comma = next_tag_comma(text);
    std::string_view item = trim_lines(text.substr(0, comma));
    std::size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      return set_error(error, "tag '" + std::string(item) + "' must be written key:value");
    }
    std::string key(trim_lines(item.substr(0, colon)));
    std::string value(trim_lines(item.substr(colon + 1)));
    if (key.empty() || value.empty()) {
      return set_error(error, "tag '" + std::string(item) + "' needs a key and a value");
    }
    for (const auto& [existing, unused] : selector->tags) {
      if (existing == key) return set_error(error, "tag '" + key + "' is given twice");
    }
    selector->tags.emplace_back(std::move(key), std::move(value));
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

// "404", or a class such as "5xx".
bool is_status_pattern(std::string_view value) {
  if (value.size() == 3 && value[0] >= '1' && value[0] <= '9' && value.substr(1) == "xx") {
    return true;
  }
  int code = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), code);
  return ec == std::errc() && end == value.data() + value.size() && code >= 100 && code <= 999;
}

// The tag value check for the keys whose values have a fixed form.
bool check_tag_value(const std::string& key, std::string* value, std::string* error) {
  static const std::vector<std::string_view> kMethods = {"GET",    "POST", "PUT",    "PATCH",
                                                         "DELETE", "HEAD", "OPTIONS"};
  if (key == "status" && !is_status_pattern(*value)) {
    return set_error(
        error, "tag status:" + *value + " must be a status code 100-999 or a class such as 5xx");
  }
  if (key == "method") {
    std::transform(value->begin(), value->end(), value->begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
    if (std::find(kMethods.begin(), kMethods.end(), *value) == kMethods.end()) {
      return set_error(error, "tag method:" + *value + " must be one of " + join(kMethods));
    }
  }
  return true;
}

// A stage's statistics are all rows together, so they cannot be narrowed to a row.
bool check_stage_alone(const MetricSelector& selector, std::string* error) {
  auto has = [&](std::string_view key) {
    return std::any_of(selector.tags.begin(), selector.tags.end(),
                       [&](const auto& tag) { return tag.first == key; });
  };
  if (!has("stage")) return true;
  for (std::string_view key : kRowTags) {
    if (!has(key)) continue;
    return set_error(error, "tag 'stage' cannot be combined with '" + std::string(key) +
                                "': a stage's statistics cover all requests started during it");
  }
  return true;
}

// The right-hand side: a constant, or factor * the referenced stage's aggregate of the same
// metric and tags. nullopt when that stage has no data.
std::optional<double> bound_of(const Threshold& threshold, const ThresholdCondition& condition,
                               const MetricSource& source) {
  if (!condition.reference) return condition.bound;
  const StageReference& reference = *condition.reference;
  MetricSelector selector = threshold.selector;
  auto stage = std::find_if(selector.tags.begin(), selector.tags.end(),
                            [](const auto& tag) { return tag.first == "stage"; });
  if (stage == selector.tags.end()) {
    selector.tags.emplace_back("stage", reference.stage);
  } else {
    stage->second = reference.stage;
  }
  std::optional<double> value = source.value(selector, reference.aggregation);
  if (!value) return std::nullopt;
  return *value * reference.factor;
}

}  // namespace

const std::vector<MetricInfo>& known_metrics() {
  static const std::vector<MetricInfo> kMetrics = make_metrics();
  return kMetrics;
}

MetricInfo custom_metric_info(std::string_view name, bool trend, bool time) {
  static const std::vector<std::string_view> kValueTag = {"value"};
  if (trend) return MetricInfo{name, time, kTimeAggregations, kValueTag, "", false};
  return MetricInfo{name,      false, {Kind::kCount, Kind::kRate, Kind::kMaxCount, Kind::kMaxRate},
                    kValueTag, "",    false};
}

const MetricInfo* find_metric(std::string_view name) {
  for (const MetricInfo& metric : known_metrics()) {
    if (metric.name == name) return &metric;
  }
  return nullptr;
}

std::string MetricSelector::to_string() const {
  if (tags.empty()) return metric;
  std::string out = metric + "{";
  for (std::size_t i = 0; i < tags.size(); ++i) {
    out += (i ? "," : "") + tags[i].first + ":" + tags[i].second;
  }
  return out + "}";
}

namespace {

// Shortest round-trip form: 95 -> "95", 99.9 -> "99.9".
std::string shortest(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

// A window as written in a plan: "10s", "1m", "1h", "500ms".
std::string window_text(double seconds) {
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) return shortest(seconds / 3600) + "h";
  if (seconds >= 60 && std::fmod(seconds, 60) == 0) return shortest(seconds / 60) + "m";
  if (seconds >= 1) return shortest(seconds) + "s";
  return shortest(seconds * 1000) + "ms";
}

}  // namespace

std::string Aggregation::to_string() const {
  switch (kind) {
    case Kind::kMaxCount:
      return std::string(per_user ? "max_count_per_user(" : "max_count(") +
             window_text(window_seconds) + ")";
    case Kind::kMaxRate:
      return std::string(per_user ? "max_rate_per_user(" : "max_rate(") +
             window_text(window_seconds) + ")";
    case Kind::kAvg:
      return "avg";
    case Kind::kStddev:
      return "stddev";
    case Kind::kMin:
      return "min";
    case Kind::kMax:
      return "max";
    case Kind::kMed:
      return "med";
    case Kind::kRate:
      return "rate";
    case Kind::kCount:
      return "count";
    case Kind::kPercentile:
      break;
  }
  return "p(" + shortest(percentile) + ")";
}

std::optional<MetricSelector> parse_selector(std::string_view key, std::string* error) {
  key = trim_lines(key);
  std::size_t brace = key.find('{');
  MetricSelector selector;
  selector.metric = std::string(trim_lines(key.substr(0, brace)));
  if (selector.metric.empty()) {
    set_error(error, "missing metric name");
    return std::nullopt;
  }
  if (!std::all_of(selector.metric.begin(), selector.metric.end(), is_metric_char)) {
    set_error(error, "invalid metric name '" + selector.metric + "'");
    return std::nullopt;
  }
  if (brace == std::string_view::npos) return selector;
  if (key.back() != '}') {
    set_error(error, "tag list must end with '}'");
    return std::nullopt;
  }
  // The tag list runs to the last brace: values (request names such as /plans/{id}) may hold
  // balanced braces.
  std::string_view inside = trim_lines(key.substr(brace + 1, key.size() - brace - 2));
  int depth = 0;
  for (const char c : inside) {
    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
    if (depth < 0) break;
  }
  if (depth != 0) {
    set_error(error, "unbalanced brace in the tag list");
    return std::nullopt;
  }
  if (!inside.empty() && !parse_tags(inside, &selector, error)) return std::nullopt;
  return selector;
}

bool validate_selector(MetricSelector* selector, const MetricInfo& metric, std::string* error) {
  const std::string name(metric.name);
  for (auto& [key, value] : selector->tags) {
    if (std::find(metric.tags.begin(), metric.tags.end(), key) == metric.tags.end()) {
      if (metric.tags.empty()) return set_error(error, name + " has no tags to filter on");
      std::string message = "tag '" + key + "' is not available for ";
      message.append(name).append(" (use ").append(join(metric.tags)).append(")");
      return set_error(error, message);
    }
    if (!check_tag_value(key, &value, error)) return false;
  }
  if (!check_stage_alone(*selector, error)) return false;
  if (metric.required_tag.empty()) return true;
  for (const auto& tag : selector->tags) {
    if (tag.first == metric.required_tag) return true;
  }
  const std::string tag(metric.required_tag);
  return set_error(error, name + " needs a " + tag + " tag, e.g. " + name + "{" + tag + ":500}");
}

bool compare(double actual, CompareOp op, double bound) {
  if (std::isnan(actual) || std::isnan(bound)) return false;  // never let garbage pass
  // A tiny relative tolerance for equality, so 0.1 + 0.2 == 0.3 holds.
  const double scale = std::max(std::fabs(actual), std::fabs(bound));
  const bool equal = actual == bound || std::fabs(actual - bound) <= 1e-9 * scale;
  switch (op) {
    case CompareOp::kLess:
      return actual < bound;
    case CompareOp::kLessEqual:
      return actual <= bound || equal;
    case CompareOp::kGreater:
      return actual > bound;
    case CompareOp::kGreaterEqual:
      return actual >= bound || equal;
    case CompareOp::kEqual:
      return equal;
    case CompareOp::kNotEqual:
      return !equal;
  }
  return false;
}

std::vector<ConditionResult> evaluate(const std::vector<Threshold>& thresholds,
                                      const MetricSource& source) {
  std::vector<ConditionResult> results;
  for (const Threshold& threshold : thresholds) {
    for (const ThresholdCondition& condition : threshold.conditions) {
      ConditionResult result{&threshold, &condition, std::nullopt, std::nullopt, true};
      result.actual = source.value(threshold.selector, condition.aggregation);
      result.bound = bound_of(threshold, condition, source);
      // No data passes, as in k6: a filter that matched nothing has nothing to fail; neither
      // has a comparison with a stage that saw nothing.
      if (result.actual && result.bound) {
        result.ok = compare(*result.actual, condition.op, *result.bound);
      }
      results.push_back(result);
    }
  }
  return results;
}

}  // namespace stampede
