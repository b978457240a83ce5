// /ws/scope: shaped like an oscilloscope service, for tests of subscriptions and paced server
// pushes. Client messages are JSON text objects with an "op":
//
//   {"op":"configure","rate":50,"samples":16,"channel":"A"}
//       -> {"op":"configured",...}: every setting, the ones not given at their defaults
//   {"op":"set","rate":100}  -> {"op":"updated",...}: only the given settings change
//   {"op":"subscribe"}       -> {"op":"subscribed"}, then `rate` frames a second:
//       {"op":"frame","seq":N,"t_server_ns":T,"channel":"A","samples":[...]}
//       seq counts from 1 in each subscription; T is the system clock (Unix ns), so a client
//       on the same host can measure delivery delay
//   {"op":"unsubscribe"}     -> {"op":"unsubscribed","frames":F,"dropped":D}
//
// Anything else gets {"op":"error","error":"..."} and the session stays open. Frames fall due
// against absolute deadlines (ws_frame_schedule.h). A client that reads too slowly loses frames
// instead of growing the server's queue: a frame due while kMaxBacklog messages wait is skipped
// (its seq is not sent; D counts them). F counts the frames queued, which all precede the
// unsubscribed reply, so F is what a client received in that subscription.

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <optional>
#include <string>

#include "target/ws_frame_schedule.h"
#include "target/ws_routes.h"
#include "target/ws_scope_settings.h"

namespace stampede::target {
namespace {

constexpr std::size_t kMaxBacklog = 64;
constexpr double kWavePeriodSamples = 64;  // the samples trace a sine wave of this period

void send_json(WsPeer& peer, const nlohmann::json& body, WsSendKind kind = WsSendKind::kReply) {
  peer.send({body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), false}, kind);
}

void send_error(WsPeer& peer, std::string_view error) {
  send_json(peer, {{"op", "error"}, {"error", error}});
}

std::int64_t unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sample `index` of frame `seq`: the wave runs on across frames while `samples` stays the same.
double sample(std::uint64_t seq, std::uint64_t samples, std::uint64_t index) {
  const auto position = static_cast<double>((seq - 1) * samples + index);
  const double value = std::sin(2 * std::numbers::pi * position / kWavePeriodSamples);
  return std::round(value * 1000) / 1000;  // three decimals keep frames short
}

struct Subscription {
  FrameSchedule schedule;
  std::uint64_t seq = 0;      // the last frame's number (sent or skipped)
  std::uint64_t frames = 0;   // frames queued
  std::uint64_t dropped = 0;  // frames skipped for backlog
};

class ScopeHandler final : public WsHandler, public std::enable_shared_from_this<ScopeHandler> {
 public:
  net::awaitable<WsNext> on_message(WsMessage message,
                                    const std::shared_ptr<WsPeer>& peer) override {
    handle(message, peer);
    co_return WsNext::kContinue;
  }
  void stop() override { end_subscription(); }

 private:
  void handle(const WsMessage& message, const std::shared_ptr<WsPeer>& peer);
  void change(const ScopeCommand& command, const ScopeSettings& base, std::string_view reply,
              WsPeer& peer);
  void subscribe(const std::shared_ptr<WsPeer>& peer);
  void unsubscribe(WsPeer& peer);
  void end_subscription();
  static net::awaitable<void> pace(std::shared_ptr<ScopeHandler> self, std::weak_ptr<WsPeer> peer,
                                   std::uint64_t generation);
  void emit(WsPeer& peer);

