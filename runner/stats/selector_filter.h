#pragma once
// A threshold selector's tag filters (metric{scenario:api,status:429}), read once: threshold
// evaluation applies them to a result's rows, and the engine to the requests a windowed
// threshold counts (both must agree on what a tag selects).

#include <string>
#include <string_view>

#include "stats/request_stats.h"
#include "stats/status_counts.h"
#include "stats/threshold.h"

namespace stampede {

// Does a status tag value ("429" or a class such as "5xx") match a status code?
inline bool status_matches(std::string_view pattern, int status) {
  if (pattern.size() == 3 && pattern.substr(1) == "xx") return status / 100 == pattern[0] - '0';
  return pattern == std::to_string(status);
}

// Pointers into the selector, which must outlive the filter; null: the tag is not filtered.
struct SelectorFilter {
  const std::string* scenario = nullptr;
  const std::string* name = nullptr;
  const std::string* method = nullptr;
  const std::string* status = nullptr;
  const std::string* check = nullptr;
  const std::string* stage = nullptr;
  const std::string* value = nullptr;  // custom metrics

  explicit SelectorFilter(const MetricSelector& selector) {
    for (const auto& [key, tag] : selector.tags) {
      if (key == "scenario") scenario = &tag;
      if (key == "name") name = &tag;
      if (key == "method") method = &tag;
      if (key == "status") status = &tag;
      if (key == "check") check = &tag;
      if (key == "stage") stage = &tag;
      if (key == "value") value = &tag;
    }
  }
  bool matches(const StatsKey& key) const {
    return (!scenario || *scenario == key.scenario) && (!name || *name == key.name) &&
           (!method || *method == key.method);
  }
  std::uint64_t status_count(const StatusCounts& statuses) const {
    std::uint64_t n = 0;
    for (const auto& [code, count] : statuses.sorted()) {
      if (status_matches(*status, code)) n += count;
    }
    return n;
  }
};

}  // namespace stampede
