#include "engine/user_context.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <optional>

#include "engine/jwt.h"

namespace stampede {

UserContext::UserContext(UserHost& host, const UserConfig& config, std::uint64_t user_index)
    : host_(host),
      config_(config),
      user_index_(user_index),
      values_(config.plan->slot_count),
      owned_(config.plan->slot_count) {
  // The setup's values, shared by every user and read like the plan's other variables; the
  // config outlives its users, so views into it stay valid.
  const auto& slots = config.plan->setup_slots;
  for (std::size_t i = 0; i < slots.size() && config.setup_values != nullptr; ++i) {
    values_[slots[i].slot] = (*config.setup_values)[i];
  }
}

void UserContext::begin_iteration(const CompiledTask& task) {
  iteration_ = iterations_started_++;
  for (const std::size_t feeder : task.feeders) draw_row(feeder);
}

// A `sequential`, `random` or `unique` row of a data source into the column slots.
void UserContext::draw_row(std::size_t feeder) {
  const DataSource& source = config_.plan->plan->data[feeder];
  const std::size_t rows = source.rows.size();
  std::size_t row = 0;
  switch (source.order) {
    case DataSource::Order::kSequential:
      row = host_.next_feeder_row(feeder, rows);
      break;
    case DataSource::Order::kRandom:
      row = host_.random64() % rows;
      break;
    case DataSource::Order::kUnique:
      row = user_index_ % rows;
      break;
  }
  const std::size_t first = config_.plan->feeders[feeder].first_slot;
  for (std::size_t c = 0; c < source.columns.size(); ++c) values_[first + c] = source.rows[row][c];
}

// Body first: its length goes into the head.
const std::string& UserContext::render_request(const CompiledStep& step, TimePoint jwt_time) {
  const RequestTemplate& rt = *step.dynamic;
  body_buf_.clear();
  render_template(rt.body, *this, body_buf_);
  request_buf_.clear();
  render_template(rt.head, *this, request_buf_);
  append_auth(step, jwt_time);
  if (rt.sends_body) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body_buf_.size());
    request_buf_.append("Content-Length: ").append(digits, end).append("\r\n");
  }
  request_buf_.append("\r\n").append(body_buf_);
  return request_buf_;
}

void UserContext::append_auth(const CompiledStep& step, TimePoint jwt_time) {
  jwt_span_ = {};
  const std::optional<Auth>& auth = step.source->auth;
  if (!auth || auth->kind == Auth::Kind::kNone) return;
  request_buf_.append("Authorization: ");
  switch (auth->kind) {
    case Auth::Kind::kBearer:
      request_buf_.append("Bearer ");
      render_template(step.bearer, *this, request_buf_);
      break;
    case Auth::Kind::kBasic:
      scratch_.clear();
      render_template(step.basic_user, *this, scratch_);
      scratch_.push_back(':');
      render_template(step.basic_password, *this, scratch_);
      request_buf_.append("Basic ");
      append_base64(request_buf_, scratch_, /*url=*/false);
      break;
    case Auth::Kind::kJwt: {
      request_buf_.append("Bearer ");
      const std::string& token = jwt_token(step, auth->jwt, jwt_time);
      jwt_span_ = {request_buf_.size(), token.size()};
      request_buf_.append(token);
      break;
    }
    case Auth::Kind::kNone:
      break;
  }
  request_buf_.append("\r\n");
}

void UserContext::refresh_jwt(const CompiledStep& step, const std::string* request) {
  if (jwt_span_.length == 0 || request != &request_buf_) return;
  const std::string& token = jwt_token(step, step.source->auth->jwt, Clock::now());
  const std::string_view sent(request_buf_.data() + jwt_span_.offset, jwt_span_.length);
  if (sent == token) return;
  request_buf_.replace(jwt_span_.offset, jwt_span_.length, token);
  jwt_span_.length = token.size();
}

