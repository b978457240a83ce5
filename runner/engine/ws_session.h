#pragma once
// One WebSocket session of a virtual user (`ws:` steps): its own connection, the upgrade, then
// the step's program of actions (engine/ws_program.h), and the close handshake. Beast does the
// framing (masked client frames, fragments, control frames between fragments, ping replies,
// permessage-deflate); this class does the timing and the statistics.
//
// A reader is outstanding from the upgrade to the close, so every message is timed when it
// arrives, whatever action runs (the gaps of a feed are exact even during a think time).
// Messages no receive has taken yet wait in a queue; a receive takes from it first.
//
// Like HttpUser it has no timer per operation: the worker's sweep enforces the deadlines.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>  // before Asio (gcc 12 with C++20)
#include <vector>

#include "engine/asio.h"
#include "engine/classify_error.h"
#include "engine/compiled_plan.h"
#include "engine/response_rules.h"
#include "engine/transport.h"
#include "engine/user.h"
#include "engine/user_config.h"
#include "engine/user_context.h"
#include "engine/ws_handshake.h"

namespace stampede {

// How the session tells its user it is over; `proceed`: the next step may run (the session
// succeeded and its extracts found their values).
class WsSessionOwner {
 public:
  virtual void on_ws_session_end(bool proceed) = 0;

 protected:
  ~WsSessionOwner() = default;
};

template <class Transport>
class WsSession {
 public:
  WsSession(asio::io_context& io, UserHost& host, const UserConfig& config,
            typename Transport::Context* tls, UserContext& context, WsSessionOwner& owner)
      : io_(io),
        host_(host),
        config_(config),
        tls_(tls),
        context_(context),
        owner_(owner),
        think_(io.get_executor()) {}

  // Runs `step` (a compiled `ws:` step) with its rendered handshake request; the session was due
  // at `scheduled` (the open model's arrival, or the step's start).
  void start(const CompiledStep& step, const std::string& request, TimePoint scheduled) {
    step_ = &step;
    ws_program_ = &*step.ws;
    request_ = &request;
    scheduled_ = scheduled;
    reset_session();
    start_ = Clock::now();
    set_deadline(config_.connect_timeout);
    make_stream();
    ++outstanding_;
    lowest().async_connect(config_.endpoint, [this](const ErrorCode& ec) { on_connect(ec); });
  }

  // Deadlines: connect, upgrade, a send, a receive's timeout and the close handshake.
  void sweep(TimePoint now) {
    if (!finishing_ && armed_ && now >= deadline_) {
      timed_out_ = true;
      armed_ = false;
      close_socket();
    }
  }

  // The graceful stop is over: the session ends now, `interrupted`.
  void abort() {
    if (finishing_) return;
    fail(ErrorCategory::kInterrupted);
  }

  // Whether the session holds a connection now (from the connect to the close).
  bool connected() const { return ws_.has_value(); }

 private:
  using Stream = boost::beast::websocket::stream<typename Transport::Stream>;
  struct Message {
    TimePoint arrival;
    std::string data;
  };
  // Messages received while no receive waits; beyond this many the oldest are dropped (still
  // counted as received), so a plan that never receives from a feed keeps bounded memory.
  static constexpr std::size_t kMaxQueued = 1024;

  TcpSocket& lowest() { return boost::beast::get_lowest_layer(*ws_); }

  void make_stream() {
    if constexpr (Transport::kTls) {
      ws_.emplace(io_.get_executor(), tls_->context);
    } else {
      ws_.emplace(io_.get_executor());
    }
  }

  void reset_session() {
    finishing_ = false;
    notified_ = false;
    receiving_ = false;
    awaiting_pong_ = false;
    ping_written_ = false;
    opened_ = false;
    closing_ = false;
    timed_out_ = false;
    thinking_ = false;
    proceed_ = false;
    armed_ = false;
    outstanding_ = 0;
    pc_ = 0;
    queue_.clear();
    queue_head_ = 0;
    last_message_.clear();
    have_last_arrival_ = false;
    pending_connect_.reset();
    pair_sent_.assign(ws_program_->pairs, TimePoint{});
    pair_valid_.assign(ws_program_->pairs, false);
    loop_count_.assign(ws_program_->loops, 0);
    loop_start_.assign(ws_program_->loops, TimePoint{});
  }

  void set_deadline(Duration d) {
    deadline_ = Clock::now() + d;
    armed_ = true;
  }

  void close_socket() {
    if (!ws_) return;
    ErrorCode ignored;
    lowest().close(ignored);
  }

