// The --json result file: opened before the run, replaced whole after it, even when the
// process has no file handle left by then.
#include "cli/result_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace stampede {
namespace {

std::string temp_path() {
  std::string path = "/tmp/stampede-result-file-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd >= 0) ::close(fd);
  std::remove(path.c_str());
  return path;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ResultFile, CreatesAtOpenAndReplacesTheOldContentOnWrite) {
  const std::string path = temp_path();
  std::string error;
  {
    auto file = ResultFile::open(path, &error);
    ASSERT_TRUE(file) << error;
    EXPECT_EQ(read_text(path), "") << "created empty before the run";
    ASSERT_TRUE(file->write("a much longer old result\n", &error)) << error;
  }
  auto file = ResultFile::open(path, &error);
  ASSERT_TRUE(file) << error;
  EXPECT_EQ(read_text(path), "a much longer old result\n") << "kept until the new one is ready";
  ASSERT_TRUE(file->write("{}\n", &error)) << error;
  EXPECT_EQ(read_text(path), "{}\n") << "nothing of the old, longer content may remain";
  std::remove(path.c_str());
}

TEST(ResultFile, NoPathWritesNothingAndSucceeds) {
  std::string error;
  auto file = ResultFile::open("", &error);
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->write("{}", &error));
}

TEST(ResultFile, AnUnwritablePathIsAnErrorNamingIt) {
  std::string error;
  EXPECT_FALSE(ResultFile::open("/nonexistent-dir/result.json", &error));
  EXPECT_NE(error.find("cannot write /nonexistent-dir/result.json"), std::string::npos) << error;
}

TEST(ResultFile, WritesToADeviceWithoutTruncating) {
  std::string error;
  auto file = ResultFile::open("/dev/null", &error);
  ASSERT_TRUE(file) << error;
  EXPECT_TRUE(file->write("{}\n", &error)) << error;
}

// Once open, writing needs no new file handle: the run's connections may have taken them all.
TEST(ResultFile, WritesWhenNoFileHandleIsLeft) {
  const std::string path = temp_path();
  std::string error;
  auto file = ResultFile::open(path, &error);
  ASSERT_TRUE(file) << error;
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit lowered = saved;
  lowered.rlim_cur = std::min<rlim_t>(saved.rlim_cur, 256);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  std::vector<int> taken;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) taken.push_back(fd);
  const bool exhausted = errno == EMFILE;
  const bool written = file->write("{\"ok\":true}\n", &error);
  for (const int fd : taken) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &saved);
  ASSERT_TRUE(exhausted);
  EXPECT_TRUE(written) << error;
  EXPECT_EQ(read_text(path), "{\"ok\":true}\n");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace stampede
