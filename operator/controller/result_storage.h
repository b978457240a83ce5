#pragma once
// How a merged result is kept in ConfigMaps (at most 1 MiB each): whole and readable when it
// fits, else gzip-compressed in binaryData, else compressed and split over numbered ConfigMaps.
// Never cut: a result that needs more parts than allowed is an error the status reports, and
// only the per-second series (a chart's data, not a table's) is ever made coarser.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace stampede::op {

// What one ConfigMap may hold of a result: its 1 MiB less room for metadata.
inline constexpr std::size_t kMaxConfigMapPayload = std::size_t{900} * 1024;
// More parts than this (14 MiB compressed) is refused rather than stored.
inline constexpr std::size_t kMaxResultParts = 16;
// A stored series longer than this (two hours of seconds) is merged into steps of several
// seconds, so that a day-long soak stores 7,200 points, not 86,400.
inline constexpr std::size_t kMaxStoredSeriesPoints = 7200;

// The keys a result ConfigMap holds it under.
inline constexpr const char* kResultKey = "result.json";         // data: the JSON as text
inline constexpr const char* kResultGzipKey = "result.json.gz";  // binaryData: gzip
inline constexpr const char* kResultPartsKey = "parts";          // data, first part: "N"

struct ResultPart {
  std::string name;            // the ConfigMap's name
  nlohmann::json data;         // ConfigMap data (strings)
  nlohmann::json binary_data;  // ConfigMap binaryData (base64)
};

// Merges consecutive points of result["series"] when it has more than `max_points`, k points to
// a step (the smallest k that fits): a step ends at its last point's t, counts its requests
// and failures, has its last point's users and, as latencies, the highest p50, p95 and p99 of
// its points that had requests (a bound: percentiles of seconds cannot be merged without their
// histograms). Rates drawn from steps (count / interval) stay exact. Records
// result["series_step_points"] = k when it merges.
void downsample_series(nlohmann::json& result, std::size_t max_points = kMaxStoredSeriesPoints);

// The ConfigMaps' contents for a result's JSON text, the first named `name` and the others
// `name`-part-1, -part-2, ...: one with data[kResultKey] when the text fits; else one with
// binaryData[kResultGzipKey] (gzip) when that fits; else the gzip split in order over parts, each
// with binaryData[kResultGzipKey], the first also with data[kResultPartsKey] = "N" (the bytes of
// the parts in order are one gzip stream). nullopt and *error past kMaxResultParts.
std::optional<std::vector<ResultPart>> result_parts(const std::string& name,
                                                    const std::string& text, std::string* error,
                                                    std::size_t limit = kMaxConfigMapPayload);

// The result's JSON text back from its ConfigMaps (whole objects, first part first), as
// result_parts laid it out. nullopt and *error when one is missing its key, or the gzip is cut
// or expands past `max_size`.
std::optional<std::string> result_text(const std::vector<nlohmann::json>& config_maps,
                                       std::string* error,
                                       std::size_t max_size = std::size_t{256} << 20);

// How many ConfigMaps a stored result spans, from its first one (data.parts; 1 when unsplit),
// at most kMaxResultParts.
std::size_t result_part_count(const nlohmann::json& first_config_map);

// The name of part `index` (0 is `name` itself).
std::string result_part_name(const std::string& name, std::size_t index);

}  // namespace stampede::op