  // --- opening ----------------------------------------------------------------------------

  void on_connect(const ErrorCode& ec) {
    --outstanding_;
    if (finishing_) return drain();
    if (ec) return fail(classify_error(ec, Phase::kConnect, timed_out_));
    pending_connect_ = Clock::now() - start_;
    ErrorCode ignored;
    lowest().set_option(asio::ip::tcp::no_delay(true), ignored);
    set_deadline(config_.request_timeout);
    if constexpr (Transport::kTls) {
      Transport::prepare_handshake(ws_->next_layer(), *tls_);
      ++outstanding_;
      ws_->next_layer().async_handshake(asio::ssl::stream_base::client,
                                        [this](const ErrorCode& e) { on_tls(e); });
    } else {
      upgrade();
    }
  }

  void on_tls(const ErrorCode& ec) {
    --outstanding_;
    if (finishing_) return drain();
    if (ec) return fail(classify_error(ec, Phase::kHandshake, timed_out_));
    upgrade();
  }

  void upgrade() {
    namespace websocket = boost::beast::websocket;
    const WsStep& spec = *ws_program_->step;
    handshake_ = parse_handshake_request(*request_);
    ws_->set_option(websocket::stream_base::decorator(
        [this](websocket::request_type& req) { decorate(handshake_, offered(), req); }));
    if (spec.deflate) {
      websocket::permessage_deflate deflate;
      deflate.client_enable = true;
      ws_->set_option(deflate);
    }
    ws_->read_message_max(spec.max_message_bytes);
    ws_->auto_fragment(false);
    // Beast masks outgoing frames through a buffer it keeps for the session's life (4 KiB by
    // default): 2 KiB halves that cost of every idle session for at most one more write per
    // 2 KiB of a large message.
    ws_->write_buffer_bytes(2048);
    ws_->control_callback([this](websocket::frame_type kind, boost::beast::string_view) {
      if (kind == websocket::frame_type::pong) on_pong();
    });
    upgrade_response_ = {};
    ++outstanding_;
    ws_->async_handshake(upgrade_response_, handshake_.host, handshake_.target,
                         [this](const ErrorCode& ec) { on_upgrade(ec); });
  }

  const std::string& offered() {
    const auto& subprotocols = ws_program_->step->subprotocols;
    offered_.clear();
    for (const std::string& p : subprotocols) {
      if (!offered_.empty()) offered_ += ", ";
      offered_ += p;
    }
    return offered_;
  }

  void on_upgrade(const ErrorCode& ec) {
    --outstanding_;
    if (finishing_) return drain();
    if (ec == boost::beast::websocket::error::upgrade_declined) {
      return fail(ErrorCategory::kWsHandshake, upgrade_response_.result_int());
    }
    if (ec) return fail(classify_upgrade_error(ec));
    const TimePoint now = Clock::now();
    opened_ = true;
    opened_at_ = now;
    WsStats& ws = row().ws;
    ++ws.sessions;
    ws.connecting.record(now - start_);
    read();
    run();
  }

  ErrorCategory classify_upgrade_error(const ErrorCode& ec) {
    if (timed_out_) return ErrorCategory::kRequestTimeout;
    // A 101 that breaks RFC 6455 §4.1 (accept key, Upgrade, Connection, extension answer).
    if (ec == boost::beast::websocket::condition::handshake_failed) {
      return ErrorCategory::kWsProtocol;
    }
    return classify_error(ec, Phase::kRequest, false);
  }

  // --- the reader --------------------------------------------------------------------------

  void read() {
    ++outstanding_;
    ws_->async_read(read_buffer_, [this](const ErrorCode& ec, std::size_t n) { on_read(ec, n); });
  }

  void on_read(const ErrorCode& ec, std::size_t n) {
    --outstanding_;
    if (finishing_) return drain();
    if (ec) return on_read_error(ec);
    const TimePoint now = Clock::now();
    WsStats& ws = row().ws;
    ++ws.msgs_received;
    row().bytes_received += n;
    if (have_last_arrival_) ws.message_gap.record(now - last_arrival_);
    last_arrival_ = now;
    have_last_arrival_ = true;
    const std::string_view data(static_cast<const char*>(read_buffer_.data().data()), n);
    // A waiting receive has taken every queued message already (begin_receive).
    bool resume = false;
    if (receiving_) {
      resume = take(now, data);
    } else {
      enqueue(now, data);
    }
    read_buffer_.consume(n);
    if (finishing_) return drain();  // the receive's extract found nothing
    // The reader is outstanding again before the program goes on, so a close the program
    // begins finds it (Beast hands the close frame to it).
    read();
    if (resume) run();
  }

