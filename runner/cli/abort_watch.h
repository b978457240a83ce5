#pragma once
// Thresholds with abortOnFail are judged every second while the test runs; the first one that
// fails (after its delayAbortEval) stops the run, as in k6.

#include <optional>
#include <string>
#include <vector>

#include "stats/result.h"
#include "stats/threshold.h"

namespace stampede {

class AbortWatch {
 public:
  explicit AbortWatch(const std::vector<Threshold>& thresholds);
  bool active() const { return !watched_.empty(); }
  // The failing threshold, described for the summary ("http_req_failed rate < 0.01"), if any.
  std::optional<std::string> check(const Result& so_far, double elapsed_seconds) const;

 private:
  std::vector<Threshold> watched_;
};

}  // namespace stampede
