#pragma once
// One virtual user: one keep-alive connection, one request in flight at a time. This is the
// request path, so it follows the engine performance notes: requests are pre-serialized, the
// first write is a direct non-blocking send, the response parser allocates nothing, there is
// no timer per request (the worker's sweep enforces deadlines) and no lock or atomic anywhere.
//
// The transport is a template parameter (PlainTransport or TlsTransport, transport.h), so TCP
// and TLS share every line of the protocol logic without a virtual call per operation.

#include <cstring>
#include <optional>
#include <vector>

#include "engine/asio.h"
#include "engine/compiled_plan.h"
#include "engine/error_category.h"
#include "engine/response_parser.h"
#include "engine/tls_context.h"
#include "engine/user.h"
#include "engine/user_config.h"

namespace stampede {

template <class Transport>
class HttpUser final : public User {
 public:
  HttpUser(asio::io_context& io, UserHost& host, const UserConfig& config,
           typename Transport::Context* tls)
      : io_(io), host_(host), config_(config), tls_(tls), think_(io.get_executor()) {
    buffer_.resize(kInitialBuffer);
  }

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
    if (state_ == State::kThinking) {
      think_.cancel();  // on_think_done sees stopping_ and goes idle
    }
  }

  void abort() override {
    stopping_ = true;
    if (state_ == State::kThinking) think_.cancel();
    if (in_flight()) {
      interrupted_ = true;
      close();
    }
  }

  void sweep(TimePoint now) override {
    if (in_flight() && now >= deadline_) {
      timed_out_ = true;
      close();  // pending operations complete with operation_aborted
    }
  }

  bool busy() const override { return state_ != State::kIdle; }

 private:
  enum class State : unsigned char {
    kIdle,
    kConnecting,
    kHandshaking,
    kWriting,
    kReading,
    kThinking
  };
  // Small responses fit a small buffer, and memory per connection matters at 10,000s of users;
  // a connection whose reads fill the buffer grows it for fewer, larger reads.
  static constexpr std::size_t kInitialBuffer = std::size_t{4} << 10;
  static constexpr std::size_t kMaxReadBuffer = std::size_t{64} << 10;
  static constexpr std::size_t kMaxHeaderBuffer = std::size_t{256} << 10;

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
    iteration_start_ = scheduled;
    step_scheduled_ = scheduled;
    ++host_.stats().iterations[scenario].iterations;
    run_step();
  }

  void run_step() {
    if (step_index_ >= task_->steps.size()) return end_iteration();
    step_ = &task_->steps[step_index_];
    retried_ = false;
    if (stream_) {
      send();
    } else {
      connect();
    }
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
    if (pause <= Duration::zero()) return begin_iteration(scenario_, Clock::now());
    state_ = State::kThinking;
    think_.expires_after(pause);
    think_.async_wait([this](const ErrorCode&) { on_think_done(); });
  }

  void on_think_done() {
    state_ = State::kIdle;
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
    if (ec) return fail(classify_error(ec, Phase::kConnect, timed_out_));
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
    parser_.emplace(config_.max_response_bytes, step_->head);
    used_ = 0;
    received_ = 0;
    const std::string& request = step_->request;
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
    if (received_ == 0) first_byte_ = Clock::now();
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
    if (!timed_out_ && !interrupted_ && !retried_ && received_ == 0 &&
        requests_on_connection_ > 0 && !stopping_) {
      retried_ = true;
      reset_stream();
      return connect();
    }
    fail(classify_error(ec, Phase::kRequest, timed_out_));
  }

  void complete(bool keep_connection) {
    const TimePoint done = Clock::now();
    RequestStats& row = host_.stats().rows[step_->row];
    record_common(row);
    const int status = parser_->status();
    row.statuses.add(status);
    row.bytes_received += received_;
    // From the schedule when the request started late (coordinated omission), from the send
    // when the open model started it a little early (arrivals are batched per millisecond).
    row.latency.record(done - std::min(step_scheduled_, send_time_));
    row.service_time.record(done - send_time_);
    row.waiting.record(first_byte_ - send_time_);
    if (!step_->expect.contains(status)) {
      ++row.failures;
      ++row.errors[static_cast<std::size_t>(ErrorCategory::kUnexpectedStatus)];
    }
    ++requests_on_connection_;
    if (!keep_connection) reset_stream();
    state_ = State::kIdle;
    if (interrupted_) return end_after_failure();
    step_done();
  }

  void fail(ErrorCategory category) {
    if (interrupted_) category = ErrorCategory::kInterrupted;
    reset_stream();
    state_ = State::kIdle;
    if (step_) {
      RequestStats& row = host_.stats().rows[step_->row];
      record_common(row);
      row.bytes_received += received_;
      ++row.failures;
      ++row.errors[static_cast<std::size_t>(category)];
    }
    end_after_failure();
  }

  // A failed request ends its iteration: later steps may depend on it, and the connection is
  // gone. The next iteration starts on a new connection.
  void end_after_failure() {
    interrupted_ = false;
    if (!step_) return go_idle();  // a failed pre-connect: connect again on first use
    end_iteration();
  }

  void record_common(RequestStats& row) {
    ++row.requests;
    row.bytes_sent += step_->request.size();
    if (pending_connect_) {
      row.connecting.record(*pending_connect_);
      pending_connect_.reset();
    }
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
};

}  // namespace stampede
