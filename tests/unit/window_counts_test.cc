// Events per microsecond slot and the busiest window of a given length: exact against a brute
// force over the same events, mergeable, bounded, and strict about the documents it reads.
#include "stats/window_counts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

namespace stampede {
namespace {

using json = nlohmann::json;

constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kSecond = 1'000 * kMs;

WindowCounts counts_of(const std::vector<std::uint64_t>& times) {
  WindowCounts w;
  for (const std::uint64_t t : times) w.add(t);
  return w;
}

// Every window [t, t + window) with t at an event's microsecond: the busiest one always starts
// at an event, so this is the true maximum for events known to the microsecond.
std::uint64_t brute_force_max(std::vector<std::uint64_t> times, std::uint64_t window) {
  for (std::uint64_t& t : times) t -= t % WindowCounts::kFinestSlotNs;
  std::sort(times.begin(), times.end());
  std::uint64_t best = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    const auto end = std::lower_bound(times.begin(), times.end(), times[i] + window);
    best = std::max<std::uint64_t>(best, static_cast<std::uint64_t>(end - times.begin()) - i);
  }
  return best;
}

std::vector<std::uint64_t> random_times(std::uint32_t seed, std::size_t n, std::uint64_t span) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint64_t> at(0, span);
  std::vector<std::uint64_t> times(n);
  for (std::uint64_t& t : times) t = at(rng);
  return times;
}

// 10 requests in the last 50 ms of second 0 and 10 in the first 50 ms of second 1: per-second
// buckets see 10 and 10, the quota's sliding second sees 20.
TEST(WindowCounts, ABurstStraddlingTwoSecondsIsSeen) {
  std::vector<std::uint64_t> times;
  times.reserve(20);
  for (std::uint64_t i = 0; i < 10; ++i) times.push_back(950 * kMs + i * 5 * kMs);
  for (std::uint64_t i = 0; i < 10; ++i) times.push_back(1000 * kMs + i * 5 * kMs);
  const WindowCounts w = counts_of(times);
  EXPECT_EQ(w.max_in_window(kSecond), 20u);
  EXPECT_EQ(w.max_in_window(50 * kMs), 10u);      // [950, 1000) ms holds the first ten only
  EXPECT_EQ(w.max_in_window(50 * kMs + 1), 11u);  // rounded up to whole microseconds
  EXPECT_EQ(w.total(), 20u);
}

TEST(WindowCounts, MatchesBruteForceOnRandomEvents) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    const std::vector<std::uint64_t> times = random_times(seed, 2'000, 60 * kSecond);
    const WindowCounts w = counts_of(times);
    for (const std::uint64_t window : {kMs, 100 * kMs, kSecond, 10 * kSecond, 60 * kSecond}) {
      EXPECT_EQ(w.max_in_window(window), brute_force_max(times, window))
          << "seed " << seed << ", window " << window;
    }
  }
}

TEST(WindowCounts, EmptyAndSameInstant) {
  EXPECT_EQ(WindowCounts().max_in_window(kSecond), 0u);
  WindowCounts w;
  w.add(5 * kSecond, 7);
  w.add(5 * kSecond + 999);  // the same microsecond
  EXPECT_EQ(w.slots(), 1u);
  EXPECT_EQ(w.max_in_window(1), 8u);
  w.add(0, 0);  // nothing
  EXPECT_EQ(w.total(), 8u);
}

