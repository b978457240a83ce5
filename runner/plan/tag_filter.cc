#include "plan/tag_filter.h"

#include <algorithm>

#include "base/text.h"

namespace stampede {
namespace {

bool has_any(const Task& task, const std::vector<std::string>& tags) {
  return std::any_of(tags.begin(), tags.end(), [&](const std::string& tag) {
    return std::find(task.tags.begin(), task.tags.end(), tag) != task.tags.end();
  });
}

bool keep(const Task& task, const TagFilter& filter) {
  if (!filter.tags.empty() && !has_any(task, filter.tags)) return false;
  return !has_any(task, filter.exclude);
}

}  // namespace

std::vector<std::string> split_tags(const std::string& text) {
  std::vector<std::string> tags;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string tag = text.substr(start, end - start);
    tag.erase(0, tag.find_first_not_of(' '));
    tag.erase(tag.find_last_not_of(' ') + 1);
    if (!tag.empty()) tags.push_back(tag);
    start = end + 1;
  }
  return tags;
}

SourceErrors filter_tasks(const TagFilter& filter, Plan& plan) {
  if (filter.empty()) return {};
  for (Scenario& scenario : plan.scenarios) {
    std::erase_if(scenario.tasks, [&](const Task& task) { return !keep(task, filter); });
  }
  std::erase_if(plan.scenarios, [](const Scenario& s) { return s.tasks.empty(); });
  if (!plan.scenarios.empty()) return {};
  std::string what = filter.tags.empty() ? "" : "with tags " + join(filter.tags, ",");
  if (!filter.exclude.empty()) {
    what += (what.empty() ? "" : " and ") + std::string("without ") + join(filter.exclude, ",");
  }
  return {SourceError{filter.tags.empty() ? "--exclude-tags" : "--tags", 0, 0,
                      "no task left " + what + " (tasks carry tags: [...])"}};
}

}  // namespace stampede
