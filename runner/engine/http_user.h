#pragma once
// One virtual user: one keep-alive connection, one request in flight at a time. This is the
// request path, so it follows the engine performance notes: requests are pre-serialized, the
// first write is a direct non-blocking send, the response parser allocates nothing, there is
// no timer per request (the worker's sweep enforces deadlines) and no lock or atomic anywhere.
//
// The transport is a template parameter (PlainTransport or TlsTransport, engine/transport.h),
// so TCP and TLS share every line of the protocol logic without a virtual call per operation.
// What does not depend on the transport (templates, auth, response rules) is UserContext's.
// A `ws:` step runs as a WsSession (engine/ws_session.h) on a connection of its own.

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/asio.h"
#include "engine/classify_error.h"
#include "engine/compiled_plan.h"
#include "engine/rate_gate.h"
#include "engine/response_parser.h"
#include "engine/response_rules.h"
#include "engine/stream_reader.h"
#include "engine/transport.h"
#include "engine/user.h"
#include "engine/user_backoff.h"
#include "engine/user_config.h"
#include "engine/user_context.h"
#include "engine/ws_session.h"
#include "stats/selector_filter.h"
#include "stats/sliding_peak.h"

namespace stampede {

template <class Transport>
class HttpUser final : public User, private WsSessionOwner {
 public:
  HttpUser(asio::io_context& io, UserHost& host, const UserConfig& config,
           typename Transport::Context* tls, std::uint64_t user_index)
      : io_(io),
        host_(host),
        config_(config),
        tls_(tls),
        think_(io.get_executor()),
        context_(host, config, user_index) {}

  void start_loop(std::size_t scenario) override {
    loop_ = true;
    stopping_ = false;
    begin_iteration(scenario, Clock::now());
  }

  void start_iteration(std::size_t scenario, TimePoint scheduled) override {
    loop_ = false;
    begin_iteration(scenario, scheduled);
  }

  void preconnect() override {
    if (stream_ || state_ != State::kIdle) return;
    step_ = nullptr;
    connect();
  }

  void stop() override {
    stopping_ = true;
    // Like an HTTP iteration, a session runs to its end within the graceful stop (abort()
    // ends it there).
    if (state_ == State::kWebSocket) return;
    // A think time ends now (on_think_done sees stopping_ and goes idle). A wait for a retry or
    // for a limit belongs to the current iteration: it goes on within the graceful stop.
    if (state_ == State::kThinking && !backing_off_ && !limited_) think_.cancel();
  }

  void abort() override {
    stopping_ = true;
    if (state_ == State::kWebSocket) return ws_->abort();
    if (state_ == State::kThinking) {
      // A retry or a request still waiting is the step's outcome: interrupted (on_backoff_done
      // and on_limit_done record it).
      if (backing_off_ || limited_) interrupted_ = true;
      think_.cancel();
    }
    if (in_flight()) {
      interrupted_ = true;
      close();
    }
  }

  void sweep(TimePoint now) override {
    if (state_ == State::kWebSocket) return ws_->sweep(now);
    if (in_flight() && now >= deadline_) {
      timed_out_ = true;
      close();  // pending operations complete with operation_aborted
    }
  }

  bool busy() const override { return state_ != State::kIdle; }

  std::uint32_t connections() const override {
    const bool session = state_ == State::kWebSocket && ws_ && ws_->connected();
    return (stream_ ? 1U : 0U) + (session ? 1U : 0U);
  }

  // A template variable as this user holds it now (the values a setup extracted).
  std::string_view variable(std::size_t slot) const { return context_.variable(slot); }

 private:
  enum class State : unsigned char {
    kIdle,
    kConnecting,
    kHandshaking,
    kWriting,
    kReading,
    kThinking,
    kWebSocket  // a `ws:` step's session runs (ws_)
  };
  // Small responses fit a small buffer, and memory per connection matters at 10,000s of users;
  // a connection whose reads fill the buffer grows it for fewer, larger reads.
  static constexpr std::size_t kInitialBuffer = std::size_t{4} << 10;
  static constexpr std::size_t kMaxReadBuffer = std::size_t{64} << 10;
  static constexpr std::size_t kMaxHeaderBuffer = std::size_t{256} << 10;
  static constexpr Duration kFirstResourceBackoff = std::chrono::milliseconds(10);
  static constexpr Duration kMaxResourceBackoff = std::chrono::seconds(1);

