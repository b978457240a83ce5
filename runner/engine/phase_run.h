#pragma once
// A plan's setup or teardown (docs/setup-teardown.md): its one task run once, by one user on a
// connection of its own, with the run's target, TLS and limits, before the workers start or
// after they stop. The same user code as the load runs it, so templates, auth, retries,
// extract and checks behave exactly as they do under load.

#include <string>
#include <utility>
#include <vector>

#include "engine/tls_context.h"
#include "engine/user_config.h"
#include "plan/plan.h"
#include "stats/result.h"

namespace stampede {

struct PhaseOutcome {
  PhaseResult result;  // ok, the error naming the step, the statistics rows
  // What the steps extracted, NAME and value, in the order the plan extracts them; the
  // setup's become setup.NAME for the load and the teardown.
  std::vector<std::pair<std::string, std::string>> values;
};

// Runs `phase` (plan.setup or plan.teardown) once. `config` is the run's (Engine::prepare's),
// whose plan and setup values it replaces with the phase's own; `setup_values` (parallel to the
// setup's extracted variables) are what a teardown reads as setup.NAME. `tls` is null for http.
PhaseOutcome run_phase(const Plan& plan, const Scenario& phase, UserConfig config,
                       TlsClientContext* tls, const std::vector<std::string>* setup_values);

}  // namespace stampede
