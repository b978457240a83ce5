// Every file the runner reads must be a regular file within a size limit: /dev/zero, a FIFO or
// an oversized file give an error naming the file and the limit instead of blocking or
// exhausting memory. The operator (runner_side = false) never opens a file a spec names.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "plan/plan_parser.h"
#include "plan/read_file.h"
#include "unit/plan_test_support.h"

namespace stampede {
namespace {

namespace fs = std::filesystem;
using plan_test::describe;
using plan_test::has_error;
using plan_test::kMinimal;

constexpr const char* kSmokeLikeProfile = "load: {users: 1, duration: 1s}\n";

// A fresh directory per test, removed afterwards.
class FileLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("stampede-limits-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  // A file of `bytes` bytes whose text starts with `head` and is padded with a YAML comment (a
  // valid plan or profile that only its size makes invalid).
  std::string write_padded(const std::string& name, const std::string& head, std::uint64_t bytes) {
    std::string text = head + "#";
    text.resize(bytes, 'x');
    text.back() = '\n';
    return write(name, text);
  }
  std::string fifo(const std::string& name) {
    const fs::path path = dir_ / name;
    EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0);
    return path.string();
  }

  fs::path dir_;
};

TEST_F(FileLimits, ReadRegularFileChecksTypeAndSize) {
  std::string error;
  EXPECT_EQ(read_regular_file(write("a.txt", "hello"), 5, &error), "hello") << error;
  EXPECT_FALSE(read_regular_file(write("b.txt", "hello!"), 5, &error));
  EXPECT_EQ(error, "larger than the 5 bytes limit");
  EXPECT_FALSE(read_regular_file("/dev/zero", kMiB, &error));
  EXPECT_EQ(error, "is a device, not a regular file");
  EXPECT_FALSE(read_regular_file(fifo("pipe"), kMiB, &error));  // would block if read
  EXPECT_EQ(error, "is a FIFO, not a regular file");
  EXPECT_FALSE(read_regular_file(dir_.string(), kMiB, &error));
  EXPECT_EQ(error, "is a directory");
  EXPECT_FALSE(read_regular_file((dir_ / "missing").string(), kMiB, &error));
  EXPECT_EQ(error, "No such file or directory");
  EXPECT_EQ(format_byte_limit(4 * kMiB), "4 MiB");
  EXPECT_EQ(format_byte_limit(64ULL * 1024), "64 KiB");
}

TEST_F(FileLimits, PlanFile) {
  const std::string big = write_padded("big.yaml", kMinimal, kMaxPlanFileBytes + 1);
  ParseResult result = load_plan_file(big);
  ASSERT_EQ(result.errors.size(), 1u) << describe(result.errors);
  EXPECT_EQ(result.errors[0].message,
            "cannot read plan file '" + big + "': larger than the 4 MiB limit");
  const std::string fits = write_padded("fits.yaml", kMinimal, kMaxPlanFileBytes);
  EXPECT_TRUE(load_plan_file(fits).plan) << describe(load_plan_file(fits).errors);
  ParseResult zero = load_plan_file("/dev/zero");
  ASSERT_EQ(zero.errors.size(), 1u);
  EXPECT_EQ(zero.errors[0].message,
            "cannot read plan file '/dev/zero': is a device, not a regular file");
}

TEST_F(FileLimits, ProfileFromTheCommandLineAndThePlan) {
  const std::string big = write_padded("big.yaml", kSmokeLikeProfile, kMaxProfileFileBytes + 1);
  for (const std::string& path : {std::string("/dev/zero"), big, fifo("pipe.yaml")}) {
    ParseOptions options;
    options.profile = path;
    ParseResult flag = parse_plan_text(kMinimal, options);
    ASSERT_FALSE(flag.plan) << path;
    EXPECT_TRUE(has_error(flag, "--profile", 0, "cannot read profile file '" + path + "': "));
  }
  ParseResult key = parse_plan_text(
      "target: http://h\nscenarios: [{name: a, steps: [{get: /}]}]\nprofile: " + big + "\n");
  EXPECT_TRUE(has_error(key, "profile", 3,
                        "cannot read profile file '" + big + "': larger than the 1 MiB limit"));
}

TEST_F(FileLimits, DataFile) {
  const std::string big = (dir_ / "big.csv").string();
  { std::ofstream(big) << "a\n"; }
  fs::resize_file(big, kMaxDataFileBytes + 1);  // sparse: nothing is written
  const std::string zero = (dir_ / "zero.csv").string();
  fs::create_symlink("/dev/zero", zero);
  for (const std::string& path : {zero, big, fifo("pipe.csv")}) {
    ParseResult result =
        plan_test::parse(std::string(kMinimal) + "data: {rows: {file: " + path + "}}\n");
    EXPECT_TRUE(has_error(result, "data.rows.file", 7, "cannot read data file '" + path + "': "))
        << path;
  }
  ParseResult result =
      plan_test::parse(std::string(kMinimal) + "data: {rows: {file: " + big + "}}\n");
  EXPECT_TRUE(has_error(result, "data.rows.file", 7, "larger than the 256 MiB limit"));
}

TEST_F(FileLimits, SecretFile) {
  const std::string big = write("big.key", std::string(kMaxSecretFileBytes + 1, 'k'));
  for (const std::string& path : {std::string("/dev/zero"), big, fifo("pipe.key")}) {
    ParseResult result =
        plan_test::parse("target: {url: http://h, auth: {jwt: {secret: {file: " + path + "}}}}\n" +
                         std::string(kMinimal).substr(std::string(kMinimal).find('\n') + 1));
    EXPECT_TRUE(
        has_error(result, "target.auth.jwt.secret.file", 1, "cannot read secret file '" + path))
        << path;
  }
  ParseResult result =
      plan_test::parse("target: {url: http://h, auth: {jwt: {secret: {file: " + big + "}}}}\n" +
                       std::string(kMinimal).substr(std::string(kMinimal).find('\n') + 1));
  EXPECT_TRUE(has_error(result, "target.auth.jwt.secret.file", 1, "larger than the 64 KiB limit"));
}

// A secret file at the limit is read, without the newline a mounted Secret often ends with.
TEST_F(FileLimits, SecretFileWithinTheLimit) {
  std::string key(kMaxSecretFileBytes - 1, 'k');
  const std::string path = write("ok.key", key + "\n");
  const Plan plan =
      plan_test::parse_ok("target: {url: http://h, auth: {jwt: {secret: {file: " + path + "}}}}\n" +
                          std::string(kMinimal).substr(std::string(kMinimal).find('\n') + 1));
  const Step& step = plan.scenarios.at(0).tasks.at(0).steps.at(0);
  ASSERT_TRUE(plan_test::http(step).auth);
  EXPECT_EQ(plan_test::http(step).auth->jwt.secret, key);
}

TEST_F(FileLimits, CaFile) {
  const std::string big = (dir_ / "big.pem").string();
  { std::ofstream(big) << "x"; }
  fs::resize_file(big, kMaxCaFileBytes + 1);
  for (const std::string& path : {std::string("/dev/zero"), big, fifo("pipe.pem")}) {
    ParseResult result = plan_test::parse("target: {url: 'https://h', tls: {caFile: '" + path +
                                          "'}}\n" + std::string(plan_test::kNoTarget));
    EXPECT_TRUE(has_error(result, "target.tls.caFile", 1, "cannot read CA file '" + path + "': "))
        << path;
  }
  ParseResult result = plan_test::parse("target: {url: 'https://h', tls: {caFile: '" + big +
                                        "'}}\n" + std::string(plan_test::kNoTarget));
  EXPECT_TRUE(has_error(result, "target.tls.caFile", 1, "larger than the 4 MiB limit"));
}

// ---------------------------------------------------------------------------------------------
// The operator's side: built-in profiles only, and no file a spec names is opened.

// Counts the opens of files in one directory (inotify): proof that parsing opened nothing.
class OpenWatch {
 public:
  explicit OpenWatch(const fs::path& dir) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    EXPECT_GE(::inotify_add_watch(fd_, dir.c_str(), IN_OPEN | IN_ACCESS), 0);
  }
  ~OpenWatch() { ::close(fd_); }
  OpenWatch(const OpenWatch&) = delete;
  OpenWatch& operator=(const OpenWatch&) = delete;
  bool anything_opened() const {
    alignas(inotify_event) char buffer[4096];
    return ::read(fd_, buffer, sizeof buffer) > 0;
  }

