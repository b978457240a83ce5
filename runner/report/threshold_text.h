#pragma once
// A threshold verdict of a result document ({metric, expression, actual, ok, bound}) for people:
// the JUnit and Markdown reports show its actual value as the terminal summary does. A saved
// result does not say whether a value is a duration, so it is told from the metric (k6's time
// metrics, or a custom trend in ms or s) and the aggregation (count and rate are numbers).

#include <nlohmann/json.hpp>
#include <string>

namespace stampede {

struct ThresholdText {
  std::string metric;      // as written, e.g. http_req_duration{scenario:api}
  std::string expression;  // e.g. "p(95) < 2s"
  std::string actual;      // "1.23ms", "0.0125", or "no data"
  std::string bound;       // the evaluated right-hand side of a stage reference; else ""
  bool ok = true;
};

// `threshold`: one entry of result["thresholds"]; `result`: the whole document (for custom
// metrics' units). Missing keys read as empty, a missing actual as no data.
ThresholdText threshold_text(const nlohmann::json& result, const nlohmann::json& threshold);

}  // namespace stampede