  void enqueue(TimePoint arrival, std::string_view data) {
    if (queue_.size() - queue_head_ == kMaxQueued) ++queue_head_;  // the oldest is dropped
    queue_.push_back({arrival, std::string(data)});
  }

  void on_read_error(const ErrorCode& ec) {
    namespace websocket = boost::beast::websocket;
    if (closing_) return close_done();  // our close handshake ended the reader
    if (timed_out_) {
      const bool waiting = receiving_ || awaiting_pong_;
      return fail(waiting ? ErrorCategory::kReceiveTimeout : ErrorCategory::kRequestTimeout);
    }
    if (ec == websocket::error::closed) {  // the server closed before the session's end
      note_close_code();
      return fail(ErrorCategory::kWsClosed);
    }
    if (ec == websocket::error::message_too_big) return fail(ErrorCategory::kMessageTooLarge);
    if (ec == websocket::condition::protocol_violation) return fail(ErrorCategory::kWsProtocol);
    // The connection ended without a close frame: 1006, closed abnormally.
    row().ws.close_codes.add(1006);
    fail(ErrorCategory::kWsClosed);
  }

  // The code of the server's close frame; 1006 when none came (RFC 6455 §7.1.5).
  void note_close_code() {
    const auto code = static_cast<int>(ws_->reason().code);
    row().ws.close_codes.add(code != 0 ? code : 1006);
  }

  // --- the program -------------------------------------------------------------------------

  // Runs actions until one waits (a write, a receive, a think time) or the program ends.
  void run() {
    const auto& program = ws_program_->program;
    while (!finishing_ && !closing_) {
      if (pc_ >= program.size()) return begin_close(1000, {});
      const WsOp& op = program[pc_];
      switch (op.code) {
        case WsOp::Code::kSend:
          return send(op);
        case WsOp::Code::kReceive:
          if (!begin_receive(op)) return;
          break;
        case WsOp::Code::kPing:
          return ping();
        case WsOp::Code::kThink:
          return think(op);
        case WsOp::Code::kRepeat:
          loop_count_[op.loop] = 0;
          loop_start_[op.loop] = Clock::now();
          ++pc_;
          break;
        case WsOp::Code::kRepeatEnd:
          pc_ = again(op) ? op.partner + 1 : pc_ + 1;
          break;
        case WsOp::Code::kClose:
          return begin_close(op.action->close_code, op.action->close_reason);
      }
    }
  }

  bool again(const WsOp& end) {
    const WsAction& repeat = *end.action;
    const std::uint64_t done = ++loop_count_[end.loop];
    if (repeat.times > 0) return done < repeat.times;
    return Clock::now() - loop_start_[end.loop] < repeat.duration;
  }

  void send(const WsOp& op) {
    const std::string* payload = &op.text;
    if (!op.payload.constant()) {
      scratch_.clear();
      render_template(op.payload, context_, scratch_);
      payload = &scratch_;
    }
    if (op.pair != WsOp::kNone) {
      pair_sent_[op.pair] = Clock::now();
      pair_valid_[op.pair] = true;
    }
    set_deadline(config_.request_timeout);
    ws_->binary(op.action->binary);
    ++outstanding_;
    const std::size_t size = payload->size();
    ws_->async_write(asio::buffer(*payload),
                     [this, size](const ErrorCode& ec, std::size_t) { on_sent(ec, size); });
  }

  void on_sent(const ErrorCode& ec, std::size_t size) {
    --outstanding_;
    if (finishing_) return drain();
    armed_ = false;
    if (ec) return fail(on_write_error(ec));
    ++row().ws.msgs_sent;
    row().bytes_sent += size;
    ++pc_;
    run();
  }

  // A write fails when the connection is gone (closed, reset, broken pipe), or by our deadline.
  ErrorCategory on_write_error(const ErrorCode&) const {
    return timed_out_ ? ErrorCategory::kRequestTimeout : ErrorCategory::kWsClosed;
  }

  // A receive starts: messages already queued count first. False: it waits for more.
  bool begin_receive(const WsOp& op) {
    receiving_ = true;
    receive_op_ = &op;
    received_for_op_ = 0;
    receive_start_ = Clock::now();
    set_deadline(op.action->timeout);
    bool done = false;
    while (queue_head_ < queue_.size() && !done && !finishing_) {
      Message m = std::move(queue_[queue_head_++]);
      done = take(m.arrival, m.data);
    }
    if (queue_head_ == queue_.size()) {
      queue_.clear();
      queue_head_ = 0;
    }
    return done;
  }

