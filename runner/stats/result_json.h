#pragma once
// The result document (schema stampede.result/v1): what `--json` writes, `/v1/result` serves
// and the operator merges. Times are in seconds. Rows carry serialized histograms so results
// from many runners merge exactly.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "stats/result.h"

namespace stampede {

nlohmann::json result_to_json(const Result& result);
// {metric, expression, actual, ok}: one threshold verdict, as in results and /v1/status.
nlohmann::json threshold_to_json(const ThresholdOutcome& outcome);
// A setup or teardown as the result's "setup" or "teardown" holds it (also /v1/setup's and
// /v1/teardown's answers), and back; nullopt + *error when malformed.
nlohmann::json phase_to_json(const PhaseResult& phase);
std::optional<PhaseResult> phase_from_json(const nlohmann::json& j, const std::string& name,
                                           std::string* error);
// One point of the result's "series", as result_to_json writes it.
nlohmann::json series_point_json(const TimeSeriesPoint& point);
// Reads back what result_to_json wrote; nullopt + *error on anything malformed (never throws).
std::optional<Result> result_from_json(const nlohmann::json& j, std::string* error);

}  // namespace stampede
