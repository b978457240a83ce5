#pragma once
// Human formatting for reports: durations, counts, bytes, rates.

#include <cstdint>
#include <string>

namespace stampede {

// 0.000213 -> "213µs", 0.0153 -> "15.3ms", 2.5 -> "2.50s", 95 -> "1m35s".
std::string human_seconds(double seconds);
// 1234567 -> "1,234,567".
std::string human_count(std::uint64_t n);
// 1536 -> "1.5 KiB".
std::string human_bytes(double bytes);
// 1234.5 -> "1,234.5"; small values keep two decimals.
std::string human_rate(double per_second);
// 0.0123 -> "1.23%".
std::string human_percent(double fraction);

}  // namespace stampede