  // One message for the waiting receive. True when it ends the receive (its count reached or
  // its condition passed); the caller then goes on with the program.
  bool take(TimePoint arrival, std::string_view data) {
    const WsOp& op = *receive_op_;
    ++received_for_op_;
    last_message_.assign(data);
    const bool done = op.action->until ? matches(op, data) : received_for_op_ >= op.action->count;
    if (!done) return false;
    receiving_ = false;
    armed_ = false;
    if (op.reply_row != WsOp::kNone) record_reply(op, arrival);
    if (!op.action->extract.empty() && !extract(op, data)) {
      fail(ErrorCategory::kExtract);  // later actions and steps would miss the value
      return false;
    }
    ++pc_;
    return true;
  }

  bool extract(const WsOp& op, std::string_view data) {
    ResponseView view{101, Clock::now() - opened_at_, data, nullptr, {}, Clock::now()};
    ResponseReader reader(view);
    return context_.extract(op.action->extract, op.extract_slots, reader);
  }

  bool matches(const WsOp& op, std::string_view data) {
    expected_.clear();
    render_template(op.until_expected, context_, expected_);
    ResponseView view{101, Clock::now() - opened_at_, data, nullptr, {}, Clock::now()};
    ResponseReader reader(view);
    return check_passes(*op.action->until, expected_, reader);
  }

  // The reply time of a named receive: from the last send of the same name in this session,
  // else from the receive's start.
  void record_reply(const WsOp& op, TimePoint arrival) {
    const TimePoint from =
        op.pair != WsOp::kNone && pair_valid_[op.pair] ? pair_sent_[op.pair] : receive_start_;
    RequestStats& reply = host_.stats().rows[op.reply_row];
    ++reply.requests;
    reply.latency.record(arrival - from);
    reply.service_time.record(arrival - from);
  }

  // A ping waits for its pong (within the request timeout), so its round trip is measured even
  // when a close follows: Beast's close handshake discards the frames it reads. The pong may be
  // read before the ping's write completes; the action ends when both have happened.
  void ping() {
    ping_sent_ = Clock::now();
    ++row().ws.pings;
    awaiting_pong_ = true;
    ping_written_ = false;
    set_deadline(config_.request_timeout);
    ++outstanding_;
    ws_->async_ping({}, [this](const ErrorCode& ec) {
      --outstanding_;
      if (finishing_) return drain();
      if (ec) return fail(on_write_error(ec));
      ping_written_ = true;
      if (!awaiting_pong_) ping_done();
    });
  }

  // Called by Beast inside a read: the program goes on from a handler of its own.
  void on_pong() {
    if (!awaiting_pong_) return;  // an unsolicited pong (a heartbeat) is not a reply
    awaiting_pong_ = false;
    WsStats& ws = row().ws;
    ++ws.pongs;
    ws.ping.record(Clock::now() - ping_sent_);
    if (!ping_written_) return;
    ++outstanding_;
    asio::post(io_, [this] {
      --outstanding_;
      if (finishing_) return drain();
      ping_done();
    });
  }

  void ping_done() {
    armed_ = false;
    ++pc_;
    run();
  }

  void think(const WsOp& op) {
    const WaitTime& wait = op.action->think;
    const Duration pause =
        wait.kind == WaitTime::Kind::kBetween ? host_.random_between(wait.min, wait.max) : wait.min;
    ++pc_;
    if (pause <= Duration::zero()) return run();
    thinking_ = true;
    think_.expires_after(pause);
    ++outstanding_;
    think_.async_wait([this](const ErrorCode&) {
      --outstanding_;
      thinking_ = false;
      if (finishing_) return drain();
      run();
    });
  }

  // --- the end -----------------------------------------------------------------------------

  void begin_close(std::uint16_t code, const std::string& reason) {
    closing_ = true;
    set_deadline(config_.request_timeout);
    ++outstanding_;
    namespace websocket = boost::beast::websocket;
    ws_->async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                     [this](const ErrorCode&) {
                       --outstanding_;
                       close_done();
                     });
  }