  bool in_flight() const {
    return state_ == State::kConnecting || state_ == State::kHandshaking ||
           state_ == State::kWriting || state_ == State::kReading;
  }

  // --- iterations -------------------------------------------------------------------------

  void begin_iteration(std::size_t scenario, TimePoint scheduled) {
    scenario_ = scenario;
    const CompiledScenario& s = config_.plan->scenarios[scenario];
    task_ = &s.tasks[host_.pick_task(scenario)];
    step_index_ = 0;
    context_.begin_iteration(*task_);
    iteration_start_ = scheduled;
    step_scheduled_ = scheduled;
    ++host_.stats().iterations[scenario].iterations;
    run_step();
  }

  void run_step() {
    if (step_index_ >= task_->steps.size()) return end_iteration();
    step_ = &task_->steps[step_index_];
    retried_ = false;
    attempts_ = 0;
    request_ =
        step_->dynamic ? &context_.render_request(*step_, jwt_check_time()) : &step_->request;
    if (step_->ws) return run_ws();
    pass_limits();
  }

  void go() {
    if (stream_) {
      send();
    } else {
      connect();
    }
  }

  // --- WebSocket sessions ------------------------------------------------------------------

  void run_ws() {
    if (!ws_) {
      WsSessionOwner& owner = *this;
      ws_ = std::make_unique<WsSession<Transport>>(io_, host_, config_, tls_, context_, owner);
    }
    state_ = State::kWebSocket;
    ws_->start(*step_, *request_, step_scheduled_);
  }

  void on_ws_session_end(bool proceed) override {
    state_ = State::kIdle;
    // A failed session ends the iteration, as a failed request does.
    if (!proceed) return end_after_failure();
    step_done();
  }

  void step_done() {
    ++step_index_;
    step_scheduled_ = Clock::now();
    run_step();
  }

  void end_iteration() {
    step_ = nullptr;
    if (!loop_ || stopping_) return go_idle();
    const WaitTime& wait = config_.plan->scenarios[scenario_].wait;
    Duration pause{};
    switch (wait.kind) {
      case WaitTime::Kind::kNone:
        break;
      case WaitTime::Kind::kConstant:
        pause = wait.min;
        break;
      case WaitTime::Kind::kBetween:
        pause = host_.random_between(wait.min, wait.max);
        break;
      case WaitTime::Kind::kPacing:
        pause = std::max(Duration::zero(), wait.min - (Clock::now() - iteration_start_));
        break;
    }
    pause = std::max(pause, resource_wait());
    if (pause <= Duration::zero()) return begin_iteration(scenario_, Clock::now());
    state_ = State::kThinking;
    think_.expires_after(pause);
    think_.async_wait([this](const ErrorCode&) { on_think_done(); });
  }

  void on_think_done() {
    state_ = State::kIdle;
    if (backing_off_) return on_backoff_done();
    if (limited_) return on_limit_done();
    if (stopping_) return go_idle();
    begin_iteration(scenario_, Clock::now());
  }

  void go_idle() {
    state_ = State::kIdle;
    host_.on_user_idle(*this);
  }

  // --- connection -------------------------------------------------------------------------

  void connect() {
    state_ = State::kConnecting;
    timed_out_ = false;
    connect_start_ = Clock::now();
    deadline_ = connect_start_ + config_.connect_timeout;
    stream_.emplace(Transport::make(io_, tls_));
    requests_on_connection_ = 0;
    Transport::tcp(*stream_).async_connect(config_.endpoint,
                                           [this](const ErrorCode& ec) { on_connect(ec); });
  }

  void on_connect(const ErrorCode& ec) {
    if (ec) {
      note_resource_error(ec);
      return fail(classify_error(ec, Phase::kConnect, timed_out_));
    }
    resource_backoff_ = Duration::zero();
    ErrorCode ignored;
    Transport::tcp(*stream_).set_option(asio::ip::tcp::no_delay(true), ignored);
    Transport::tcp(*stream_).non_blocking(true, ignored);
    if constexpr (Transport::kTls) {
      state_ = State::kHandshaking;
      Transport::prepare_handshake(*stream_, *tls_);
      stream_->async_handshake(asio::ssl::stream_base::client,
                               [this](const ErrorCode& e) { on_handshake(e); });
    } else {
      connected();
    }
  }