 private:
  int fd_;
};

ParseResult parse_as_operator(const std::string& profile) {
  ParseOptions options;
  options.runner_side = false;
  return parse_plan_text(R"(apiVersion: stampede.dev/v1alpha1
kind: LoadTest
metadata: {name: t}
spec:
  target: http://h
  profile: )" + profile + R"(
  scenarios: [{name: a, steps: [{get: /}]}]
)",
                         options);
}

TEST_F(FileLimits, TheOperatorResolvesBuiltInProfilesOnly) {
  const std::string regular = write("mine.yaml", kSmokeLikeProfile);
  const std::string pipe = fifo("pipe.yaml");
  OpenWatch watch(dir_);
  for (const std::string& name :
       {std::string("/etc/passwd"), std::string("/dev/zero"), regular, pipe, std::string("mine")}) {
    ParseResult result = parse_as_operator(name);
    EXPECT_TRUE(has_error(result, "spec.profile", 6,
                          "unknown profile '" + name +
                              "' (known: load, progressive, smoke, soak, spike, stress, "
                              "sustained, warmup; a LoadTest takes a built-in profile, never a "
                              "file)"))
        << name;
  }
  EXPECT_FALSE(watch.anything_opened());
  EXPECT_TRUE(parse_as_operator("soak").plan);
}

// $STAMPEDE_PROFILE_PATH is the runner's: the operator's environment names no profiles.
TEST_F(FileLimits, TheOperatorIgnoresStampedeProfilePath) {
  write("mine.yaml", kSmokeLikeProfile);
  ::setenv("STAMPEDE_PROFILE_PATH", dir_.c_str(), 1);
  std::optional<OpenWatch> watch(std::in_place, dir_);
  ParseResult operator_side = parse_as_operator("mine");
  EXPECT_FALSE(watch->anything_opened());
  watch.reset();
  ParseResult runner_side = parse_plan_text(std::string(kMinimal) + "profile: mine\n");
  ::unsetenv("STAMPEDE_PROFILE_PATH");
  EXPECT_TRUE(has_error(operator_side, "spec.profile", 6, "a LoadTest takes a built-in profile"));
  EXPECT_TRUE(runner_side.plan) << describe(runner_side.errors);
}

TEST_F(FileLimits, TheOperatorOpensNoCaFile) {
  const std::string pipe = fifo("ca.pem");
  OpenWatch watch(dir_);
  ParseOptions options;
  options.runner_side = false;
  ParseResult result = parse_plan_text("target: {url: 'https://h', tls: {caFile: '" + pipe +
                                           "'}}\n" + std::string(plan_test::kNoTarget),
                                       options);
  EXPECT_TRUE(result.plan) << describe(result.errors);
  EXPECT_FALSE(watch.anything_opened());
}

}  // namespace
}  // namespace stampede