  // The close handshake is over (or the server's reply never came): the session succeeded.
  void close_done() {
    if (finishing_) return drain();
    finishing_ = true;
    armed_ = false;
    close_socket();
    const TimePoint now = Clock::now();
    RequestStats& r = row();
    note_close_code();
    r.ws.session_duration.record(now - opened_at_);
    // The step's extract, checks and metrics read the last message a receive took.
    const ResponseView view{101, now - opened_at_, last_message_, nullptr, {}, now};
    const bool extracted = context_.apply_response_rules(*step_, r, view);
    record_session(r, 101, extracted ? std::nullopt : std::optional(ErrorCategory::kExtract));
    proceed_ = extracted;
    drain();
  }

  void fail(ErrorCategory category, int status = 0) {
    if (finishing_) return;
    finishing_ = true;
    armed_ = false;
    const TimePoint now = Clock::now();
    RequestStats& r = row();
    if (receiving_ && receive_op_->reply_row != WsOp::kNone) {
      RequestStats& reply = host_.stats().rows[receive_op_->reply_row];
      ++reply.requests;
      ++reply.failures;
      ++reply.errors[static_cast<std::size_t>(category)];
    }
    receiving_ = false;
    if (opened_) r.ws.session_duration.record(now - opened_at_);
    record_session(r, status, category);
    proceed_ = false;
    close_socket();
    if (thinking_) think_.cancel();
    drain();
  }

  // The session in its row (and its stage): one request, timed from its due time to the open
  // socket, as k6's ws_connecting is from the start.
  void record_session(RequestStats& r, int status, std::optional<ErrorCategory> failure) {
    record_into(r, status, failure);
    if (RequestStats* stage = stage_stats(host_, scheduled_)) record_into(*stage, status, failure);
  }

  void record_into(RequestStats& s, int status, std::optional<ErrorCategory> failure) {
    ++s.requests;
    if (status != 0) s.statuses.add(status);
    if (opened_) {
      s.latency.record(opened_at_ - std::min(scheduled_, start_));
      s.service_time.record(opened_at_ - start_);
      s.waiting.record(opened_at_ - start_);
    }
    if (pending_connect_) s.connecting.record(*pending_connect_);
    if (failure) {
      ++s.failures;
      ++s.errors[static_cast<std::size_t>(*failure)];
    }
  }

  // The user hears of the end once no handler of this session is pending, so the next session
  // may replace the stream; from a handler of its own, so that the next step never starts
  // inside a call stack of this one.
  void drain() {
    if (outstanding_ > 0 || notified_) return;
    notified_ = true;
    ws_.reset();
    asio::post(io_, [this] { owner_.on_ws_session_end(proceed_); });
  }

  RequestStats& row() { return host_.stats().rows[step_->row]; }

  asio::io_context& io_;
  UserHost& host_;
  const UserConfig& config_;
  typename Transport::Context* tls_;
  UserContext& context_;
  WsSessionOwner& owner_;
  SteadyTimer think_;

  std::optional<Stream> ws_;
  boost::beast::flat_buffer read_buffer_;
  boost::beast::websocket::response_type upgrade_response_;
  HandshakeRequest handshake_;
  std::string offered_;

  const CompiledStep* step_ = nullptr;
  const CompiledWs* ws_program_ = nullptr;
  const std::string* request_ = nullptr;
  std::size_t pc_ = 0;
  std::uint32_t outstanding_ = 0;
  bool finishing_ = false;
  bool notified_ = false;
  bool opened_ = false;
  bool closing_ = false;
  bool timed_out_ = false;
  bool thinking_ = false;
  bool receiving_ = false;
  bool awaiting_pong_ = false;  // a ping action waits for its pong
  bool ping_written_ = false;
  bool proceed_ = false;
  bool armed_ = false;
  bool have_last_arrival_ = false;

  TimePoint scheduled_{};
  TimePoint start_{};
  TimePoint opened_at_{};
  TimePoint deadline_{};
  TimePoint receive_start_{};
  TimePoint last_arrival_{};
  TimePoint ping_sent_{};
  std::optional<Duration> pending_connect_;

  const WsOp* receive_op_ = nullptr;
  std::uint64_t received_for_op_ = 0;
  // Messages no receive has taken: [queue_head_, end). A vector, not a deque: an idle session
  // holds no block for an empty queue (memory per idle session is a figure users compare).
  std::vector<Message> queue_;
  std::size_t queue_head_ = 0;
  std::string last_message_;
  std::string scratch_;
  std::string expected_;
  std::vector<TimePoint> pair_sent_;
  std::vector<bool> pair_valid_;
  std::vector<std::uint64_t> loop_count_;
  std::vector<TimePoint> loop_start_;
};

}  // namespace stampede
