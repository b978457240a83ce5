#pragma once
// Merges the workers' interval statistics into cumulative rows and a per-second series. Runs
// on the engine's control thread only; workers reach it through asio::post.

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "engine/compiled_plan.h"
#include "engine/snapshot.h"
#include "engine/thread_stats.h"
#include "stats/request_history.h"

namespace stampede {

class Aggregator {
 public:
  // `request_history`: also keep every row's statistics per second (--csv-full-history).
  Aggregator(const CompiledPlan& plan, std::size_t workers, bool request_history = false);

  // A worker's statistics for the interval ending at `tick` (seconds since the start).
  void absorb(std::size_t worker, std::uint64_t tick, const ThreadStats& stats);
  // The worker's final statistics; it answers no later ticks.
  void worker_done(std::size_t worker, const ThreadStats& stats);
  // Completed seconds not yet reported, in order.
  std::vector<TimeSeriesPoint> take_completed();
  bool all_done() const;
  // The run ended `elapsed` seconds after the start: the last point is labelled with it.
  void finish(double elapsed);

  Snapshot snapshot(double elapsed, double planned) const;
  // The result body: rows, iterations, series (the caller fills the run's metadata).
  Result result() const;
  // Every row per second; null unless asked for at construction.
  const RequestHistory* request_history() const { return history_.get(); }

 private:
  struct Pending {
    RequestStats interval;  // all rows of the interval
    std::uint32_t users = 0;
    std::vector<RequestStats> rows;  // each row of the interval, only for history_
  };
  void add_to_pending(Pending& p, const ThreadStats& stats);
  void merge_rows(const ThreadStats& stats);
  void complete_ticks();

  const CompiledPlan& plan_;
  std::vector<RequestStats> rows_;
  std::vector<StageStats> stages_;            // named load stages, plan order
  std::vector<CustomMetricStats> custom_;     // custom metrics, plan order
  std::vector<WindowSeries> windows_;         // by CompiledPlan::windows index
  std::vector<UserWindowPeak> user_windows_;  // by CompiledPlan::user_windows index
  double elapsed_ = 0;                        // set by finish(): stage lengths are clipped to it
  std::vector<IterationCounts> iterations_;
  RequestStats totals_;
  std::vector<std::int64_t> last_tick_;  // per worker; -1 none yet
  std::vector<bool> done_;
  std::map<std::uint64_t, Pending> pending_;
  std::vector<TimeSeriesPoint> series_;
  std::size_t reported_ = 0;
  std::uint32_t users_ = 0;
  std::unique_ptr<RequestHistory> history_;
};

}  // namespace stampede
