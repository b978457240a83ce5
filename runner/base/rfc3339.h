#pragma once
// RFC 3339 timestamps: the control API's startAt, a result's started_at and the operator's
// status times. Runners and the operator agree on instants through these strings.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace stampede {

using WallTime = std::chrono::system_clock::time_point;

// "2026-11-22T16:40:00.123Z": UTC, with milliseconds (start instants matter to the millisecond).
std::string format_rfc3339(WallTime t);

// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; 't' and lower-case 'z' too (RFC 3339
// allows them). nullopt and *error for anything else, including instants a WallTime cannot
// hold (before 1677-09-21 or after 2262-04-11: four-digit years go further).
std::optional<WallTime> parse_rfc3339(std::string_view text, std::string* error);

}  // namespace stampede
