#include "cli/open_file_limit.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace stampede {
namespace {

LoadModel closed(std::uint32_t users) {
  LoadModel load;
  ClosedModel model;
  model.users = users;
  model.duration = std::chrono::seconds(10);
  load.model = model;
  return load;
}

TEST(OpenFileLimit, RaisesTheSoftLimitToTheHardOne) {
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
  if (before.rlim_max < 512) GTEST_SKIP() << "hard limit " << before.rlim_max << " too low";
  rlimit lowered = before;
  lowered.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  const std::uint64_t limit = raise_open_file_limit();
  rlimit after{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
  EXPECT_EQ(limit, before.rlim_max == RLIM_INFINITY ? UINT64_MAX : before.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &before);
}

TEST(OpenFileLimit, WarnsWhenTheUsersDoNotFit) {
  const auto warning = open_file_warning(closed(2000), 1, 1024);
  ASSERT_TRUE(warning.has_value());
  EXPECT_NE(warning->find("2000 users"), std::string::npos) << *warning;
  EXPECT_NE(warning->find("1024"), std::string::npos) << *warning;
  EXPECT_NE(warning->find("ulimit -n"), std::string::npos) << *warning;
}

TEST(OpenFileLimit, NoWarningWhenTheyFit) {
  EXPECT_FALSE(open_file_warning(closed(900), 1, 1024).has_value());
  EXPECT_FALSE(open_file_warning(closed(2000), 1, 1 << 20).has_value());
  EXPECT_FALSE(open_file_warning(closed(2000), 1, 0).has_value()) << "unknown limit: no guess";
}

// Each of four runners holds a quarter of the users.
TEST(OpenFileLimit, CountsOnlyThisSegmentsShare) {
  EXPECT_FALSE(open_file_warning(closed(3000), 4, 1024).has_value());
  EXPECT_TRUE(open_file_warning(closed(5000), 4, 1024).has_value());
}

TEST(OpenFileLimit, AnOpenModelIsNotJudgedByItsCeiling) {
  LoadModel load;
  OpenModel model;
  model.rate = 100;
  model.max_in_flight = 100000;
  model.duration = std::chrono::seconds(10);
  load.model = model;
  EXPECT_FALSE(open_file_warning(load, 1, 1024).has_value());
}

}  // namespace
}  // namespace stampede
