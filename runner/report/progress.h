#pragma once
// Live progress while a run goes: one line refreshed in place on a terminal, or a log line
// every ten seconds when the output is a file or a pipe (CI logs stay readable).

#include <cstdio>

#include "engine/snapshot.h"

namespace stampede {

class Progress {
 public:
  // `out` is usually stderr; `interactive` when it is a terminal.
  Progress(std::FILE* out, bool interactive);
  void update(const Snapshot& snapshot);
  // Clears the in-place line before the summary is printed.
  void finish();

 private:
  std::FILE* out_;
  bool interactive_;
  bool line_open_ = false;
  double last_logged_ = -1;
};

}  // namespace stampede
