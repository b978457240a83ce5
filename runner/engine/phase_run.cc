#include "engine/phase_run.h"

#include <random>

#include "engine/http_user.h"
#include "engine/random_duration.h"

namespace stampede {
namespace {

// Deadlines are checked this often, as the workers do.
constexpr auto kSweepPeriod = std::chrono::milliseconds(10);

// The one user's host: statistics of the whole phase, no load model, no stages.
class PhaseHost final : public UserHost {
 public:
  PhaseHost(const CompiledPlan& compiled, asio::io_context& io)
      : io_(io), stats_(fresh_thread_stats(compiled)), rng_(std::random_device{}()) {}

  ThreadStats& stats() override { return *stats_; }
  std::size_t pick_task(std::size_t /*scenario*/) override { return 0; }
  Duration random_between(Duration min, Duration max) override {
    return random_duration(rng_, min, max);
  }
  // The iteration is over: the phase is done (the user's keep-alive connection closes with it).
  void on_user_idle(User& /*user*/) override {
    done_ = true;
    io_.stop();
  }
  std::uint64_t next_sequence() override { return sequence_++; }
  std::uint64_t random64() override { return rng_(); }
  std::size_t next_feeder_row(std::size_t /*feeder*/, std::size_t rows) override {
    return feeder_draws_++ % rows;
  }
  std::size_t stage_at(TimePoint /*t*/) const override { return static_cast<std::size_t>(-1); }
  // A phase is not part of the load: its requests count in no window of the test.
  TimePoint test_start() const override { return start_; }

  bool done() const { return done_; }

 private:
  asio::io_context& io_;
  std::unique_ptr<ThreadStats> stats_;
  std::mt19937_64 rng_;
  std::uint64_t sequence_ = 0;
  std::uint64_t feeder_draws_ = 0;
  bool done_ = false;
  TimePoint start_ = Clock::now();
};

// Runs the user's one iteration, with the deadline checks a worker's tick makes.
template <class Transport>
void run_user(HttpUser<Transport>& user, PhaseHost& host, asio::io_context& io) {
  SteadyTimer sweep(io.get_executor());
  std::function<void()> tick = [&] {
    user.sweep(Clock::now());
    sweep.expires_after(kSweepPeriod);
    sweep.async_wait([&](const ErrorCode& ec) {
      if (!ec) tick();
    });
  };
  user.start_iteration(0, Clock::now());
  if (host.done()) return;  // ended before any wait (a template that failed to render)
  tick();
  io.run();
  user.abort();  // closes the keep-alive connection
}

// What went wrong with a row's requests: error categories by name, unexpected statuses listed.
std::string describe_failures(const RequestStats& s) {
  std::string text;
  for (std::size_t c = 0; c < kErrorCategoryCount; ++c) {
    if (s.errors[c] == 0) continue;
    const auto category = static_cast<ErrorCategory>(c);
    if (!text.empty()) text += ", ";
    text += error_category_name(category);
    if (category != ErrorCategory::kUnexpectedStatus) continue;
    std::string statuses;
    for (const auto& [status, count] : s.statuses.sorted()) {
      statuses += (statuses.empty() ? "" : ", ") + std::to_string(status);
    }
    text += " (" + statuses + ")";
  }
  for (const CheckCounts& check : s.checks) {
    if (check.fails == 0) continue;
    if (!text.empty()) text += ", ";
    text += "check '" + check.name + "' failed";
  }
  return text;
}

// The first step, in order, that failed or never ran; empty when every one succeeded.
std::string first_failure(const Scenario& phase, const CompiledPlan& compiled,
                          const ThreadStats& stats) {
  const std::vector<CompiledStep>& steps = compiled.scenarios.front().tasks.front().steps;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const RequestStats& s = stats.rows[steps[i].row];
    const StatsKey& key = compiled.rows[steps[i].row];
    const std::string where =
        phase.name + ".steps[" + std::to_string(i) + "] (" + key.method + " " + key.name + "): ";
    if (s.requests == 0) return where + "not run (an earlier step failed)";
    const std::string failures = describe_failures(s);
    if (!failures.empty()) return where + failures;
  }
  return "";
}

template <class Transport>
PhaseOutcome run_with(const Scenario& phase, const CompiledPlan& compiled, const UserConfig& config,
                      typename Transport::Context* tls) {
  asio::io_context io{1};
  PhaseHost host(compiled, io);
  HttpUser<Transport> user(io, host, config, tls, 0);
  const TimePoint began = Clock::now();
  run_user(user, host, io);
  PhaseOutcome out;
  PhaseResult& r = out.result;
  r.name = phase.name;
  r.duration_seconds = to_seconds(Clock::now() - began);
  for (std::size_t row = 0; row < compiled.rows.size(); ++row) {
    r.rows.push_back({compiled.rows[row], host.stats().rows[row]});
  }
  r.error = first_failure(phase, compiled, host.stats());
  r.ok = r.error.empty();
  if (!r.ok) return out;
  for (const std::string& name : extracted_variables(phase.tasks.front().steps)) {
    out.values.emplace_back(name, std::string(user.variable(compiled.variable_slots.at(name))));
  }
  return out;
}

}  // namespace

PhaseOutcome run_phase(const Plan& plan, const Scenario& phase, UserConfig config,
                       TlsClientContext* tls, const std::vector<std::string>* setup_values) {
  // The phase as a plan of one scenario; a teardown keeps the setup, whose values it reads.
  Plan phase_plan = plan;
  phase_plan.scenarios = {phase};
  if (plan.setup && &phase == &*plan.setup) phase_plan.setup.reset();
  const CompiledPlan compiled = compile_plan(phase_plan);
  config.plan = &compiled;
  config.setup_values = setup_values;
  if (tls != nullptr) return run_with<TlsTransport>(phase, compiled, config, tls);
  return run_with<PlainTransport>(phase, compiled, config, nullptr);
}

}  // namespace stampede
