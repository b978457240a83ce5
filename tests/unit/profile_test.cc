// Load profiles: the shipped ones (built into the plan library) and what they contain, how a
// name is resolved (file path, $STAMPEDE_PROFILE_PATH, built-in), how a profile merges into a
// plan, and where errors point.
#include "plan/profile.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plan/builtin_profiles.h"
#include "unit/plan_test_support.h"

namespace stampede {
namespace {

using namespace std::chrono_literals;
using plan_test::describe;
using plan_test::has;
using plan_test::has_error;
using plan_test::parse_ok;

const std::string kSourceDir = STAMPEDE_SOURCE_DIR;
const std::vector<std::string> kShipped = {"load",  "progressive", "smoke",     "soak",
                                           "spike", "stress",      "sustained", "warmup"};
const std::string kKnown =
    "(known: load, progressive, smoke, soak, spike, stress, sustained, warmup)";

// A plan without load or thresholds, to be completed by a profile.
const std::string kNoLoad = R"yaml(target: http://localhost:8080
scenarios:
  - name: a
    steps:
      - get: /
)yaml";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

Profile builtin(const std::string& name) {
  std::string error;
  std::optional<ProfileSource> source = find_profile(name, "", &error);
  EXPECT_TRUE(source) << error;
  if (!source) return {};
  SourceErrors errors;
  SourceErrors warnings;
  std::optional<Profile> profile = parse_profile(*source, &errors, &warnings);
  EXPECT_TRUE(profile) << describe(errors);
  EXPECT_TRUE(warnings.empty()) << describe(warnings);
  return profile.value_or(Profile{});
}

const ClosedModel& closed(const Profile& p) {
  static const ClosedModel kNone;
  const auto* model = std::get_if<ClosedModel>(&p.load.model);
  EXPECT_TRUE(model) << "expected a closed model";
  return model ? *model : kNone;
}

const OpenModel& open(const Profile& p) {
  static const OpenModel kNone;
  const auto* model = std::get_if<OpenModel>(&p.load.model);
  EXPECT_TRUE(model) << "expected an open model";
  return model ? *model : kNone;
}

std::vector<std::string> stage_names(const std::vector<Stage>& stages) {
  std::vector<std::string> names;
  names.reserve(stages.size());
  for (const Stage& stage : stages) names.push_back(stage.name);
  return names;
}

std::vector<double> stage_targets(const std::vector<Stage>& stages) {
  std::vector<double> targets;
  targets.reserve(stages.size());
  for (const Stage& stage : stages) targets.push_back(stage.target);
  return targets;
}

std::vector<std::string> threshold_keys(const std::vector<Threshold>& thresholds) {
  std::vector<std::string> keys;
  keys.reserve(thresholds.size());
  for (const Threshold& t : thresholds) keys.push_back(t.key);
  return keys;
}

// Sets an environment variable for one test and restores the old value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A fresh directory per test, removed afterwards.
class ProfileFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("stampede-profile-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

// ---------------------------------------------------------------------------------------------
// The shipped profiles

TEST(BuiltinProfiles, AreTheFilesOfProfilesDirectory) {
  EXPECT_EQ(builtin_profile_names(), kShipped);
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kSourceDir + "/profiles")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().stem().string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, kShipped);
  for (const BuiltinProfile& p : builtin_profiles()) {
    const std::string file = kSourceDir + "/profiles/" + std::string(p.name) + ".yaml";
    EXPECT_EQ(p.text, read_file(file)) << "the embedded " << p.name << " is not " << file;
  }
}

TEST(BuiltinProfiles, EachParsesWithADescriptionAndDefaultThresholds) {
  for (const std::string& name : kShipped) {
    SCOPED_TRACE(name);
    const Profile p = builtin(name);
    EXPECT_FALSE(p.description.empty());
    ASSERT_TRUE(p.thresholds.has_value());
    const std::vector<std::string> keys = threshold_keys(*p.thresholds);
    EXPECT_NE(std::find(keys.begin(), keys.end(), "http_req_failed"), keys.end());
    EXPECT_NE(std::find(keys.begin(), keys.end(), "http_req_duration"), keys.end());
  }
}

TEST(BuiltinProfiles, TheCrdAcceptsExactlyTheShippedNames) {
  const YAML::Node crd = YAML::LoadFile(kSourceDir + "/crds/stampede.dev_loadtests.yaml");
  const YAML::Node profile = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
                                ["spec"]["properties"]["profile"];
  ASSERT_TRUE(profile["enum"].IsSequence());
  std::vector<std::string> names = profile["enum"].as<std::vector<std::string>>();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, kShipped);
}

