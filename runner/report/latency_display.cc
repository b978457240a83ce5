#include "report/latency_display.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace stampede {
namespace {

using nlohmann::json;

// The bin of a value: floor(20 * log10(ns)), values below 1 ns in the first bin.
long bin_of(std::uint64_t ns) {
  return static_cast<long>(
      std::floor(kDistributionBinsPerDecade *
                 std::log10(static_cast<double>(std::max<std::uint64_t>(ns, 1)))));
}

double bin_edge_seconds(long bin) {
  return std::pow(10.0, static_cast<double>(bin) / kDistributionBinsPerDecade) * 1e-9;
}

}  // namespace

std::optional<Histogram> merged_latency(const json& result) {
  std::optional<Histogram> merged;
  for (const json& row : result.value("requests", json::array())) {
    if (!row.is_object() || !row.contains("histograms")) continue;
    const json& histograms = row.at("histograms");
    if (!histograms.is_object() || !histograms.contains("latency")) continue;
    std::string error;
    std::optional<Histogram> h = Histogram::from_json(histograms.at("latency"), &error);
    if (!h) continue;  // the tables still show the row's numbers; the charts go without it
    if (!merged) merged.emplace();
    merged->merge(*h);
  }
  return merged;
}

json latency_distribution(const Histogram& latency) {
  std::map<long, std::uint64_t> bins;
  // A bucket is narrower than a bin (1/1024 of its value against 12 %): it goes whole to the
  // bin of its lowest value.
  latency.for_each_bucket([&](std::uint64_t lowest, std::uint64_t, std::uint64_t count) {
    bins[bin_of(lowest)] += count;
  });
  json out = {
      {"lower_seconds", json::array()}, {"upper_seconds", json::array()}, {"count", json::array()}};
  if (bins.empty()) return out;
  for (long bin = bins.begin()->first; bin <= bins.rbegin()->first; ++bin) {
    out["lower_seconds"].push_back(bin_edge_seconds(bin));
    out["upper_seconds"].push_back(bin_edge_seconds(bin + 1));
    const auto it = bins.find(bin);
    out["count"].push_back(it == bins.end() ? 0 : it->second);
  }
  return out;
}

json percentile_curve(const Histogram& latency) {
  json out = {{"nines", json::array()}, {"percent", json::array()}, {"seconds", json::array()}};
  if (latency.empty()) return out;
  // Past log10(count) nines every percentile is the slowest request.
  const double last = std::min(kCurveMaxNines, std::log10(static_cast<double>(latency.count())));
  const int steps = static_cast<int>(std::floor(last / kCurveNinesStep + 1e-9));
  for (int i = 0; i <= steps; ++i) {
    const double nines = i * kCurveNinesStep;
    const double percent = 100.0 * (1.0 - std::pow(10.0, -nines));
    out["nines"].push_back(nines);
    out["percent"].push_back(percent);
    out["seconds"].push_back(latency.percentile_seconds(percent));
  }
  return out;
}

}  // namespace stampede
