// The live progress line: the clock never shows more than the planned time, and the open model
// shows its rate and iterations in flight rather than a user count.
#include "report/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace stampede {
namespace {

// The line a non-interactive Progress logs for one snapshot.
std::string line_for(const Snapshot& s) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  Progress progress(out, /*interactive=*/false);
  progress.update(s);
  progress.finish();
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

Snapshot at(double elapsed, double planned) {
  Snapshot s;
  s.elapsed_seconds = elapsed;
  s.planned_seconds = planned;
  return s;
}

TEST(Progress, ShowsElapsedOfPlannedWhileTheLoadRuns) {
  const std::string line = line_for(at(3, 10));
  EXPECT_NE(line.find("3.00s / 10.00s"), std::string::npos) << line;
  EXPECT_EQ(line.find("stopping"), std::string::npos) << line;
}

TEST(Progress, ShowsTheGracefulStopInsteadOfMoreTimeThanPlanned) {
  const std::string line = line_for(at(11, 10));
  EXPECT_EQ(line.find("11.00s"), std::string::npos) << line;
  EXPECT_NE(line.find("10.00s / 10.00s  stopping +1.00s"), std::string::npos) << line;
}

TEST(Progress, ClosedModelShowsUsers) {
  Snapshot s = at(2, 10);
  s.users = 25;
  const std::string line = line_for(s);
  EXPECT_NE(line.find("users 25"), std::string::npos) << line;
  EXPECT_EQ(line.find("rate"), std::string::npos) << line;
}

TEST(Progress, OpenModelShowsTheRateAndWhatIsInFlight) {
  Snapshot s = at(2, 10);
  s.open_model = true;
  s.target_rate = 400;
  s.users = 3;
  const std::string line = line_for(s);
  EXPECT_NE(line.find("rate 400/s  in flight 3"), std::string::npos) << line;
  EXPECT_EQ(line.find("users"), std::string::npos) << line;
}

}  // namespace
}  // namespace stampede