TEST(BuiltinProfiles, Smoke) {
  const Profile p = builtin("smoke");
  EXPECT_EQ(closed(p).users, 1u);
  EXPECT_EQ(closed(p).duration, 30s);
  EXPECT_TRUE(closed(p).stages.empty());
}

TEST(BuiltinProfiles, Warmup) {
  const Profile p = builtin("warmup");
  EXPECT_EQ(open(p).rate, 5);
  EXPECT_EQ(open(p).duration, 1min);
  EXPECT_TRUE(open(p).stages.empty());
}

TEST(BuiltinProfiles, Load) {
  const Profile p = builtin("load");
  EXPECT_EQ(closed(p).users, 50u);
  EXPECT_EQ(closed(p).spawn_rate, 5);
  EXPECT_EQ(closed(p).duration, 10min);
}

TEST(BuiltinProfiles, Sustained) {
  const Profile p = builtin("sustained");
  EXPECT_EQ(open(p).rate, 30);
  EXPECT_EQ(open(p).duration, 5min);
  const std::vector<std::string> keys =
      threshold_keys(p.thresholds.value_or(std::vector<Threshold>{}));
  EXPECT_NE(std::find(keys.begin(), keys.end(), "dropped_iterations"), keys.end());
}

TEST(BuiltinProfiles, Stress) {
  const Profile p = builtin("stress");
  EXPECT_EQ(closed(p).users, 100u);
  EXPECT_EQ(closed(p).duration, 15min);
  EXPECT_GT(closed(p).spawn_rate, 0) << "users are ramped, not started at once";
  EXPECT_LT(100 / closed(p).spawn_rate, 15 * 60 / 4) << "the ramp is a small part of the run";
}

TEST(BuiltinProfiles, Spike) {
  const Profile p = builtin("spike");
  const std::vector<Stage>& stages = closed(p).stages;
  EXPECT_EQ(stage_names(stages), (std::vector<std::string>{"ramp", "spike", "recover"}));
  EXPECT_EQ(stage_targets(stages), (std::vector<double>{200, 200, 0}));
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_EQ(stages[0].duration, 30s);
  EXPECT_EQ(stages[1].duration, 5min);
  EXPECT_EQ(stages[2].duration, 30s);
  EXPECT_EQ(closed(p).users, 200u);
  EXPECT_EQ(closed(p).duration, 6min);
}

TEST(BuiltinProfiles, Soak) {
  const Profile p = builtin("soak");
  EXPECT_EQ(closed(p).users, 50u);
  EXPECT_EQ(closed(p).duration, 24h);
  bool aborts = false;
  for (const Threshold& t : p.thresholds.value_or(std::vector<Threshold>{}))
    aborts = aborts || t.abort_on_fail;
  EXPECT_TRUE(aborts) << "a failing soak stops early instead of running for a day";
}

TEST(BuiltinProfiles, Progressive) {
  const Profile p = builtin("progressive");
  const std::vector<Stage>& stages = closed(p).stages;
  EXPECT_EQ(stage_names(stages),
            (std::vector<std::string>{"ramp-1", "hold-1", "ramp-10", "hold-10", "ramp-50",
                                      "hold-50", "ramp-100", "hold-100"}));
  EXPECT_EQ(stage_targets(stages), (std::vector<double>{1, 1, 10, 10, 50, 50, 100, 100}));
  for (std::size_t i = 0; i < stages.size(); ++i) {
    EXPECT_EQ(stages[i].duration, i % 2 == 0 ? Duration(30s) : Duration(2min)) << i;
  }
  EXPECT_EQ(closed(p).users, 100u);
  EXPECT_EQ(closed(p).duration, 10min);
}

// ---------------------------------------------------------------------------------------------
// Merging into a plan

TEST(ProfileMerge, TheProfileGivesLoadAndThresholds) {
  const Plan plan = parse_ok(kNoLoad + "profile: load\n");
  const auto& model = std::get<ClosedModel>(plan.load.model);
  EXPECT_EQ(model.users, 50u);
  EXPECT_EQ(model.spawn_rate, 5);
  EXPECT_EQ(model.duration, 10min);
  EXPECT_EQ(threshold_keys(plan.thresholds),
            threshold_keys(builtin("load").thresholds.value_or(std::vector<Threshold>{})));
  EXPECT_FALSE(plan.thresholds.empty());
}