  void on_handshake(const ErrorCode& ec) {
    if (ec) return fail(classify_error(ec, Phase::kHandshake, timed_out_));
    connected();
  }

  void connected() {
    pending_connect_ = Clock::now() - connect_start_;
    if (!step_) return go_idle();  // a pre-connect: nobody is waiting for this connection yet
    send();
  }

  // Out of file handles or local ports, a connect fails at once: a looping user would retry
  // tens of thousands of times a second, burning the CPU the working users need and drowning
  // the result in identical errors. Such a user waits before its next iteration instead, from
  // 10 ms doubling up to 1 s, until a connect succeeds. The failures still count (connect_error).
  void note_resource_error(const ErrorCode& ec) {
    if (!is_local_resource_error(ec)) return;
    resource_backoff_ =
        std::clamp(resource_backoff_ * 2, kFirstResourceBackoff, kMaxResourceBackoff);
  }

  // Between half and all of the current back-off: users that failed together spread out.
  Duration resource_wait() {
    if (resource_backoff_ == Duration::zero()) return Duration::zero();
    return host_.random_between(resource_backoff_ / 2, resource_backoff_);
  }

  void close() {
    if (!stream_) return;
    ErrorCode ignored;
    Transport::tcp(*stream_).close(ignored);
  }

  void reset_stream() {
    close();
    stream_.reset();
  }

  // --- one request ------------------------------------------------------------------------

  void send() {
    state_ = State::kWriting;
    timed_out_ = false;
    send_time_ = Clock::now();
    deadline_ = send_time_ + config_.request_timeout;
    const StreamSpec* stream = step_->source->stream ? &*step_->source->stream : nullptr;
    const bool capture = step_->capture_body || step_->capture_headers || stream != nullptr;
    if (capture) capture_.reset(step_->capture_body, step_->capture_headers);
    capture_.stream = nullptr;
    if (stream != nullptr) {
      stream_reader_.begin(host_, step_->row, *stream, step_->expect, step_->capture_body,
                           step_scheduled_, send_time_);
      capture_.stream = &stream_reader_;
    }
    parser_.emplace(config_.max_response_bytes, step_->head, capture ? &capture_ : nullptr);
    // Allocated at the first request: a user that only holds WebSocket sessions never needs it.
    if (buffer_.empty()) buffer_.resize(kInitialBuffer);
    used_ = 0;
    received_ = 0;
    const std::string& request = *request_;
    std::size_t written = 0;
    if constexpr (!Transport::kTls) {
      ErrorCode ec;
      written = stream_->write_some(asio::buffer(request), ec);
      if (ec && ec != asio::error::would_block) return on_write(ec);
    }
    if (written == request.size()) return read();
    asio::async_write(*stream_, asio::buffer(request.data() + written, request.size() - written),
                      [this](const ErrorCode& ec, std::size_t) { on_write(ec); });
  }

  void on_write(const ErrorCode& ec) {
    if (ec) return on_transport_error(ec);
    read();
  }

  void read() {
    state_ = State::kReading;
    stream_->async_read_some(asio::buffer(buffer_.data() + used_, buffer_.size() - used_),
                             [this](const ErrorCode& ec, std::size_t n) { on_read(ec, n); });
  }

