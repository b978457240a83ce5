#pragma once
// Locust's four CSV files (`locust --csv PREFIX`), with its column names and order and times in
// milliseconds, from a result document: what `stampede run --csv PREFIX` writes at the end and
// `stampede report RESULT.json --csv PREFIX` writes for a saved (or merged) result.
//
// What maps to what (README, "CSV files"): Type is the row's method, Name its request name;
// rows of several scenarios with the same method and name are one row (Locust keys statistics
// by name and method), merged bucket by bucket; rows sorted by name, then method, and the
// Aggregated row last. Response times are the rows' latency histograms (from the scheduled
// start), percentiles read from the merged histogram, never averaged. A failure's Error is its
// error category. Stampede has no Python exceptions: PREFIX_exceptions.csv holds the header.

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "stats/request_history.h"

namespace stampede {

struct CsvReport {
  std::string stats;          // PREFIX_stats.csv
  std::string stats_history;  // PREFIX_stats_history.csv
  std::string failures;       // PREFIX_failures.csv
  std::string exceptions;     // PREFIX_exceptions.csv
};

// The files' paths for `prefix`, in CsvReport's order.
std::array<std::string, 4> csv_report_paths(const std::string& prefix);

// `history`: the run's per-request seconds (--csv-full-history); null: the history file holds
// one Aggregated row per second of the result's series. nullopt + *error when `result` is not
// a stampede.result/v1 document.
std::optional<CsvReport> csv_report(const nlohmann::json& result, const RequestHistory* history,
                                    std::string* error);

}  // namespace stampede