TEST(ProfileMerge, ThePlansLoadWins) {
  const Plan plan = parse_ok(kNoLoad + "profile: soak\nload: {users: 3, duration: 7s}\n");
  const auto& model = std::get<ClosedModel>(plan.load.model);
  EXPECT_EQ(model.users, 3u);
  EXPECT_EQ(model.duration, 7s);
  EXPECT_EQ(threshold_keys(plan.thresholds),
            threshold_keys(builtin("soak").thresholds.value_or(std::vector<Threshold>{})))
      << "the plan has no thresholds: the profile's apply";
}

TEST(ProfileMerge, ThePlansThresholdsWin) {
  const Plan plan =
      parse_ok(kNoLoad + "profile: spike\nthresholds: {http_reqs: [\"count > 1\"]}\n");
  EXPECT_EQ(threshold_keys(plan.thresholds), std::vector<std::string>{"http_reqs"});
  EXPECT_EQ(std::get<ClosedModel>(plan.load.model).stages.size(), 3u);
  const Plan none = parse_ok(kNoLoad + "profile: spike\nthresholds: {}\n");
  EXPECT_TRUE(none.thresholds.empty()) << "an empty section drops the profile's thresholds";
}

TEST(ProfileMerge, TheOverrideWinsOverThePlansKey) {
  ParseOptions options;
  options.profile = "sustained";
  ParseResult result = parse_plan_text(kNoLoad + "profile: soak\n", options);
  ASSERT_TRUE(result.plan) << describe(result.errors);
  EXPECT_EQ(std::get<OpenModel>(result.plan->load.model).rate, 30);
  EXPECT_EQ(std::get<OpenModel>(result.plan->load.model).duration, 5min);
  // Without a key at all, and an unknown key value is not looked at.
  ParseResult plain = parse_plan_text(kNoLoad, options);
  ASSERT_TRUE(plain.plan) << describe(plain.errors);
  EXPECT_TRUE(plain.plan->load.is_open());
  ParseResult unknown = parse_plan_text(kNoLoad + "profile: heavy\n", options);
  EXPECT_TRUE(unknown.plan) << describe(unknown.errors);
  // The plan's load still wins over the override's.
  ParseResult with_load = parse_plan_text(kNoLoad + "load: {users: 2, duration: 1s}\n", options);
  ASSERT_TRUE(with_load.plan) << describe(with_load.errors);
  EXPECT_EQ(std::get<ClosedModel>(with_load.plan->load.model).users, 2u);
}