TEST(WindowCounts, OrderOfArrivalDoesNotMatter) {
  std::vector<std::uint64_t> times = random_times(7, 5'000, 10 * kSecond);
  const WindowCounts unordered = counts_of(times);
  std::sort(times.begin(), times.end());
  EXPECT_EQ(unordered, counts_of(times));
}

// Runners share the test's start: their series add up to the series of every event.
TEST(WindowCounts, MergingSplitEventsGivesTheWhole) {
  const std::vector<std::uint64_t> times = random_times(8, 9'000, 30 * kSecond);
  WindowCounts parts[3];
  for (std::size_t i = 0; i < times.size(); ++i) parts[i % 3].add(times[i]);
  WindowCounts merged = parts[0];
  merged.merge(parts[1]);
  merged.merge(parts[2]);
  EXPECT_EQ(merged, counts_of(times));
  EXPECT_EQ(merged.max_in_window(kSecond), brute_force_max(times, kSecond));
  WindowCounts empty;
  empty.merge(merged);
  EXPECT_EQ(empty, merged);
  merged.merge(WindowCounts());
  EXPECT_EQ(merged, counts_of(times));
}

// Past kMaxSlots the slots double until the series fits; totals stay exact, and a series
// merged with a coarser one takes the coarser width.
TEST(WindowCounts, ManySlotsCoarsenButKeepEveryEvent) {
  WindowCounts w;
  const std::uint64_t n = WindowCounts::kMaxSlots + 10;
  for (std::uint64_t i = 0; i < n; ++i) w.add(i * WindowCounts::kFinestSlotNs);
  EXPECT_EQ(w.slot_ns(), 2 * WindowCounts::kFinestSlotNs);
  EXPECT_LE(w.slots(), WindowCounts::kMaxSlots);
  EXPECT_EQ(w.total(), n);
  EXPECT_EQ(w.max_in_window(2 * WindowCounts::kFinestSlotNs), 2u);
  EXPECT_EQ(w.max_in_window(1), 2u);  // a window is at least one (now wider) slot
  WindowCounts fine = counts_of({0, 1'000, 2'000, 3'000});
  fine.merge(w);
  EXPECT_EQ(fine.slot_ns(), w.slot_ns());
  EXPECT_EQ(fine.total(), n + 4);
  EXPECT_EQ(fine.max_in_window(2 * WindowCounts::kFinestSlotNs), 4u);
}

TEST(WindowCountsJson, RoundTripAndFormat) {
  const WindowCounts w = counts_of({0, 3'000, 3'500, 10'000});
  const json j = w.to_json();
  EXPECT_EQ(j, json::parse(R"({"slot_ns": 1000, "slots": [0, 1, 3, 2, 7, 1]})"));
  std::string error;
  const auto back = WindowCounts::from_json(json::parse(j.dump()), &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, w);
  const WindowCounts random = counts_of(random_times(9, 3'000, 20 * kSecond));
  EXPECT_EQ(*WindowCounts::from_json(random.to_json(), &error), random);
}

TEST(WindowCountsJson, RejectsWhatIsNotASeries) {
  const json good = counts_of({0, 3'000, 3'500}).to_json();
  const auto rejected = [&](const std::function<void(json&)>& edit, const char* what) {
    json j = good;
    edit(j);
    std::string error;
    EXPECT_FALSE(WindowCounts::from_json(j, &error)) << what << ": " << j.dump();
    EXPECT_FALSE(error.empty()) << what;
    EXPECT_FALSE(WindowCounts::from_json(j, nullptr)) << what;
  };
  rejected([](json& j) { j = json::array(); }, "an array");
  rejected([](json& j) { j["slot_ns"] = 1500; }, "width not a power of two of 1 us");
  rejected([](json& j) { j["slot_ns"] = 500; }, "width under 1 us");
  rejected([](json& j) { j["slot_ns"] = -1000; }, "negative width");
  rejected([](json& j) { j.erase("slot_ns"); }, "no width");
  rejected([](json& j) { j["slots"].push_back(1); }, "odd list");
  rejected([](json& j) { j["slots"][1] = 0; }, "zero count");
  rejected([](json& j) { j["slots"][3] = 1.5; }, "fractional count");
  rejected([](json& j) { j["slots"][2] = 0; }, "repeated slot");
  rejected([](json& j) { j["slots"] = {1, 1, UINT64_MAX, 1}; }, "index overflow");
  rejected([](json& j) { j["slots"] = {0, UINT64_MAX, 1, 1}; }, "total overflow");
  rejected([](json& j) { j["slots"] = "0,1"; }, "slots a string");
}

}  // namespace
}  // namespace stampede
