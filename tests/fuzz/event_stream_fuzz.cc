// The stream event parser (engine/event_stream_parser.h) on arbitrary server bytes: a streamed
// body arrives in any pieces, so beyond "no crash" the events and the verdict must not depend
// on where the pieces were cut (fed all at once versus in pieces whose sizes come from the
// input), and no event may be larger than the limit.
//
// Input: a flags byte (format, limit choice), a 32-bit seed for the piece sizes, then the body.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event_stream_parser.h"
#include "fuzz_support.h"

namespace {

using stampede::fuzz::Pieces;

using stampede::EventStreamParser;
using stampede::StreamEvent;
using stampede::StreamFormat;

constexpr std::size_t kHeaderSize = 5;
constexpr std::size_t kLimits[] = {1, 8, 64, 4096};

struct Outcome {
  std::vector<std::string> events;  // type, NUL, data, NUL, id
  bool too_large = false;
  bool operator==(const Outcome&) const = default;
};

Outcome feed(std::string_view body, StreamFormat format, std::size_t limit, Pieces pieces) {
  EventStreamParser parser(format, limit);
  Outcome out;
  std::size_t sent = 0;
  while (sent < body.size() && !out.too_large) {
    std::string_view piece = body.substr(sent, std::min(pieces.next(), body.size() - sent));
    sent += piece.size();
    StreamEvent event;
    for (;;) {
      const auto status = parser.next(piece, event);
      if (status == EventStreamParser::Status::kTooLarge) {
        out.too_large = true;
        break;
      }
      if (status == EventStreamParser::Status::kNeedMore) {
        if (!piece.empty()) __builtin_trap();  // kNeedMore means the piece was used up
        break;
      }
      if (event.data.size() > limit) __builtin_trap();
      out.events.push_back(std::string(event.type) + '\0' + std::string(event.data) + '\0' +
                           std::string(event.id));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kHeaderSize) return 0;
  const std::uint8_t flags = data[0];
  const StreamFormat format = (flags & 1) != 0 ? StreamFormat::kNdjson : StreamFormat::kSse;
  const std::size_t limit = kLimits[(flags >> 1) & 3];
  const std::uint32_t seed =
      static_cast<std::uint32_t>(data[1]) | static_cast<std::uint32_t>(data[2]) << 8 |
      static_cast<std::uint32_t>(data[3]) << 16 | static_cast<std::uint32_t>(data[4]) << 24;
  const std::string_view body(reinterpret_cast<const char*>(data) + kHeaderSize,
                              size - kHeaderSize);
  const Outcome whole = feed(body, format, limit, Pieces(7));  // seed & 7 == 7: one piece
  const Outcome split = feed(body, format, limit, Pieces(seed));
  // An over-limit event fails however it arrives, but the events before it may differ in
  // number when the limit trips on a partial line: compare fully only when both succeeded.
  if (whole.too_large != split.too_large) __builtin_trap();
  if (!whole.too_large && !(whole == split)) __builtin_trap();
  return 0;
}
