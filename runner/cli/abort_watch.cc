#include "cli/abort_watch.h"

namespace stampede {

AbortWatch::AbortWatch(const std::vector<Threshold>& thresholds) {
  for (const Threshold& t : thresholds) {
    if (t.abort_on_fail) watched_.push_back(t);
  }
}

std::optional<std::string> AbortWatch::check(const Result& so_far, double elapsed) const {
  ResultMetrics metrics(so_far);
  for (const ConditionResult& c : evaluate(watched_, metrics)) {
    if (c.ok || elapsed < c.threshold->delay_abort_eval_seconds) continue;
    return "threshold " + c.threshold->key + " " + c.condition->expression + " failed";
  }
  return std::nullopt;
}

}  // namespace stampede