  void on_read(const ErrorCode& ec, std::size_t n) {
    if (ec) return on_read_error(ec);
    const bool first = received_ == 0;
    if (first) first_byte_ = Clock::now();
    // A stream's events are timed by the read they arrived in.
    if (capture_.stream != nullptr) stream_reader_.set_arrival(first ? first_byte_ : Clock::now());
    const bool filled = used_ + n == buffer_.size();
    received_ += n;
    used_ += n;
    ErrorCode perr;
    std::size_t offset = 0;
    while (offset < used_ && !parser_->is_done()) {
      const std::size_t consumed =
          parser_->put(asio::buffer(buffer_.data() + offset, used_ - offset), perr);
      offset += consumed;
      if (perr == boost::beast::http::error::need_more) break;
      if (perr) return fail(classify_error(perr, Phase::kRequest, false));
    }
    if (capture_.stream != nullptr) {
      if (stream_reader_.too_large()) return fail(ErrorCategory::kResponseTooLarge);
      // The end marker ends the request; a body still open after it is not read (the
      // connection is not reused).
      if (stream_reader_.ended() && !parser_->is_done()) return complete(/*keep_connection=*/false);
    }
    if (parser_->is_done()) {
      // Bytes after a complete response to a non-pipelined request mean the stream is out of
      // step: count the response, then start over on a fresh connection.
      return complete(/*keep_connection=*/offset == used_ && parser_->keep_alive());
    }
    std::memmove(buffer_.data(), buffer_.data() + offset, used_ - offset);
    used_ -= offset;
    if (filled && buffer_.size() < kMaxReadBuffer) {
      buffer_.resize(buffer_.size() * 2);
    } else if (used_ == buffer_.size()) {
      if (buffer_.size() >= kMaxHeaderBuffer) return fail(ErrorCategory::kResponseTooLarge);
      buffer_.resize(buffer_.size() * 2);
    }
    read();
  }

  void on_read_error(const ErrorCode& ec) {
    if (ec == asio::error::eof && parser_->got_some() && parser_->need_eof() && !timed_out_ &&
        !interrupted_) {
      ErrorCode perr;
      parser_->put_eof(perr);
      if (!perr) return complete(/*keep_connection=*/false);
    }
    if (ec == asio::error::eof && received_ > 0 && !timed_out_ && !interrupted_) {
      return fail(ErrorCategory::kReset);  // closed mid-response
    }
    on_transport_error(ec);
  }

  void on_transport_error(const ErrorCode& ec) {
    // A keep-alive connection the server closed while idle fails on first use. Like browsers
    // and k6, retry such a request once on a new connection before calling it a failure.
    // A stop lets requests in flight finish (gracefulStop), and this one has not been answered.
    if (!timed_out_ && !interrupted_ && !retried_ && received_ == 0 &&
        requests_on_connection_ > 0) {
      retried_ = true;
      reset_stream();
      return connect();
    }
    fail(classify_error(ec, Phase::kRequest, timed_out_));
  }

  void complete(bool keep_connection) {
    const TimePoint done = Clock::now();
    RequestStats& row = host_.stats().rows[step_->row];
    const int status = parser_->status();
    if (status == 408 && stale_response()) {
      retried_ = true;
      reset_stream();
      return connect();
    }
    count_in_windows(status);
    signal_limits(status, done);
    if (config_.backoff != nullptr && overloaded(*config_.backoff, status, done - send_time_)) {
      host_.on_overload(send_time_, done);
    }
    if (should_retry(status)) {
      ++requests_on_connection_;
      if (!keep_connection) reset_stream();
      return retry_later(row, status);
    }
    ResponseView view{status, done - send_time_, capture_.body_text, &capture_.header_list,
                      {},     send_time_};
    if (capture_.stream != nullptr) {
      stream_reader_.record_end(done);
      if (stream_reader_.streaming()) {
        view.body = stream_reader_.text();
        view.json_text = stream_reader_.last_event();
      }
    }
    const bool extracted = context_.apply_response_rules(*step_, row, view);
    std::optional<ErrorCategory> failure;
    if (!step_->expect.contains(status)) {
      failure = ErrorCategory::kUnexpectedStatus;
    } else if (!extracted) {
      failure = ErrorCategory::kExtract;
    }
    const std::optional<Duration> connecting = std::exchange(pending_connect_, std::nullopt);
    record_response(row, status, done, failure, connecting);
    if (RequestStats* stage = stage_stats()) {
      record_response(*stage, status, done, failure, connecting);
    }
    ++requests_on_connection_;
    if (!keep_connection) reset_stream();
    state_ = State::kIdle;
    // Later steps would use a value this response did not give: the iteration ends here.
    if (interrupted_ || !extracted) return end_after_failure();
    step_done();
  }

  // A server may send 408 on an idle keep-alive connection as it closes it (RFC 9110 §15.5.9):
  // on a reused connection that 408 was most likely sent before our request arrived, and
  // answers nothing. Like the idle-close retry above (and Chromium), send the request once more
  // on a new connection; a 408 there is the server's answer.
  bool stale_response() const { return !retried_ && !interrupted_ && requests_on_connection_ > 0; }

