#pragma once
// Warns on stderr when the load generator is saturated (docs/self-monitoring.md), as Locust does
// when its CPU is high: at the start of each saturated stretch, at most once per kQuiet.

#include <optional>

#include "engine/snapshot.h"

namespace stampede {

class SaturationWarning {
 public:
  // The snapshot of a second; warns when it starts a saturated stretch.
  void observe(const Snapshot& s);

 private:
  static constexpr double kQuiet = 10;  // seconds between warnings
  bool saturated_ = false;              // the previous second was
  std::optional<double> warned_at_;     // elapsed seconds of the last warning
};

}  // namespace stampede
