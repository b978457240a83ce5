// The operator's reading of a LoadTest (controller/loadtest.cc): the input is the object as
// the API server would send it (JSON). read_loadtest takes what the controller needs, plan_of
// validates the spec as a runner would read it; then what the controller builds from it (the
// decision on its stored status, the runner count and the children) must not crash either.
// A refused spec says why.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "controller/children.h"
#include "controller/decide.h"
#include "controller/loadtest.h"
#include "fuzz_support.h"

namespace {

// spec.profile naming a file: skipped (see fuzz_support.h).
bool asks_for_a_profile_file(const nlohmann::json& object) {
  if (!object.is_object()) return false;
  const auto spec = object.find("spec");
  if (spec == object.end() || !spec->is_object()) return false;
  const auto profile = spec->find("profile");
  return profile != spec->end() && profile->is_string() &&
         stampede::fuzz::names_a_file(profile->get_ref<const std::string&>());
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json object = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return 0;
  if (asks_for_a_profile_file(object)) return -1;
  const stampede::op::OperatorDefaults defaults;
  const stampede::op::LoadTest lt = stampede::op::read_loadtest(object, defaults);
  (void)lt.key();
  stampede::SourceErrors errors;
  const std::optional<stampede::Plan> plan = stampede::op::plan_of(lt, &errors);
  if (!plan && errors.empty()) __builtin_trap();  // a refusal says why
  stampede::op::Observed observed;
  observed.lt = lt;
  observed.now = stampede::op::WallClock::time_point(std::chrono::seconds(1'800'000'000));
  (void)stampede::op::decide(observed);
  if (plan) {
    const std::uint32_t count = stampede::op::runner_count(*plan, lt.runners);
    if (count == 0) __builtin_trap();  // at least one runner
    (void)stampede::op::plan_config_map(lt, 1);
    (void)stampede::op::runner_pod(lt, *plan, 1, 0, count, 1).dump();
  }
  return 0;
}
