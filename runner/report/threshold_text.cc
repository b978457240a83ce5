#include "report/threshold_text.h"

#include <fmt/format.h>

#include <string_view>

#include "report/format.h"
#include "stats/threshold.h"

namespace stampede {
namespace {

using nlohmann::json;

bool time_metric(const json& result, std::string_view metric) {
  const std::string_view name = metric.substr(0, metric.find('{'));
  if (const MetricInfo* info = find_metric(name)) return info->is_time;
  for (const json& custom : result.value("custom", json::array())) {
    if (custom.value("name", "") != name) continue;
    const std::string unit = custom.value("unit", "");
    return custom.value("kind", "") == "trend" && (unit == "ms" || unit == "s");
  }
  return false;
}

// count and rate are plain numbers even on a time metric.
bool counts(std::string_view expression) {
  const std::size_t start = expression.find_first_not_of(" \t");
  if (start == std::string_view::npos) return false;
  const std::string_view rest = expression.substr(start);
  return rest.starts_with("count") || rest.starts_with("rate");
}

std::string value_text(const json& value, bool time) {
  if (!value.is_number()) return "no data";
  const double v = value.get<double>();
  return time ? human_seconds(v) : fmt::format("{:.6g}", v);
}

}  // namespace

ThresholdText threshold_text(const json& result, const json& threshold) {
  ThresholdText t;
  t.metric = threshold.value("metric", "");
  t.expression = threshold.value("expression", "");
  t.ok = threshold.value("ok", true);
  const bool time = time_metric(result, t.metric) && !counts(t.expression);
  t.actual = value_text(threshold.value("actual", json()), time);
  if (threshold.contains("bound")) t.bound = value_text(threshold["bound"], time);
  return t;
}

}  // namespace stampede
