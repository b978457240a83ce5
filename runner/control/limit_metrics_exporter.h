#pragma once
// Prometheus series of the plan's `limits:` entries (docs/rate-limits.md), labelled by the
// entry's selector (limit="http_reqs{scenario:groq}"):
//   stampede_limit_requests_total, stampede_limit_delayed_total, stampede_limit_skipped_total,
//   stampede_limit_wait_seconds_total, stampede_limit_throttled_seconds_total,
//   stampede_limit_rate (requests per second now; 0 while an adaptive entry is unlimited), and
//   for adaptive entries stampede_limit_signals_total and stampede_limit_decreases_total; and for
//   a closed model's `load.adaptive` stampede_adaptive_users (the users it lets run now),
//   stampede_adaptive_signals_total and stampede_adaptive_decreases_total.
// Plans without limits export none. Updated from the control thread, like MetricsExporter.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stats/adaptive_users_stats.h"
#include "stats/limit_stats.h"

namespace stampede {

class LimitMetricsExporter {
 public:
  // `constant_labels` (testid, runner) go on every family.
  LimitMetricsExporter(prometheus::Registry& registry, const prometheus::Labels& constant_labels);
  LimitMetricsExporter(const LimitMetricsExporter&) = delete;
  LimitMetricsExporter& operator=(const LimitMetricsExporter&) = delete;

  // The entries' cumulative statistics now.
  void update(const std::vector<LimitStats>& limits);
  // `load.adaptive`'s cumulative statistics now.
  void update(const AdaptiveUsersStats& users);

 private:
  struct Series {
    prometheus::Counter* requests = nullptr;
    prometheus::Counter* delayed = nullptr;
    prometheus::Counter* skipped = nullptr;
    prometheus::Counter* wait = nullptr;
    prometheus::Counter* throttled = nullptr;
    prometheus::Gauge* rate = nullptr;
    prometheus::Counter* signals = nullptr;  // adaptive entries only
    prometheus::Counter* decreases = nullptr;
    LimitStats exported;
  };
  Series& series(const LimitStats& limit);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& delayed_;
  prometheus::Family<prometheus::Counter>& skipped_;
  prometheus::Family<prometheus::Counter>& wait_;
  prometheus::Family<prometheus::Counter>& throttled_;
  prometheus::Family<prometheus::Gauge>& rate_;
  prometheus::Family<prometheus::Counter>& signals_;
  prometheus::Family<prometheus::Counter>& decreases_;
  std::map<std::string, Series> series_;  // by selector
  struct UsersSeries {
    prometheus::Gauge* users = nullptr;
    prometheus::Counter* signals = nullptr;
    prometheus::Counter* decreases = nullptr;
    AdaptiveUsersStats exported;
  };
  prometheus::Registry& registry_;
  prometheus::Labels constant_labels_;
  std::unique_ptr<UsersSeries> users_;  // registered with the first update
};

}  // namespace stampede