  ScopeSettings settings_;
  std::optional<Subscription> subscription_;
  std::optional<net::steady_timer> timer_;  // the pacer's; made on the first subscribe
  // Bumped when a subscription ends, so its pacer stops even if a new one has begun by the
  // time it wakes.
  std::uint64_t generation_ = 0;
};

void ScopeHandler::handle(const WsMessage& message, const std::shared_ptr<WsPeer>& peer) {
  if (message.binary) return send_error(*peer, "messages are JSON text");
  std::string error;
  const auto command = parse_scope_command(message.payload, &error);
  if (!command) return send_error(*peer, error);
  if (command->op == "configure") return change(*command, ScopeSettings{}, "configured", *peer);
  if (command->op == "set") return change(*command, settings_, "updated", *peer);
  if (command->op == "subscribe") return subscribe(peer);
  if (command->op == "unsubscribe") return unsubscribe(*peer);
  send_error(*peer, "unknown op " + command->op + " (configure, set, subscribe, unsubscribe)");
}

// configure starts from the defaults and set from the current settings; while subscribed, a
// new rate applies from the last frame's deadline on.
void ScopeHandler::change(const ScopeCommand& command, const ScopeSettings& base,
                          std::string_view reply, WsPeer& peer) {
  std::string error;
  auto next = apply_scope_settings(base, command.fields, &error);
  if (!next) return send_error(peer, error);
  const bool new_rate = next->rate != settings_.rate;
  settings_ = std::move(*next);
  if (subscription_ && new_rate) {
    subscription_->schedule.set_rate(settings_.rate);
    timer_->cancel();  // the pacer looks again at when the next frame is due
  }
  send_json(peer, scope_settings_reply(reply, settings_));
}

void ScopeHandler::subscribe(const std::shared_ptr<WsPeer>& peer) {
  if (subscription_) return send_error(*peer, "already subscribed");
  // Queued before the pacer starts, so the reply precedes the first frame.
  send_json(*peer, {{"op", "subscribed"}});
  if (!timer_) timer_.emplace(peer->executor());
  subscription_.emplace(Subscription{FrameSchedule(FrameSchedule::Clock::now(), settings_.rate)});
  net::co_spawn(peer->executor(), pace(shared_from_this(), peer, generation_), net::detached);
}

void ScopeHandler::unsubscribe(WsPeer& peer) {
  if (!subscription_) return send_error(peer, "not subscribed");
  const Subscription ended = *subscription_;
  end_subscription();
  send_json(peer, {{"op", "unsubscribed"}, {"frames", ended.frames}, {"dropped", ended.dropped}});
}

void ScopeHandler::end_subscription() {
  subscription_.reset();
  ++generation_;
  if (timer_) timer_->cancel();
}

// Sends the frames of one subscription as they fall due. `self` keeps the handler alive while
// the pacer waits; the peer is held weakly, as the session may end meanwhile.
net::awaitable<void> ScopeHandler::pace(std::shared_ptr<ScopeHandler> self,
                                        std::weak_ptr<WsPeer> peer, std::uint64_t generation) {
  // A subscription exists exactly while its generation is current.
  while (self->generation_ == generation) {
    const auto due = self->subscription_->schedule.next_due();
    if (FrameSchedule::Clock::now() < due) {
      self->timer_->expires_at(due);
      error_code ec;
      co_await self->timer_->async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;  // due, or woken early by a new rate or the end: look again
    }
    const auto locked = peer.lock();
    if (!locked) co_return;
    self->emit(*locked);
  }
}

void ScopeHandler::emit(WsPeer& peer) {
  Subscription& s = *subscription_;
  s.schedule.advance();
  ++s.seq;
  if (peer.backlog() >= kMaxBacklog) {
    ++s.dropped;
    return;
  }
  nlohmann::json samples = nlohmann::json::array();
  for (std::uint64_t i = 0; i < settings_.samples; ++i) {
    samples.push_back(sample(s.seq, settings_.samples, i));
  }
  ++s.frames;
  send_json(peer,
            {{"op", "frame"},
             {"seq", s.seq},
             {"t_server_ns", unix_ns()},
             {"channel", settings_.channel},
             {"samples", std::move(samples)}},
            WsSendKind::kFrame);
}

}  // namespace

WsRoute make_scope_handler(std::string_view) {
  return {std::make_shared<ScopeHandler>(), {}};
}

}  // namespace stampede::target
