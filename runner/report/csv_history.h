#pragma once
// PREFIX_stats_history.csv, Locust's columns and order. Without a RequestHistory: one Aggregated
// row per second of the result's `series` (what `stampede report` has); with one
// (--csv-full-history): a row per request name and second, then that second's Aggregated row.

#include <optional>
#include <string>

#include "stats/request_history.h"
#include "stats/result.h"

namespace stampede {

// nullopt + *error when the result's started_at (the rows' Unix timestamps) is not an instant.
std::optional<std::string> csv_stats_history(const Result& result, const RequestHistory* history,
                                             std::string* error);

}  // namespace stampede
