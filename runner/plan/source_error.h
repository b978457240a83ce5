#pragma once
// A validation error that points at the place in the user's file that caused it.

#include <string>
#include <vector>

namespace stampede {

struct SourceError {
  std::string path;     // field path, e.g. "scenarios[0].tasks[1].steps[0].method"
  int line = 0;         // 1-based line in the input file; 0 when unknown (e.g. a CLI flag)
  int column = 0;       // 1-based column; 0 when unknown
  std::string message;  // what is wrong and, where it helps, what is accepted
  // The file the line is in when it is not the plan file itself (a profile's file, or
  // "<built-in>/soak.yaml"); empty for the plan file.
  std::string file = {};

  // "plan.yaml:12:5: scenarios[0].weight: must be a number > 0"; `file` wins over `plan_file`.
  std::string format(const std::string& plan_file) const;
};

using SourceErrors = std::vector<SourceError>;

}  // namespace stampede
