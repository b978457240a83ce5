#include "plan/plan.h"

#include <algorithm>
#include <cmath>

#include "plan/limits.h"
#include "plan/open_release.h"

namespace stampede {
namespace {

Duration sum_stages(const std::vector<Stage>& stages) {
  Duration total{};
  for (const Stage& stage : stages) total += stage.duration;
  return total;
}

}  // namespace

namespace {

void ws_variables(const std::vector<WsAction>& actions, std::vector<std::string>* out) {
  for (const WsAction& action : actions) {
    for (const Extractor& e : action.extract) out->push_back(e.variable);
    ws_variables(action.actions, out);
  }
}

}  // namespace

std::vector<std::string> extracted_variables(const std::vector<Step>& steps) {
  std::vector<std::string> all;
  for (const Step& step : steps) {
    for (const Extractor& e : http_part(step).extract) all.push_back(e.variable);
    if (const auto* ws = std::get_if<WsStep>(&step)) ws_variables(ws->actions, &all);
  }
  std::vector<std::string> once;
  for (std::string& name : all) {
    if (std::find(once.begin(), once.end(), name) == once.end()) once.push_back(std::move(name));
  }
  return once;
}

std::uint32_t default_max_in_flight(double peak_rate) {
  const double wanted = std::max(100.0, std::ceil(peak_rate));
  return static_cast<std::uint32_t>(std::min<double>(limits::kMaxInFlight, wanted));
}

std::uint32_t default_max_queued(double peak_rate, std::uint32_t max_in_flight) {
  const double wanted = std::max<double>(max_in_flight, std::ceil(peak_rate * 0.1));
  return static_cast<std::uint32_t>(std::min<double>(limits::kMaxInFlight, wanted));
}

std::uint32_t default_pre_allocated(double peak_rate, std::uint32_t max_in_flight) {
  constexpr auto kReleasesPerSecond = std::chrono::seconds(1) / open_release::kAhead;
  const double wanted = std::max(static_cast<double>(open_release::kArrivals),
                                 std::ceil(peak_rate / kReleasesPerSecond));
  return static_cast<std::uint32_t>(std::min<double>(max_in_flight, wanted));
}

Duration LoadModel::duration() const {
  return std::visit(
      [](const auto& m) { return m.stages.empty() ? m.duration : sum_stages(m.stages); }, model);
}

StatusSet StatusSet::default_success() {
  StatusSet set;
  set.add_range(200, 399);
  return set;
}

void StatusSet::add(int status) {
  if (status < 0 || status >= kMax) return;  // the parser only produces 100-999
  bits_[status / 64] |= std::uint64_t{1} << (status % 64);
}

void StatusSet::add_range(int first, int last) {
  // Clamped first, so a huge `last` cannot overflow the loop counter.
  for (int status = std::max(first, 0); status <= std::min(last, kMax - 1); ++status) add(status);
}

std::vector<int> StatusSet::to_list() const {
  std::vector<int> out;
  for (int status = 0; status < kMax; ++status) {
    if (contains(status)) out.push_back(status);
  }
  return out;
}

}  // namespace stampede
