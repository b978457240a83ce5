#pragma once
// Reads a `stream:` step's response as events while its body arrives, and records what
// streaming users measure: the time to the first event from the request's due time (so a
// stalled server shows, as in every latency here), the gap between events, and per stream its
// duration, events, tokens, time per output token and tokens per second.
//
// Events and gaps are recorded as they arrive, into the statistics of the interval they arrive
// in; the per-stream figures when the stream ends well (the end marker, or the body's end).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "engine/event_stream_parser.h"
#include "engine/response_parser.h"
#include "engine/user.h"

namespace stampede {

class StreamReader final : public BodySink {
 public:
  // A new request of a stream step whose statistics are row `row`; `keep_text` when extract or
  // checks will read the events.
  void begin(UserHost& host, std::size_t row, const StreamSpec& spec, const StatusSet& expect,
             bool keep_text, TimePoint due, TimePoint sent);
  // The time the body bytes about to be parsed arrived (one clock read per network read).
  void set_arrival(TimePoint arrival) { arrival_ = arrival; }

  bool on_stream_start(int status) override;
  void on_body(std::string_view piece) override;

  bool streaming() const { return streaming_; }
  bool ended() const { return ended_; }  // the end marker arrived
  bool too_large() const { return too_large_; }
  // The stream ended well at `done`: its per-stream figures.
  void record_end(TimePoint done);

  // For extract and checks: all events' data joined by LF, and the last event's data.
  std::string_view text() const { return text_; }
  std::string_view last_event() const { return last_event_; }

 private:
  void on_event(const StreamEvent& event);
  void count_tokens(std::string_view data);
  StreamStats& stats() { return host_->stats().rows[row_].stream; }

  UserHost* host_ = nullptr;
  std::size_t row_ = 0;
  const StreamSpec* spec_ = nullptr;
  // spec_->token_pointer parsed once per step rather than per event (kEvents: none).
  std::optional<nlohmann::json::json_pointer> token_pointer_;
  const StatusSet* expect_ = nullptr;
  std::optional<EventStreamParser> parser_;
  bool keep_text_ = false;
  bool streaming_ = false;
  bool ended_ = false;
  bool too_large_ = false;
  TimePoint due_{};
  TimePoint sent_{};
  TimePoint arrival_{};
  TimePoint first_event_{};
  TimePoint last_event_at_{};
  std::uint64_t events_ = 0;
  double tokens_ = 0;
  std::string text_;
  std::string last_event_;
};

}  // namespace stampede