// The user's token for this JWT config, signed again when a fifth of its life is left.
const std::string& UserContext::jwt_token(const CompiledStep& step, const JwtAuth& jwt,
                                          TimePoint now) {
  auto it = std::find_if(jwts_.begin(), jwts_.end(),
                         [&](const CachedJwt& c) { return c.config == &jwt; });
  if (it == jwts_.end()) it = jwts_.insert(jwts_.end(), CachedJwt{&jwt, {}, {}});
  if (!it->token.empty() && now < it->refresh_at) return it->token;
  scratch_.clear();
  render_template(step.jwt_claims, *this, scratch_);
  // iat and exp are whole seconds: iat is the signing time rounded down, so the token expires
  // up to a second earlier than signing time + expiresIn. The refresh is timed from the exp
  // actually written, a fifth of the lifetime ahead of it, so no token is sent at or after it.
  const auto wall = std::chrono::system_clock::now();
  const auto iat = std::chrono::floor<std::chrono::seconds>(wall);
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(jwt.expires_in);
  const auto exp = iat + lifetime;
  std::string payload = "{\"iat\":" + std::to_string(iat.time_since_epoch().count()) +
                        ",\"exp\":" + std::to_string(exp.time_since_epoch().count());
  payload += scratch_.size() > 2 ? "," + scratch_.substr(1) : "}";
  it->token.clear();
  append_jwt_hs256(it->token, payload, jwt.secret);
  it->refresh_at = now + std::chrono::duration_cast<Duration>(exp - wall) -
                   std::chrono::duration_cast<Duration>(lifetime) / 5;
  return it->token;
}

bool UserContext::apply_response_rules(const CompiledStep& step, RequestStats& row,
                                       const ResponseView& response) {
  const HttpStep& h = *step.source;
  if (h.extract.empty() && h.checks.empty() && h.metrics.empty()) return true;
  ResponseReader reader(response);
  const bool extracted = extract(h.extract, step.extract_slots, reader);
  for (std::size_t i = 0; i < h.checks.size(); ++i) {
    scratch_.clear();
    render_template(step.check_expected[i], *this, scratch_);
    CheckCounts& counts = row.checks[step.check_index[i]];
    ++(check_passes(h.checks[i], scratch_, reader) ? counts.passes : counts.fails);
  }
  for (const MetricCapture& capture : h.metrics) record_custom(capture, reader, response.sent);
  return extracted;
}

bool UserContext::extract(const std::vector<Extractor>& extract,
                          const std::vector<std::size_t>& slots, ResponseReader& reader) {
  bool extracted = true;
  for (std::size_t i = 0; i < extract.size(); ++i) {
    std::optional<std::string> value = reader.read(extract[i].source);
    if (!value) value = extract[i].fallback;
    if (!value) {
      extracted = false;
      continue;
    }
    owned_[slots[i]] = std::move(*value);
    values_[slots[i]] = owned_[slots[i]];
  }
  return extracted;
}

void UserContext::count_in_windows(std::size_t metric, const std::string& value, TimePoint sent) {
  const CompiledPlan& plan = *config_.plan;
  if (metric >= plan.custom_windows.size()) return;
  const std::uint64_t at = ns_since_start(host_, sent);
  for (const std::size_t w : plan.custom_windows[metric]) {
    const CompiledWindow& window = plan.windows[w];
    if (window.value && *window.value != value) continue;
    host_.stats().windows[w].add(at);
  }
}

// A custom metric from the response: a trend's number, or a count, per `by` value. A response
// without the value (or with a non-number for a trend) records nothing.
void UserContext::record_custom(const MetricCapture& capture, ResponseReader& reader,
                                TimePoint sent) {
  CustomMetricStats& metric = host_.stats().custom[capture.metric];
  std::optional<std::string> tag;
  if (capture.by) {
    tag = reader.read(*capture.by);
    if (!tag) return;
  }
  if (metric.kind == CustomMetricStats::Kind::kCounter) {
    ++custom_value_slot(metric, tag.value_or("")).count;
    count_in_windows(capture.metric, tag.value_or(""), sent);
    return;
  }
  const std::optional<std::string> text = reader.read(capture.value);
  if (!text) return;
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  if (end == text->c_str() || value < 0) return;
  const double scale = metric.unit == "ms" ? 1e6 : metric.unit == "s" ? 1e9 : kPlainTrendScale;
  CustomValueStats& slot = custom_value_slot(metric, tag.value_or(""));
  ++slot.count;
  slot.histogram.record_ns(static_cast<std::uint64_t>(value * scale));
}

}  // namespace stampede
