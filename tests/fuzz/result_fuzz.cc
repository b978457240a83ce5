// Result documents (result_parse.cc, histogram.cc) and their merge (result.cc), as the
// operator reads runners' /v1/result and merges them. The input is two JSON documents separated
// by a NUL byte (or one, merged with itself). Beyond "no crash": a document that parses writes
// back (result_to_json) to one that parses to the same histograms; the merge, the totals,
// percentiles and thresholds on the merged result must not crash, and it must write out.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "stats/result.h"
#include "stats/result_json.h"
#include "stats/threshold.h"

namespace {

using namespace stampede;

std::optional<Result> read(std::string_view text) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::nullopt;
  std::string error;
  std::optional<Result> result = result_from_json(doc, &error);
  if (!result && error.empty()) __builtin_trap();  // a refusal says why
  return result;
}

// What was read writes out and reads back unchanged.
void check_round_trip(const Result& result) {
  std::string error;
  const std::optional<Result> again = result_from_json(result_to_json(result), &error);
  if (!again || again->rows.size() != result.rows.size()) __builtin_trap();
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    if (!(again->rows[i].stats.latency == result.rows[i].stats.latency)) __builtin_trap();
  }
}

// Thresholds over every built-in metric, so evaluation walks every series of the result.
const std::vector<Threshold>& thresholds() {
  static const std::vector<Threshold> kAll = [] {
    std::vector<Threshold> list;
    for (const MetricInfo& metric : known_metrics()) {
      std::string error;
      std::optional<MetricSelector> selector = parse_selector(metric.name, &error);
      if (!selector) continue;
      Threshold t{*selector, std::string(metric.name), {}, false, 0};
      for (const char* text :
           {"p(99.9) < 1", "avg < 1", "rate < 0.5", "count > 0", "max < 1", "med < 1", "min < 1"}) {
        if (auto c = parse_condition(text, metric, &error)) t.conditions.push_back(*c);
      }
      if (!t.conditions.empty()) list.push_back(t);
    }
    return list;
  }();
  return kAll;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  std::optional<Result> first = read(input.substr(0, nul));
  if (!first) return 0;
  check_round_trip(*first);
  std::optional<Result> second =
      nul == std::string_view::npos ? first : read(input.substr(nul + 1));
  if (!second) return 0;
  first->merge(*second);
  judge_thresholds(thresholds(), *first);
  const RequestStats totals = first->totals();
  for (double p : {0.0, 50.0, 99.9, 100.0}) (void)totals.latency.percentile_ns(p);
  (void)first->rps();
  (void)result_to_json(*first).dump();
  return 0;
}
