#include "cli/overrides.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "plan/duration.h"
#include "plan/limits.h"

namespace stampede {
namespace {

std::optional<double> parse_number(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool has_stages(const LoadModel& load) {
  return std::visit([](const auto& m) { return !m.stages.empty(); }, load.model);
}

std::optional<Duration> run_time(const LoadOverrides& o, const Plan& plan, SourceErrors& errors) {
  if (!o.run_time) return plan.load.duration();
  std::string error;
  auto d = parse_duration(*o.run_time, &error);
  if (!d || *d <= Duration::zero() || *d > limits::kMaxLoadDuration) {
    errors.push_back(
        {"-t/--run-time", 0, 0,
         d ? "must be > 0 and at most " + format_duration(limits::kMaxLoadDuration) : error});
    return std::nullopt;
  }
  return d;
}

void switch_to_closed(const LoadOverrides& o, Plan& plan, SourceErrors& errors) {
  const auto users = parse_number(*o.users);
  if (!users || *users < 1 || *users != std::floor(*users) ||
      *users > static_cast<double>(limits::kMaxUsers)) {
    errors.push_back({"-u/--users", 0, 0,
                      "must be a whole number from 1 to " + std::to_string(limits::kMaxUsers)});
    return;
  }
  ClosedModel closed;
  closed.users = static_cast<std::uint32_t>(*users);
  if (auto* old = std::get_if<ClosedModel>(&plan.load.model)) {
    closed.spawn_rate = old->spawn_rate;
    closed.adaptive = old->adaptive;  // more or fewer users still back off the same way
  }
  const auto d = run_time(o, plan, errors);
  if (d) closed.duration = *d;
  plan.load.model = closed;
}

// The open model's arrival rate paces iterations: think time no longer applies. A plan that was
// open already had these warnings from the parser.
void warn_wait_ignored(const Plan& plan, SourceErrors* warnings) {
  if (plan.load.is_open()) return;
  for (std::size_t i = 0; i < plan.scenarios.size(); ++i) {
    const Scenario& scenario = plan.scenarios[i];
    if (scenario.wait.kind == WaitTime::Kind::kNone) continue;
    warnings->push_back({"--rate", 0, 0,
                         "scenarios[" + std::to_string(i) + "].wait of '" + scenario.name +
                             "' is ignored: the arrival rate paces an open model"});
  }
}

void switch_to_open(const LoadOverrides& o, Plan& plan, SourceErrors& errors,
                    SourceErrors* warnings) {
  const auto rate = parse_number(*o.rate);
  if (!rate || *rate <= 0 || *rate > limits::kMaxRate) {
    errors.push_back({"--rate", 0, 0,
                      "must be a number > 0 and at most " +
                          std::to_string(static_cast<std::int64_t>(limits::kMaxRate)) +
                          " (iterations per second)"});
    return;
  }
  OpenModel open;
  open.rate = *rate;
  if (auto* old = std::get_if<OpenModel>(&plan.load.model)) {
    open.max_in_flight = old->max_in_flight;
    open.pre_allocated_users = old->pre_allocated_users;
    open.max_queued = old->max_queued;
  } else {
    open.max_in_flight = default_max_in_flight(*rate);
    open.pre_allocated_users = default_pre_allocated(*rate, open.max_in_flight);
    open.max_queued = default_max_queued(*rate, open.max_in_flight);
  }
  const auto d = run_time(o, plan, errors);
  if (d) open.duration = *d;
  warn_wait_ignored(plan, warnings);
  plan.load.model = open;
}

}  // namespace

SourceErrors apply_overrides(const LoadOverrides& o, Plan& plan, SourceErrors* warnings) {
  SourceErrors errors;
  if (o.users && o.rate) {
    errors.push_back({"-u/--users, --rate", 0, 0,
                      "two load models: users (closed) and rate (open); choose one"});
    return errors;
  }
  if (o.run_time && !o.users && !o.rate && has_stages(plan.load)) {
    errors.push_back(
        {"-t/--run-time", 0, 0, "the plan's load has stages: their durations set the run time"});
  }
  if (o.users) {
    switch_to_closed(o, plan, errors);
  } else if (o.rate) {
    switch_to_open(o, plan, errors, warnings);
  } else if (o.run_time && !has_stages(plan.load)) {
    if (auto d = run_time(o, plan, errors)) {
      std::visit([&](auto& m) { m.duration = *d; }, plan.load.model);
    }
  }
  if (o.spawn_rate) {
    auto* closed = std::get_if<ClosedModel>(&plan.load.model);
    const auto rate = parse_number(*o.spawn_rate);
    if (!closed || !closed->stages.empty()) {
      errors.push_back({"-r/--spawn-rate", 0, 0, "applies to a closed model without stages"});
    } else if (!rate || *rate < 0 || *rate > limits::kMaxSpawnRate) {
      errors.push_back({"-r/--spawn-rate", 0, 0,
                        "must be a number >= 0 and at most " +
                            std::to_string(static_cast<std::int64_t>(limits::kMaxSpawnRate)) +
                            " (users per second)"});
    } else {
      closed->spawn_rate = *rate;
    }
  }
  return errors;
}

}  // namespace stampede
