// The `limits:` section (docs/rate-limits.md): a map from a selector of http_reqs to the limit the
// client keeps on the requests it picks, fixed or adaptive.
//
//   limits:
//     "http_reqs{scenario:groq}": {rate: 30/m, burst: 5}
//     "http_reqs{name:chat}":
//       adaptive: {statuses: [429, 503], latency: 2s, decrease: 0.9, increase: 2%, min: 1/s}
//       maxDelay: 250ms

#include <charconv>
#include <cmath>

#include "plan/duration.h"
#include "plan/limits.h"
#include "plan/plan_sections.h"

namespace stampede::plan_sections {
namespace {

// The tags a limit may filter on: what a request is known by before it is sent.
constexpr std::string_view kLimitTags[] = {"scenario", "name", "method"};

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// "30/m", "0.5/s", "20/10s", "1800/h" or a plain number (per second): requests per second.
std::optional<double> parse_rate_text(std::string_view text, std::string* error) {
  const std::size_t slash = text.find('/');
  const std::optional<double> count = parse_number(text.substr(0, slash));
  if (!count) {
    *error = "must be a rate such as 30/m, 5/s or 20/10s (got '" + std::string(text) + "')";
    return std::nullopt;
  }
  if (slash == std::string_view::npos) return *count;
  std::string per(text.substr(slash + 1));
  // "m" alone is a minute: the duration parser wants a number before the unit.
  if (!per.empty() && (per[0] < '0' || per[0] > '9')) per.insert(0, "1");
  std::string duration_error;
  const std::optional<Duration> period = parse_duration(per, &duration_error);
  if (!period || *period <= Duration::zero()) {
    *error = "the period after '/' must be a duration such as s, m, h or 10s (got '" +
             std::string(text) + "')";
    return std::nullopt;
  }
  return *count / std::chrono::duration<double>(*period).count();
}

std::optional<double> read_rate(YamlReader& reader, const YamlField& field, bool allow_zero) {
  std::string error;
  std::optional<double> rate;
  if (field.node.IsScalar()) rate = parse_rate_text(field.node.Scalar(), &error);
  if (!field.node.IsScalar()) error = "must be a rate such as 30/m, 5/s or 20/10s";
  if (rate && (*rate < 0 || (*rate == 0 && !allow_zero) || *rate > limits::kMaxRate)) {
    error = allow_zero ? "must be from 0 to 10000000 a second"
                       : "must be above 0 and at most "
                         "10000000 a second";
    rate.reset();
  }
  if (!rate) reader.error(field, error);
  return rate;
}

// `increase`: "1%" or a fraction such as 0.01 (of the rate set at the last decrease, a second).
std::optional<double> read_increase(YamlReader& reader, const YamlField& field) {
  std::optional<double> share;
  if (field.node.IsScalar()) {
    std::string_view text = field.node.Scalar();
    const bool percent = !text.empty() && text.back() == '%';
    if (percent) text.remove_suffix(1);
    share = parse_number(text);
    if (share && percent) *share /= 100;
  }
  if (!share || *share <= 0 || *share > 1) {
    reader.error(field,
                 "must be a share of the rate per second above 0 and at most 100% (1% or "
                 "0.01)");
    return std::nullopt;
  }
  return share;
}

std::optional<AdaptiveLimit> parse_adaptive(YamlReader& reader, const YamlField& field) {
  if (!reader.check_map(
          field, {"statuses", "latency", "decrease", "increase", "min", "max", "retryAfter"})) {
    return std::nullopt;
  }
  AdaptiveLimit adaptive;
  const std::size_t errors_before = reader.error_count();
  parse_overload_signals(reader, field, "rate",
                         {&adaptive.on, &adaptive.latency, &adaptive.decrease});
  if (std::optional<YamlField> increase = reader.get(field, "increase")) {
    adaptive.increase = read_increase(reader, *increase).value_or(adaptive.increase);
  }
  if (std::optional<YamlField> min = reader.get(field, "min")) {
    adaptive.min_rate = read_rate(reader, *min, false).value_or(adaptive.min_rate);
  }
  if (std::optional<YamlField> max = reader.get(field, "max")) {
    adaptive.max_rate = read_rate(reader, *max, false).value_or(adaptive.max_rate);
    if (adaptive.max_rate > 0 && adaptive.max_rate < adaptive.min_rate) {
      reader.error(*max, "must not be below min");
    }
  }
  if (std::optional<YamlField> after = reader.get(field, "retryAfter")) {
    adaptive.retry_after = reader.boolean(*after).value_or(true);
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return adaptive;
}

// The key: http_reqs with scenario, name and method tags only, each naming something in the plan.
std::optional<MetricSelector> parse_limit_selector(YamlReader& reader,
                                                   const YamlReader::Entry& entry,
                                                   const ThresholdTargets& targets) {
  std::string error;
  std::optional<MetricSelector> selector = parse_selector(entry.key, &error);
  if (selector && selector->metric != "http_reqs") {
    error = "a limit applies to requests: the selector's metric must be http_reqs (got '" +
            selector->metric + "')";
    selector.reset();
  }
  for (std::size_t i = 0; selector && i < selector->tags.size(); ++i) {
    const std::string& tag = selector->tags[i].first;
    if (std::find(std::begin(kLimitTags), std::end(kLimitTags), tag) == std::end(kLimitTags)) {
      error = "a limit selects requests by scenario, name or method (got tag '" + tag + "')";
      selector.reset();
    }
  }
  if (selector) {
    if (std::optional<std::string> unknown = check_tag_targets(*selector, targets)) {
      error = *unknown;
      selector.reset();
    }
  }
  if (!selector) reader.error(entry.key_field, error);
  return selector;
}

std::optional<RequestLimit> parse_limit(YamlReader& reader, const YamlReader::Entry& entry,
                                        const ThresholdTargets& targets) {
  const std::optional<MetricSelector> selector = parse_limit_selector(reader, entry, targets);
  const YamlField& field = entry.value;
  if (!reader.check_map(field, {"rate", "burst", "maxDelay", "adaptive", "per"}) || !selector) {
    return std::nullopt;
  }
  RequestLimit limit;
  limit.selector = selector->to_string();
  for (const auto& [tag, value] : selector->tags) {
    if (tag == "scenario") limit.scenario = value;
    if (tag == "name") limit.name = value;
    if (tag == "method") limit.method = value;
  }
  const std::size_t errors_before = reader.error_count();
  if (std::optional<YamlField> adaptive = reader.get(field, "adaptive")) {
    limit.adaptive = parse_adaptive(reader, *adaptive);
  }
  if (std::optional<YamlField> rate = reader.get(field, "rate")) {
    limit.rate = read_rate(reader, *rate, false).value_or(0);
  } else if (!reader.has(field, "adaptive")) {
    reader.error(YamlReader::absent(field, "rate"),
                 "required: the most requests a second, such as 30/m (or `adaptive`)");
  }
  if (std::optional<YamlField> burst = reader.get(field, "burst")) {
    limit.burst = reader.number(*burst, Bound::kPositive, limits::kMaxRate).value_or(1);
    if (limit.burst < 1) reader.error(*burst, "must be at least 1 (one request)");
  }
  if (std::optional<YamlField> delay = reader.get(field, "maxDelay")) {
    limit.max_delay =
        reader.duration(*delay, Bound::kNonNegative, limits::kMaxWait).value_or(limit.max_delay);
  }
  if (std::optional<YamlField> per = reader.get(field, "per")) {
    const std::string value = per->node.IsScalar() ? per->node.Scalar() : "";
    if (value != "user" && value != "test") {
      reader.error(*per,
                   "must be user (each user keeps the rate) or test (all users together, "
                   "the default)");
    }
    limit.per_user = value == "user";
    if (limit.per_user && reader.has(field, "adaptive")) {
      reader.error(*per, "a per-user limit is fixed: adaptive adapts the rate of all users");
    }
  }
  if (limit.adaptive && limit.rate > 0) {
    const AdaptiveLimit& a = *limit.adaptive;
    if (limit.rate < a.min_rate || (a.max_rate > 0 && limit.rate > a.max_rate)) {
      reader.error(*reader.get(field, "rate"), "the starting rate must lie between min and max");
    }
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return limit;
}

}  // namespace

void parse_overload_signals(YamlReader& reader, const YamlField& field, const char* what,
                            OverloadFields out) {
  out.on->add(429);
  out.on->add(503);
  // `statuses`, not `on`: YAML 1.1 parsers (kubectl's) read a bare `on` key as true.
  if (std::optional<YamlField> statuses = reader.get(field, "statuses")) {
    if (auto set = parse_statuses(reader, *statuses)) *out.on = *set;
  }
  if (std::optional<YamlField> latency = reader.get(field, "latency")) {
    *out.latency = reader.duration(*latency, Bound::kPositive, limits::kMaxWait);
  }
  if (std::optional<YamlField> decrease = reader.get(field, "decrease")) {
    const std::optional<double> value = reader.number(*decrease, Bound::kPositive, 1);
    if (value && *value >= 1) {
      reader.error(*decrease, std::string("must be below 1 (0.9 keeps 90 % of the ") + what + ")");
    }
    if (value) *out.decrease = *value;
  }
}

void parse_limits(YamlReader& reader, const YamlField& field, const ThresholdTargets& targets,
                  std::vector<RequestLimit>* limits) {
  if (field.node.IsNull() || !reader.is_map(field)) return;
  for (const YamlReader::Entry& entry : YamlReader::entries(field)) {
    std::optional<RequestLimit> limit = parse_limit(reader, entry, targets);
    if (!limit) continue;
    // The same tags in another order select the same requests.
    const bool repeated = std::any_of(limits->begin(), limits->end(), [&](const RequestLimit& l) {
      return l.scenario == limit->scenario && l.name == limit->name && l.method == limit->method;
    });
    if (repeated) {
      reader.error(entry.key_field, "a second limit on " + limit->selector);
      continue;
    }
    limits->push_back(std::move(*limit));
  }
}

}  // namespace stampede::plan_sections
