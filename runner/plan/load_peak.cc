#include "plan/load_peak.h"

#include <algorithm>

namespace stampede {
namespace {

double largest_target(const std::vector<Stage>& stages) {
  double peak = 0;
  for (const Stage& s : stages) peak = std::max(peak, s.target);
  return peak;
}

}  // namespace

std::uint32_t peak_users(const ClosedModel& model) {
  if (model.stages.empty()) return model.users;
  // Users are whole: the schedule rounds a fractional target down.
  return static_cast<std::uint32_t>(largest_target(model.stages));
}

double peak_rate(const OpenModel& model) {
  return model.stages.empty() ? model.rate : largest_target(model.stages);
}

std::uint32_t peak_users(const LoadModel& load) {
  if (const auto* open = std::get_if<OpenModel>(&load.model)) {
    return std::max(open->pre_allocated_users, open->max_in_flight);
  }
  return peak_users(std::get<ClosedModel>(load.model));
}

double peak_rate(const LoadModel& load) {
  const auto* open = std::get_if<OpenModel>(&load.model);
  return open == nullptr ? 0 : peak_rate(*open);
}

}  // namespace stampede
