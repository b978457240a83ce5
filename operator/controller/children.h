#pragma once
// The objects a LoadTest owns, built as JSON (pure functions): the control-token Secret, the plan
// ConfigMap, the runner pods and the result ConfigMap. Every child carries an owner reference, so
// it goes with the LoadTest.

#include <nlohmann/json.hpp>
#include <string>

#include "controller/loadtest.h"
#include "controller/result_storage.h"
#include "plan/plan.h"

namespace stampede::op {

// How many runners: spec.runners.count, else enough that none exceeds maxUsersPerRunner or
// maxRatePerRunner at the plan's peak (at least 1).
std::uint32_t runner_count(const Plan& plan, const RunnerSettings& settings);

// The plan's peak users and arrivals per second (open model), as the runners' engine
// schedules them (plan/load_peak.h).
double peak_users(const Plan& plan);
double peak_rate(const Plan& plan);

nlohmann::json owner_reference(const LoadTest& lt);
nlohmann::json control_secret(const LoadTest& lt, const std::string& token);
// The children of run `run` (docs/runs.md): named after it and labelled with it.
nlohmann::json plan_config_map(const LoadTest& lt, std::uint32_t run);
// The setup's values (an object of strings) as values.json, for the replacement runners of a
// test with failurePolicy Replace (docs/setup-teardown.md). The operator writes it and never
// reads it.
nlohmann::json setup_secret(const LoadTest& lt, std::uint32_t run, const nlohmann::json& values);
// A replacement (attempt > 0) joins the test where it is (`agent --resume`).
nlohmann::json runner_pod(const LoadTest& lt, const Plan& plan, std::uint32_t run,
                          std::uint32_t index, std::uint32_t count, std::uint32_t attempt = 0);
// One ConfigMap of the merged result (result_storage.h says how a result is laid out in them).
nlohmann::json result_config_map(const LoadTest& lt, std::uint32_t run, const ResultPart& part);

// CPU and memory requests for one runner's share when spec.runners.resources is not set:
// roughly 1 core per 40,000 requests/s or per 2,000 users, 64 MiB plus 32 KiB per user.
nlohmann::json derived_resources(const Plan& plan, std::uint32_t count);

// A random key for control tokens (hex of 32 bytes from OpenSSL's CSPRNG).
std::string random_token();

// The control token of a LoadTest: hex HMAC-SHA256(key, uid). Deterministic, so a restarted
// operator (with the same key) controls the runners it started.
std::string control_token(const std::string& key, const LoadTest& lt);

}  // namespace stampede::op
