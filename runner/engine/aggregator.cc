#include "engine/aggregator.h"

#include <algorithm>

namespace stampede {

Aggregator::Aggregator(const CompiledPlan& plan, std::size_t workers, bool request_history)
    : plan_(plan),
      rows_(plan.rows.size()),
      iterations_(plan.scenarios.size()),
      last_tick_(workers, -1),
      done_(workers, false) {
  for (const std::string& name : plan.stage_names) stages_.push_back(StageStats{name, {}, 0});
  for (const CompiledWindow& window : plan.windows) windows_.push_back({window.selector, {}});
  for (const CompiledUserWindow& window : plan.user_windows) {
    user_windows_.push_back({window.selector, static_cast<double>(window.window_ns) / 1e9, 0});
  }
  if (request_history) history_ = std::make_unique<RequestHistory>(plan.rows);
}

void Aggregator::add_to_pending(Pending& p, const ThreadStats& stats) {
  for (const auto& row : stats.rows) p.interval.merge(row);
  if (!history_) return;
  // The per-row split of the interval costs a merge per row and worker each second: only
  // when the history is wanted.
  p.rows.resize(stats.rows.size());
  for (std::size_t i = 0; i < stats.rows.size(); ++i) p.rows[i].merge(stats.rows[i]);
}

void Aggregator::merge_rows(const ThreadStats& stats) {
  for (std::size_t i = 0; i < stats.rows.size(); ++i) {
    rows_[i].merge(stats.rows[i]);
    totals_.merge(stats.rows[i]);
  }
  for (std::size_t i = 0; i < stats.iterations.size(); ++i) {
    iterations_[i].iterations += stats.iterations[i].iterations;
    iterations_[i].dropped += stats.iterations[i].dropped;
  }
  for (std::size_t i = 0; i < stats.stages.size() && i < stages_.size(); ++i) {
    stages_[i].stats.merge(stats.stages[i]);
  }
  merge_custom_metrics(custom_, stats.custom);
  for (std::size_t i = 0; i < stats.user_window_peaks.size() && i < user_windows_.size(); ++i) {
    user_windows_[i].max_count = std::max(user_windows_[i].max_count, stats.user_window_peaks[i]);
  }
  for (std::size_t i = 0; i < stats.windows.size() && i < windows_.size(); ++i) {
    windows_[i].counts.merge(stats.windows[i]);
  }
}

void Aggregator::absorb(std::size_t worker, std::uint64_t tick, const ThreadStats& stats) {
  merge_rows(stats);
  Pending& p = pending_[tick];
  add_to_pending(p, stats);
  p.users += stats.users;
  last_tick_[worker] = static_cast<std::int64_t>(tick);
  complete_ticks();
}

void Aggregator::worker_done(std::size_t worker, const ThreadStats& stats) {
  // A worker that finishes at the end of the load phase often does so just before it would
  // have answered the last tick: its final statistics belong to the tick after its last answer.
  merge_rows(stats);
  const bool empty = std::all_of(stats.rows.begin(), stats.rows.end(),
                                 [](const RequestStats& r) { return r.requests == 0; });
  if (!empty) {
    const auto tick = static_cast<std::uint64_t>(std::max<std::int64_t>(1, last_tick_[worker] + 1));
    add_to_pending(pending_[tick], stats);
  }
  done_[worker] = true;
  complete_ticks();
}

void Aggregator::complete_ticks() {
  while (!pending_.empty()) {
    const auto& [tick, p] = *pending_.begin();
    for (std::size_t w = 0; w < done_.size(); ++w) {
      if (!done_[w] && last_tick_[w] < static_cast<std::int64_t>(tick)) return;
    }
    TimeSeriesPoint point;
    point.elapsed_seconds = static_cast<double>(tick);
    point.users = p.users;
    point.requests = p.interval.requests;
    point.failures = p.interval.failures;
    point.p50_seconds = p.interval.latency.percentile_seconds(50);
    point.p95_seconds = p.interval.latency.percentile_seconds(95);
    point.p99_seconds = p.interval.latency.percentile_seconds(99);
    users_ = p.users;
    series_.push_back(point);
    if (history_) history_->add_second(point.elapsed_seconds, p.users, p.rows);
    pending_.erase(pending_.begin());
  }
}

std::vector<TimeSeriesPoint> Aggregator::take_completed() {
  std::vector<TimeSeriesPoint> out(series_.begin() + static_cast<std::ptrdiff_t>(reported_),
                                   series_.end());
  reported_ = series_.size();
  return out;
}

bool Aggregator::all_done() const {
  return std::all_of(done_.begin(), done_.end(), [](bool d) { return d; });
}

void Aggregator::finish(double elapsed) {
  elapsed_ = elapsed;
  // The last point may cover only part of a second: label it with the real end.
  for (auto& point : series_) point.elapsed_seconds = std::min(point.elapsed_seconds, elapsed);
  if (history_) history_->finish(elapsed);
}

Snapshot Aggregator::snapshot(double elapsed, double planned) const {
  Snapshot s;
  s.elapsed_seconds = elapsed;
  s.planned_seconds = planned;
  s.users = users_;
  if (!series_.empty()) s.last = series_.back();
  s.totals = totals_;
  for (const auto& it : iterations_) {
    s.iterations.iterations += it.iterations;
    s.iterations.dropped += it.dropped;
  }
  s.rows = &rows_;
  s.plan = &plan_;
  s.scenario_iterations = &iterations_;
  if (!stages_.empty()) s.stages = &stages_;
  if (!custom_.empty()) s.custom = &custom_;
  return s;
}

Result Aggregator::result() const {
  Result r;
  for (std::size_t i = 0; i < rows_.size(); ++i) r.rows.push_back({plan_.rows[i], rows_[i]});
  for (std::size_t i = 0; i < iterations_.size(); ++i) {
    r.iterations[plan_.scenarios[i].name] = iterations_[i];
  }
  r.series = series_;
  r.stages = stages_;
  // Each named stage ran for its planned length, cut short where the run ended early.
  double start = 0;
  for (std::size_t i = 0; i < plan_.stage_lengths.size(); ++i) {
    const double length = std::chrono::duration<double>(plan_.stage_lengths[i]).count();
    const double end = elapsed_ > 0 ? std::min(start + length, elapsed_) : start + length;
    const std::size_t name = plan_.stage_name_of[i];
    if (name < r.stages.size() && end > start) r.stages[name].duration_seconds += end - start;
    start += length;
  }
  r.custom = custom_;
  r.windows = windows_;
  r.user_windows = user_windows_;
  return r;
}

}  // namespace stampede
