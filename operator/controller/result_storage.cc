#include "controller/result_storage.h"

#include <algorithm>

#include "base/gzip.h"
#include "kube/base64.h"

namespace stampede::op {
namespace {

using nlohmann::json;

// One step of k points: see downsample_series.
json merged_step(const json& series, std::size_t first, std::size_t last) {
  std::uint64_t requests = 0, failures = 0;
  double p50 = 0, p95 = 0, p99 = 0;
  for (std::size_t i = first; i < last; ++i) {
    const json& p = series[i];
    const auto point_requests = p.value("requests", std::uint64_t{0});
    requests += point_requests;
    failures += p.value("failures", std::uint64_t{0});
    if (point_requests == 0) continue;  // no latency that second (the runner writes 0)
    p50 = std::max(p50, p.value("p50", 0.0));
    p95 = std::max(p95, p.value("p95", 0.0));
    p99 = std::max(p99, p.value("p99", 0.0));
  }
  const json& end = series[last - 1];
  return {{"t", end.value("t", 0.0)},
          {"users", end.value("users", 0.0)},
          {"requests", requests},
          {"failures", failures},
          {"p50", p50},
          {"p95", p95},
          {"p99", p99}};
}

}  // namespace

void downsample_series(json& result, std::size_t max_points) {
  const auto found = result.find("series");
  if (found == result.end() || !found->is_array() || found->size() <= max_points ||
      max_points == 0) {
    return;
  }
  const json& series = *found;
  const std::size_t k = (series.size() + max_points - 1) / max_points;
  json steps = json::array();
  for (std::size_t first = 0; first < series.size(); first += k) {
    steps.push_back(merged_step(series, first, std::min(first + k, series.size())));
  }
  result["series"] = std::move(steps);
  result["series_step_points"] = k;
}

std::string result_part_name(const std::string& name, std::size_t index) {
  return index == 0 ? name : name + "-part-" + std::to_string(index);
}

std::optional<std::vector<ResultPart>> result_parts(const std::string& name,
                                                    const std::string& text, std::string* error,
                                                    std::size_t limit) {
  if (text.size() <= limit) {
    return std::vector<ResultPart>{{name, {{kResultKey, text}}, json::object()}};
  }
  const std::string compressed = gzip(text);
  // Base64 (binaryData) takes 4 bytes for 3: a part holds this many compressed bytes.
  const std::size_t per_part = std::max<std::size_t>(limit / 4 * 3, 1);
  const std::size_t count = (compressed.size() + per_part - 1) / per_part;
  if (count > kMaxResultParts) {
    *error = "the result is " + std::to_string(compressed.size()) +
             " bytes compressed, more than " + std::to_string(kMaxResultParts) + " ConfigMaps hold";
    return std::nullopt;
  }
  std::vector<ResultPart> parts;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view bytes = std::string_view(compressed).substr(i * per_part, per_part);
    parts.push_back({result_part_name(name, i),
                     json::object(),
                     {{kResultGzipKey, kube::base64_encode(bytes)}}});
  }
  if (count > 1) parts[0].data[kResultPartsKey] = std::to_string(count);
  return parts;
}

std::optional<std::string> result_text(const std::vector<nlohmann::json>& config_maps,
                                       std::string* error, std::size_t max_size) {
  std::string compressed;
  for (const auto& cm : config_maps) {
    const nlohmann::json data = cm.value("data", nlohmann::json::object());
    const nlohmann::json binary = cm.value("binaryData", nlohmann::json::object());
    if (config_maps.size() == 1 && data.contains(kResultKey) && data[kResultKey].is_string()) {
      return data[kResultKey].get<std::string>();
    }
    if (!binary.contains(kResultGzipKey) || !binary[kResultGzipKey].is_string()) {
      *error = cm["metadata"].value("name", "a result ConfigMap") + " holds no result";
      return std::nullopt;
    }
    compressed += kube::base64_decode(binary[kResultGzipKey].get<std::string>());
  }
  return gunzip(compressed, max_size, error);
}

std::size_t result_part_count(const nlohmann::json& first_config_map) {
  const nlohmann::json data = first_config_map.value("data", nlohmann::json::object());
  if (!data.contains(kResultPartsKey) || !data[kResultPartsKey].is_string()) return 1;
  const std::string text = data[kResultPartsKey].get<std::string>();
  return std::clamp<std::size_t>(std::strtoul(text.c_str(), nullptr, 10), 1, kMaxResultParts);
}

}  // namespace stampede::op