  // One response into a row (and into its stage's statistics, with the same arguments).
  void record_response(RequestStats& s, int status, TimePoint done,
                       std::optional<ErrorCategory> failure, std::optional<Duration> connecting) {
    record_common(s, connecting);
    s.statuses.add(status);
    s.bytes_received += received_;
    // From the schedule when the request started late (coordinated omission), from the send
    // when the open model started it a little early (arrivals are batched per millisecond).
    s.latency.record(done - std::min(step_scheduled_, send_time_));
    s.service_time.record(done - send_time_);
    s.waiting.record(first_byte_ - send_time_);
    if (failure) {
      ++s.failures;
      ++s.errors[static_cast<std::size_t>(*failure)];
    }
  }

  void fail(ErrorCategory category) {
    if (interrupted_) category = ErrorCategory::kInterrupted;
    // Written (or being written): the server may have counted it against its limit.
    if (step_ && (state_ == State::kWriting || state_ == State::kReading)) count_in_windows(0);
    reset_stream();
    state_ = State::kIdle;
    if (step_ && should_retry_error(category)) {
      return retry_later(host_.stats().rows[step_->row], 0);
    }
    if (step_) {
      const std::optional<Duration> connecting = std::exchange(pending_connect_, std::nullopt);
      record_failure(host_.stats().rows[step_->row], category, connecting);
      if (RequestStats* stage = stage_stats()) record_failure(*stage, category, connecting);
    }
    end_after_failure();
  }

  void record_failure(RequestStats& s, ErrorCategory category, std::optional<Duration> connecting) {
    record_common(s, connecting);
    s.bytes_received += received_;
    ++s.failures;
    ++s.errors[static_cast<std::size_t>(category)];
  }

  // The attempt just answered (status 0: no response) into the windows of the windowed
  // thresholds its row counts in (max_count, max_rate), at its send time: retries included,
  // as a server's limiter counts every arrival (docs/rate-limits.md).
  void count_in_windows(int status) {
    const std::vector<std::size_t>& windows = config_.plan->row_windows[step_->row];
    const std::vector<std::size_t>& mine = config_.plan->row_user_windows[step_->row];
    if (windows.empty() && mine.empty()) return;
    const std::uint64_t at = ns_since_start(host_, send_time_);
    for (const std::size_t w : windows) {
      const CompiledWindow& window = config_.plan->windows[w];
      if (window.status && !status_matches(*window.status, status)) continue;
      if (window.stage && host_.stage_at(step_scheduled_) != *window.stage) continue;
      host_.stats().windows[w].add(at);
    }
    for (const std::size_t w : mine) count_in_user_window(w, status, at);
  }

  // This user's own sends in a per-user window (max_count_per_user(W)); the interval's
  // statistics keep the busiest user's peak.
  void count_in_user_window(std::size_t w, int status, std::uint64_t at) {
    const CompiledUserWindow& window = config_.plan->user_windows[w];
    if (window.status && !status_matches(*window.status, status)) return;
    if (window.stage && host_.stage_at(step_scheduled_) != *window.stage) return;
    while (user_windows_.size() < config_.plan->user_windows.size()) {
      user_windows_.emplace_back(config_.plan->user_windows[user_windows_.size()].window_ns);
    }
    user_windows_[w].add(at);
    std::uint64_t& peak = host_.stats().user_window_peaks[w];
    peak = std::max(peak, user_windows_[w].peak());
  }

  // The statistics of the named load stage this request was scheduled in; null when none.
  RequestStats* stage_stats() { return stampede::stage_stats(host_, step_scheduled_); }

  // A failed request ends its iteration: later steps may depend on it, and the connection is
  // gone. The next iteration starts on a new connection.
  void end_after_failure() {
    interrupted_ = false;
    if (!step_) return go_idle();  // a failed pre-connect: connect again on first use
    end_iteration();
  }

  void record_common(RequestStats& s, std::optional<Duration> connecting) {
    ++s.requests;
    s.bytes_sent += request_->size();
    if (connecting) s.connecting.record(*connecting);
  }

  // --- retries (rate limits) ---------------------------------------------------------------

