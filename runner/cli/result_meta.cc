#include "cli/result_meta.h"

#include <fmt/format.h>

#include "base/units.h"
#include "plan/duration.h"
#include "plan/load_peak.h"
#include "plan/version.h"

namespace stampede {
namespace {

// The peak comes from plan/load_peak.h, the same arithmetic the engine and the operator use.
std::string describe_stages(std::size_t stages, double peak, const char* unit) {
  return fmt::format("{} stage{} up to {:g}{}", stages, stages == 1 ? "" : "s", peak, unit);
}

std::string describe_closed(const ClosedModel& m) {
  if (!m.stages.empty()) {
    return "closed model, " + describe_stages(m.stages.size(), peak_users(m), " users");
  }
  std::string text = fmt::format("closed model, {} user{}", m.users, m.users == 1 ? "" : "s");
  if (m.spawn_rate > 0) text += fmt::format(", spawn rate {:g}/s", m.spawn_rate);
  return text;
}

std::string describe_open(const OpenModel& m) {
  if (!m.stages.empty())
    return "open model, " + describe_stages(m.stages.size(), peak_rate(m), "/s");
  return fmt::format("open model, {:g}/s", m.rate);
}

const std::vector<Stage>& stages_of(const LoadModel& load) {
  if (const auto* open = std::get_if<OpenModel>(&load.model)) return open->stages;
  return std::get<ClosedModel>(load.model).stages;
}

// Where each named stage lies on the run's time axis; unnamed stages only move the clock.
std::vector<StageSpan> stage_spans(const LoadModel& load) {
  std::vector<StageSpan> spans;
  double start = 0;
  for (const Stage& stage : stages_of(load)) {
    const double end = start + to_seconds(stage.duration);
    if (!stage.name.empty()) spans.push_back({stage.name, start, end});
    start = end;
  }
  return spans;
}

std::string target_url(const Url& url) {
  return url.scheme + "://" + url.authority() + url.base_path;
}

}  // namespace

std::string describe_run_load(const LoadModel& load) {
  const std::string model = load.is_open() ? describe_open(std::get<OpenModel>(load.model))
                                           : describe_closed(std::get<ClosedModel>(load.model));
  return model + ", " + format_duration(load.duration());
}

ResultMeta run_meta(const Plan& plan) {
  ResultMeta meta;
  meta.target = target_url(plan.target.url);
  meta.load = describe_run_load(plan.load);
  meta.profile = plan.profile;
  meta.version = kVersion;
  meta.stages = stage_spans(plan.load);
  return meta;
}

}  // namespace stampede
