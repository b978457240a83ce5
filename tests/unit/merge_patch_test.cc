// Merge patches between two versions of a status: what the server must be told to end up with
// the second, keys removed included.
#include "kube/merge_patch.h"

#include <gtest/gtest.h>

namespace stampede::kube {
namespace {

using nlohmann::json;

TEST(MergePatch, RemovedKeysAreSentAsNullAtEveryDepth) {
  const json before = {{"phase", "Running"},
                       {"pendingRun", {{"trigger", "SpecChanged"}}},
                       {"runners", {{"desired", 2}, {"startedLateSeconds", 0.2}}},
                       {"run", 1}};
  const json after = {{"phase", "Starting"}, {"runners", {{"desired", 2}}}, {"run", 2}};
  const json patch = merge_patch_between(before, after);
  EXPECT_EQ(patch, json({{"phase", "Starting"},
                         {"pendingRun", nullptr},
                         {"runners", {{"startedLateSeconds", nullptr}}},
                         {"run", 2}}));
  // Applied as the API server applies it, the patch gives `after` exactly.
  json applied = before;
  applied.merge_patch(patch);
  EXPECT_EQ(applied, after);
}

TEST(MergePatch, ArraysAndNewKeysAreSentWhole) {
  const json before = {{"history", {{{"run", 1}}}}};
  const json after = {{"history", {{{"run", 2}}, {{"run", 1}}}}, {"lastResult", "Passed"}};
  EXPECT_EQ(merge_patch_between(before, after), after);
  EXPECT_EQ(merge_patch_between(after, after), json::object()) << "nothing changed";
}

}  // namespace
}  // namespace stampede::kube