  const RetryPolicy* retry_policy() const {
    return step_->source->retry ? &*step_->source->retry : nullptr;
  }

  bool should_retry(int status) const {
    const RetryPolicy* retry = retry_policy();
    // Not after abort(): the graceful stop is over. A mere stop() lets the iteration finish,
    // retries included.
    return retry != nullptr && !interrupted_ && attempts_ < retry->max &&
           retry->on.contains(status);
  }

  bool should_retry_error(ErrorCategory category) const {
    const RetryPolicy* retry = retry_policy();
    if (retry == nullptr || !retry->on_errors || interrupted_ || attempts_ >= retry->max) {
      return false;
    }
    return category != ErrorCategory::kInterrupted &&
           category != ErrorCategory::kUnexpectedStatus && category != ErrorCategory::kExtract;
  }

  // Counts the retried attempt (its traffic too) and waits: Retry-After when the server sent
  // one and the policy honours it, else exponential backoff with full jitter.
  void retry_later(RequestStats& row, int status) {
    const RetryPolicy& retry = *retry_policy();
    ++row.retries;
    row.retried_statuses.add(status);
    row.bytes_sent += request_->size();
    row.bytes_received += received_;
    Duration wait = backoff(retry, attempts_);
    if (status != 0 && retry.retry_after) {
      if (std::optional<Duration> after = retry_after_header())
        wait = std::min(*after, retry.max_backoff);
    }
    ++attempts_;
    backing_off_ = true;
    state_ = State::kThinking;
    think_.expires_after(wait);
    think_.async_wait([this](const ErrorCode&) { on_think_done(); });
  }

  // The graceful stop ended while the step waited to be retried or for a limit: its outcome is
  // `interrupted`. The attempt was never sent, so it adds a failed request and no traffic.
  void abandon_retry() {
    pending_connect_.reset();
    const auto count = [](RequestStats& s) {
      ++s.requests;
      ++s.failures;
      ++s.errors[static_cast<std::size_t>(ErrorCategory::kInterrupted)];
    };
    count(host_.stats().rows[step_->row]);
    if (RequestStats* stage = stage_stats()) count(*stage);
    end_after_failure();
  }

  Duration backoff(const RetryPolicy& retry, std::uint32_t attempt) {
    double ceiling = std::chrono::duration<double>(retry.initial).count();
    for (std::uint32_t i = 0; i < attempt; ++i) ceiling *= retry.multiplier;
    ceiling = std::min(ceiling, std::chrono::duration<double>(retry.max_backoff).count());
    const double fraction = static_cast<double>(host_.random64() >> 11) * 0x1.0p-53;
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(ceiling * fraction));
  }