TEST(ProfileMerge, InALoadTestManifest) {
  ParseResult result = plan_test::parse(R"yaml(apiVersion: stampede.dev/v1alpha1
kind: LoadTest
metadata: {name: checkout}
spec:
  target: http://localhost:8080
  profile: progressive
  scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  ASSERT_TRUE(result.plan) << describe(result.errors);
  EXPECT_EQ(std::get<ClosedModel>(result.plan->load.model).stages.size(), 8u);
  EXPECT_FALSE(result.plan->thresholds.empty());
}

TEST(ProfileMerge, AnOpenModelProfileSeesThePlansWaitTimes) {
  ParseResult result = plan_test::parse(R"yaml(target: http://localhost:8080
profile: warmup
scenarios:
  - name: a
    wait: between(1, 2)
    steps: [{get: /}]
)yaml");
  ASSERT_TRUE(result.plan) << describe(result.errors);
  EXPECT_TRUE(has(result.warnings, "scenarios[0].wait", 5, "ignored: the arrival rate"));
}

TEST(ProfileMerge, NeitherLoadNorProfile) {
  EXPECT_TRUE(has_error(plan_test::parse(kNoLoad), "load", 1, "required (or name a profile)"));
}

// ---------------------------------------------------------------------------------------------
// Resolution and errors

TEST(ProfileErrors, AnUnknownNameListsTheKnownOnes) {
  ParseResult bare = plan_test::parse(kNoLoad + "profile: heavy\n");
  EXPECT_TRUE(has_error(bare, "profile", 6, "unknown profile 'heavy' " + kKnown));
  EXPECT_EQ(bare.errors.size(), 1u) << "no `load: required` besides" << describe(bare.errors);

  ParseResult manifest = plan_test::parse(R"yaml(kind: LoadTest
spec:
  target: http://localhost:8080
  scenarios: [{name: a, steps: [{get: /}]}]
  profile: Soak
)yaml");
  EXPECT_TRUE(has_error(manifest, "spec.profile", 5, "unknown profile 'Soak' " + kKnown));

  ParseOptions options;
  options.profile = "heavy";
  ParseResult flag = parse_plan_text(kNoLoad, options);
  ASSERT_FALSE(flag.plan);
  EXPECT_TRUE(has(flag.errors, "--profile", 0, "unknown profile 'heavy' " + kKnown));
}

TEST(ProfileErrors, TheKeyMustBeANonEmptyString) {
  EXPECT_TRUE(
      has_error(plan_test::parse(kNoLoad + "profile: {name: soak}\n"), "profile", 6, "string"));
  EXPECT_TRUE(
      has_error(plan_test::parse(kNoLoad + "profile: \"\"\n"), "profile", 6, "must not be empty"));
}

TEST_F(ProfileFiles, AFilePathIsRelativeToThePlan) {
  write_file(dir_ / "profiles/quick.yaml",
             "description: quick\nload: {users: 4, duration: 3s}\nthresholds:\n"
             "  http_reqs: [\"count > 0\"]\n");
  write_file(dir_ / "gentle.yaml", "load: {rate: 2, duration: 9s}\n");
  write_file(dir_ / "with-slash.yaml", kNoLoad + "profile: profiles/quick.yaml\n");
  write_file(dir_ / "with-suffix.yaml", kNoLoad + "profile: gentle.yaml\n");

  // Loaded from elsewhere: the paths are taken from the plan's directory, not the current one.
  ParseResult slash = load_plan_file((dir_ / "with-slash.yaml").string());
  ASSERT_TRUE(slash.plan) << describe(slash.errors);
  EXPECT_EQ(std::get<ClosedModel>(slash.plan->load.model).users, 4u);
  EXPECT_EQ(threshold_keys(slash.plan->thresholds), std::vector<std::string>{"http_reqs"});

  ParseResult suffix = load_plan_file((dir_ / "with-suffix.yaml").string());
  ASSERT_TRUE(suffix.plan) << describe(suffix.errors);
  EXPECT_EQ(std::get<OpenModel>(suffix.plan->load.model).rate, 2);
  EXPECT_TRUE(suffix.plan->thresholds.empty()) << "the profile has none";

  // parse_plan_text takes them from ParseOptions::base_dir.
  ParseOptions options;
  options.base_dir = dir_.string();
  ParseResult text = parse_plan_text(kNoLoad + "profile: gentle.yaml\n", options);
  ASSERT_TRUE(text.plan) << describe(text.errors);

  // An absolute path, and the override given a path.
  options = {};
  options.profile = (dir_ / "profiles/quick.yaml").string();
  ParseResult absolute = parse_plan_text(kNoLoad, options);
  ASSERT_TRUE(absolute.plan) << describe(absolute.errors);
  EXPECT_EQ(std::get<ClosedModel>(absolute.plan->load.model).users, 4u);
}

TEST_F(ProfileFiles, AMissingFileNamesThePath) {
  write_file(dir_ / "plan.yaml", kNoLoad + "profile: nowhere/none.yaml\n");
  ParseResult result = load_plan_file((dir_ / "plan.yaml").string());
  const std::string expected = (dir_ / "nowhere/none.yaml").string();
  EXPECT_TRUE(
      has_error(result, "profile", 6, "cannot read profile file '" + expected + "': No such file"));
}

TEST_F(ProfileFiles, StampedeProfilePathIsSearchedBeforeTheBuiltIns) {
  write_file(dir_ / "a/team.yaml", "load: {users: 7, duration: 2s}\n");
  write_file(dir_ / "b/team.yaml", "load: {users: 8, duration: 2s}\n");
  write_file(dir_ / "b/nightly.yaml", "load: {users: 9, duration: 2s}\n");
  write_file(dir_ / "b/smoke.yaml", "load: {users: 2, duration: 5s}\n");
  write_file(dir_ / "b/notes.txt", "not a profile\n");
  ScopedEnv env("STAMPEDE_PROFILE_PATH", (dir_ / "missing").string() + "::" +
                                             (dir_ / "a").string() + ":" + (dir_ / "b").string());

  EXPECT_EQ(std::get<ClosedModel>(parse_ok(kNoLoad + "profile: team\n").load.model).users, 7u)
      << "the first directory wins";
  EXPECT_EQ(std::get<ClosedModel>(parse_ok(kNoLoad + "profile: nightly\n").load.model).users, 9u);
  EXPECT_EQ(std::get<ClosedModel>(parse_ok(kNoLoad + "profile: smoke\n").load.model).users, 2u)
      << "a directory overrides a built-in profile of the same name";
  EXPECT_EQ(std::get<ClosedModel>(parse_ok(kNoLoad + "profile: soak\n").load.model).users, 50u)
      << "the built-in ones remain";

  const std::vector<std::string> known = known_profile_names();
  EXPECT_EQ(known, (std::vector<std::string>{"load", "nightly", "progressive", "smoke", "soak",
                                             "spike", "stress", "sustained", "team", "warmup"}));
  EXPECT_TRUE(has_error(plan_test::parse(kNoLoad + "profile: heavy\n"), "profile", 6,
                        "(known: load, nightly, progressive, smoke, soak, spike, stress, "
                        "sustained, team, warmup)"));
}

TEST_F(ProfileFiles, AnErrorInsideAProfileNamesItsFileAndLine) {
  const std::string file = (dir_ / "broken.yaml").string();
  write_file(file, R"yaml(description: broken on purpose
load:
  users: 0
  duration: 1m
thresholds:
  "http_req_duration{scenario:checkout}": ["p(95) < 1s"]
  http_req_failed: ["rate < lots"]
extra: 1
)yaml");
  ParseOptions options;
  options.profile = file;
  ParseResult result = parse_plan_text(kNoLoad, options);
  ASSERT_FALSE(result.plan);
  auto in_profile = [&](const std::string& path, int line, const std::string& message) {
    for (const SourceError& e : result.errors) {
      if (e.file == file && e.path == path && e.line == line &&
          e.message.find(message) != std::string::npos) {
        return ::testing::AssertionSuccess();
      }
    }
    return ::testing::AssertionFailure()
           << "no " << path << " at " << file << ":" << line << describe(result.errors);
  };
  EXPECT_TRUE(in_profile("load.users", 3, "must be an integer > 0"));
  EXPECT_TRUE(in_profile("thresholds.http_req_duration{scenario:checkout}", 6,
                         "unknown scenario 'checkout'"))
      << "tags are checked against the plan's scenarios";
  EXPECT_TRUE(in_profile("thresholds.http_req_failed[0]", 7, ""));
  EXPECT_TRUE(in_profile("", 8, "unknown field 'extra'"));
  EXPECT_EQ(result.errors.size(), 4u) << describe(result.errors);

  // As printed: the profile's file and line, not the plan's.
  bool printed = false;
  for (const SourceError& e : result.errors) {
    if (e.path == "load.users") {
      EXPECT_EQ(e.format("plan.yaml"), file + ":3:10: load.users: must be an integer > 0");
      printed = true;
    }
  }
  EXPECT_TRUE(printed);
}

TEST_F(ProfileFiles, BrokenYamlAndAMissingLoadInAProfile) {
  write_file(dir_ / "syntax.yaml", "load: {users: [1\n");
  write_file(dir_ / "empty.yaml", "");
  write_file(dir_ / "no-load.yaml", "description: nothing\n");
  write_file(dir_ / "list.yaml", "- load\n");
  auto errors_of = [&](const std::string& name) {
    ParseOptions options;
    options.profile = (dir_ / name).string();
    ParseResult result = parse_plan_text(kNoLoad, options);
    EXPECT_FALSE(result.plan) << name;
    for (const SourceError& e : result.errors) {
      EXPECT_EQ(e.file, options.profile) << "every error is in the profile: " << e.format("plan");
    }
    return result.errors;
  };
  EXPECT_TRUE(has(errors_of("syntax.yaml"), "", 2, "invalid YAML"));
  EXPECT_TRUE(has(errors_of("empty.yaml"), "", 1, "the profile is empty"));
  EXPECT_TRUE(has(errors_of("no-load.yaml"), "load", 1, "required"));
  EXPECT_TRUE(has(errors_of("list.yaml"), "", 1, "must be a map"));
}

TEST(ProfileErrors, ABuiltInProfileIsNamedInMessages) {
  std::string error;
  std::optional<ProfileSource> source = find_profile("smoke", "", &error);
  ASSERT_TRUE(source) << error;
  EXPECT_EQ(source->file, "<built-in>/smoke.yaml");
  source->text += "bogus: true\n";
  SourceErrors errors;
  SourceErrors warnings;
  EXPECT_FALSE(parse_profile(*source, &errors, &warnings));
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_EQ(errors[0].format("plan.yaml").rfind("<built-in>/smoke.yaml:", 0), 0u)
      << errors[0].format("plan.yaml");
}

}  // namespace
}  // namespace stampede
