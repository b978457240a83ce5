#pragma once
// Human durations in plans and on the command line: "250ms", "30s", "1h30m", "1.5s", "2d".

#include <optional>
#include <string>
#include <string_view>

#include "base/units.h"

namespace stampede {

// Parses a sequence of <number><unit> parts (units ns, us/µs, ms, s, m, h, d; numbers may have
// decimals), or a plain number meaning seconds ("30", "0.5"). Negative, empty and malformed
// input returns nullopt and sets *error (when not null) to a message saying what is wrong; for a
// well-formed duration too large for Duration (~292 years) the message ends in "is too large".
std::optional<Duration> parse_duration(std::string_view text, std::string* error);

// Short, lossless, parseable form: "0s", "250ms", "1.5s", "1m30s", "1h30m", "2d3h".
std::string format_duration(Duration duration);

}  // namespace stampede