  // Retry-After in seconds (the HTTP-date form is rare from APIs and is ignored).
  std::optional<Duration> retry_after_header() const {
    for (const auto& [name, value] : capture_.header_list) {
      if (name.size() != 11 || ::strncasecmp(name.data(), "Retry-After", 11) != 0) continue;
      unsigned long long seconds = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && end == value.data() + value.size()) {
        return std::chrono::seconds(seconds);
      }
    }
    return std::nullopt;
  }

  void on_backoff_done() {
    backing_off_ = false;
    if (interrupted_) return abandon_retry();
    context_.refresh_jwt(*step_, request_);
    pass_limits();  // a retry is a request the target counts: it waits for the limits too
  }

  // --- limits (docs/rate-limits.md) --------------------------------------------------------

  // Reserves the request's slot in each of its row's limits and waits for the latest. The
  // request is then timed from the end of that wait: the client held it back, not the target.
  // An open-model arrival whose first attempt would wait past a limit's maxDelay is not sent:
  // the arrival rate is above the limit, and its iteration ends here (the limit counts it).
  void pass_limits() {
    if (config_.plan->row_limits[step_->row].empty() || config_.gates.empty()) return go();
    const std::optional<Duration> wait = limits_wait(&RateGate::reserve);
    if (!wait) return end_after_failure();
    if (*wait <= Duration::zero()) return go();
    hold(*wait);
  }

  // The longest wait `ask` (RateGate::reserve or recheck) gives among the row's limits; nullopt
  // when one skips the request. Only an open-model arrival's first attempt may be skipped.
  std::optional<Duration> limits_wait(std::optional<Duration> (RateGate::*ask)(TimePoint, bool,
                                                                               TimePoint*)) {
    const TimePoint now = Clock::now();
    const bool bounded = !loop_ && attempts_ == 0;
    Duration wait{};
    // A per-user limit's next slot for this user (`per: user`), by Plan::limits index.
    if (own_slots_.size() < config_.gates.size()) own_slots_.resize(config_.gates.size());
    for (const std::size_t limit : config_.plan->row_limits[step_->row]) {
      const std::optional<Duration> more =
          (config_.gates[limit]->*ask)(now, bounded, &own_slots_[limit]);
      if (!more) return std::nullopt;
      wait = std::max(wait, *more);
    }
    return wait;
  }

  // A Retry-After pause may have begun while the request waited: it waits for that too (or,
  // as an open-model arrival held past maxDelay, is skipped).
  void on_limit_done() {
    limited_ = false;
    if (interrupted_) return abandon_retry();
    const std::optional<Duration> wait = limits_wait(&RateGate::recheck);
    if (!wait) return end_after_failure();
    if (*wait > Duration::zero()) return hold(*wait);
    context_.refresh_jwt(*step_, request_);
    go();
  }

  void hold(Duration wait) {
    step_scheduled_ += wait;
    limited_ = true;
    state_ = State::kThinking;
    think_.expires_after(wait);
    think_.async_wait([this](const ErrorCode&) { on_think_done(); });
  }

  // An answer to the adaptive limits of its row: a status they listen for, or a slow answer,
  // pushes their rate down (with the Retry-After it carried).
  void signal_limits(int status, TimePoint done) {
    const std::vector<std::size_t>& limits = config_.plan->row_limits[step_->row];
    if (limits.empty() || config_.gates.empty()) return;
    std::optional<Duration> after;
    bool read_after = false;
    for (const std::size_t limit : limits) {
      RateGate& gate = *config_.gates[limit];
      if (!gate.adaptive()) continue;
      if (gate.wants_retry_after() && !read_after) {
        after = retry_after_header();
        read_after = true;
      }
      gate.on_response(done, send_time_, status, done - send_time_, after);
    }
  }

  // --- templates and auth ----------------------------------------------------------------

  // The time a JWT's refresh is judged by. The step's start time is the clock read when the
  // step began (no clock read here), except for the first step of an open-model arrival: its
  // scheduled instant, which lags by the time the arrival waited in the queue, possibly longer
  // than the margin left before exp.
  TimePoint jwt_check_time() const {
    const bool queued_arrival = !loop_ && step_index_ == 0;
    return queued_arrival ? Clock::now() : step_scheduled_;
  }

  asio::io_context& io_;
  UserHost& host_;
  const UserConfig& config_;
  typename Transport::Context* tls_;
  SteadyTimer think_;

  std::optional<typename Transport::Stream> stream_;
  std::optional<ResponseParser> parser_;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t requests_on_connection_ = 0;

  State state_ = State::kIdle;
  bool loop_ = false;
  bool stopping_ = false;
  bool timed_out_ = false;
  bool interrupted_ = false;
  bool retried_ = false;
  bool backing_off_ = false;
  bool limited_ = false;         // waiting for a limit's slot (pass_limits)
  std::uint32_t attempts_ = 0;   // retries of the current step so far
  Duration resource_backoff_{};  // after connects that failed for want of local resources

  std::size_t scenario_ = 0;
  const CompiledTask* task_ = nullptr;
  const CompiledStep* step_ = nullptr;
  std::size_t step_index_ = 0;

  TimePoint iteration_start_{};
  TimePoint step_scheduled_{};
  TimePoint connect_start_{};
  TimePoint send_time_{};
  TimePoint first_byte_{};
  TimePoint deadline_{};
  std::optional<Duration> pending_connect_;

  const std::string* request_ = nullptr;  // the step's request: constant or rendered
  ResponseCapture capture_;
  StreamReader stream_reader_;
  std::vector<SlidingPeak> user_windows_;  // by CompiledPlan::user_windows index, made on use
  std::vector<TimePoint> own_slots_;       // by Plan::limits index: `per: user` limits' next slots
  UserContext context_;
  std::unique_ptr<WsSession<Transport>> ws_;  // made at the first `ws:` step
};

}  // namespace stampede
