#pragma once
// CSV text as Python's csv.writer writes it (Locust writes its CSV files with it), and the
// number formats of Locust's columns, so files of either tool read the same in pandas or a
// spreadsheet.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stampede {

struct LatencySummary;  // stats/request_history.h

// Locust's "no value" (a percentile of an entry without requests); pandas reads it as NaN.
inline constexpr std::string_view kCsvNoValue = "N/A";

// One record: fields joined by commas, ended by "\r\n" (csv.writer's line terminator). A field
// holding a comma, a double quote, CR or LF is quoted, its quotes doubled (QUOTE_MINIMAL).
std::string csv_line(const std::vector<std::string>& fields);

// A float as Python's repr() writes it: the shortest text that reads back the same value,
// with ".0" on whole numbers ("11.0", "3.5922520935549573", "1e-05").
std::string python_float(double value);
// Nanoseconds as milliseconds, python_float: 2500000 -> "2.5".
std::string csv_milliseconds(double ns);
// "%f" (six decimals), as Locust writes the history's rates: "116.000000".
std::string csv_fixed(double value);

// A response time column in milliseconds: N/A for an entry without responses (a row of refused
// connections has no response time, and 0 would be a false one).
std::string csv_time(const LatencySummary& latency, double ns);
// The median, average, min and max response times and the average content size (bytes received
// per request, headers included; Locust counts the body only): the five columns that follow the
// counts in Locust's stats file and in the totals of its history file.
void append_times_and_size(std::vector<std::string>& fields, const LatencySummary& latency,
                           std::uint64_t requests, std::uint64_t bytes_received);

// The percentile columns' names, "50%" ... "99.99%", "100%" (kHistoryPercentiles).
std::vector<std::string> csv_percentile_columns();

}  // namespace stampede
