#pragma once
// Locust's --tags / --exclude-tags: run only the tasks carrying one of `tags` (all when empty)
// and none of `exclude`. Scenarios left without tasks are dropped.

#include <string>
#include <vector>

#include "plan/plan.h"
#include "plan/source_error.h"

namespace stampede {

struct TagFilter {
  std::vector<std::string> tags;     // keep tasks with any of these (empty: every task)
  std::vector<std::string> exclude;  // then drop tasks with any of these

  bool empty() const { return tags.empty() && exclude.empty(); }
};

// "a,b, c" -> {"a", "b", "c"}; empty items are skipped.
std::vector<std::string> split_tags(const std::string& text);

// Filters plan.scenarios in place. An error (path "--tags") when no task is left.
SourceErrors filter_tasks(const TagFilter& filter, Plan& plan);

}  // namespace stampede
