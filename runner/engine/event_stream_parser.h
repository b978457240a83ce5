#pragma once
// Splits a streamed response body into events as its bytes arrive, in any pieces: Server-Sent
// Events as the WHATWG HTML standard parses them (§9.2.6: `event`, multi-line `data`, `id`,
// `retry`, comment lines, CR, LF or CRLF line ends, a leading BOM), or NDJSON (one JSON value
// per line, blank lines skipped). It copies only what spans two pieces and the data of an event
// in progress; an event larger than the limit is an error, so a hostile stream cannot grow it
// without bound.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "plan/plan.h"

namespace stampede {

// One dispatched event. The views stay valid until the next call to next().
struct StreamEvent {
  std::string_view type;  // SSE `event:` ("message" when none); "" for NDJSON
  std::string_view data;  // SSE data lines joined by LF; the NDJSON line
  std::string_view id;    // the last event ID so far (SSE)
};

class EventStreamParser {
 public:
  enum class Status : unsigned char { kNeedMore, kEvent, kTooLarge };

  EventStreamParser(StreamFormat format, std::size_t max_event_bytes)
      : format_(format), max_event_bytes_(max_event_bytes) {}

  // Consumes `input` from the front until an event is complete (kEvent: it is in `event`, and
  // `input` holds the rest) or the input is used up (kNeedMore). kTooLarge: a line or an event
  // passed the limit; the parser is then done.
  Status next(std::string_view& input, StreamEvent& event);

  // SSE comment lines seen (servers send them as heartbeats), and the last valid `retry`.
  std::uint64_t comments() const { return comments_; }
  std::optional<std::uint64_t> retry_ms() const { return retry_ms_; }

 private:
  // One complete line (without its end). True when it completed an event.
  bool on_line(std::string_view line, StreamEvent& event);
  bool on_sse_line(std::string_view line, StreamEvent& event);
  void on_sse_field(std::string_view field, std::string_view value);
  bool dispatch_sse(StreamEvent& event);

  StreamFormat format_;
  std::size_t max_event_bytes_;
  bool started_ = false;  // past the optional BOM
  std::size_t bom_matched_ = 0;
  bool after_cr_ = false;  // the last line ended in CR: an LF next ends nothing
  bool too_large_ = false;
  std::string partial_;    // a line begun in an earlier piece
  std::string data_;       // SSE data of the event in progress
  bool has_data_ = false;  // a `data` field was seen (it may be empty)
  std::string type_;
  std::string id_;          // the last event ID: it persists across events
  std::string dispatched_;  // the data of the event last returned
  std::string dispatched_type_;
  std::uint64_t comments_ = 0;
  std::optional<std::uint64_t> retry_ms_;
};

}  // namespace stampede
