#include "controller/operator_metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace stampede::op {
namespace {

prometheus::Family<prometheus::Counter>& reconciles(prometheus::Registry& r) {
  return prometheus::BuildCounter()
      .Name("stampede_operator_reconciles_total")
      .Help("Reconciles of LoadTests, by result (ok or error).")
      .Register(r);
}

}  // namespace

OperatorMetrics::OperatorMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      reconciles_ok_(reconciles(*registry_).Add({{"result", "ok"}})),
      reconciles_error_(reconciles(*registry_).Add({{"result", "error"}})),
      duration_(
          prometheus::BuildHistogram()
              .Name("stampede_operator_reconcile_duration_seconds")
              .Help("Time one reconcile took, API calls and runner calls included.")
              .Register(*registry_)
              .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                               0.25, 0.5, 1, 2.5, 5, 10})),
      queue_depth_(prometheus::BuildGauge()
                       .Name("stampede_operator_queue_depth")
                       .Help("LoadTest keys waiting to be reconciled.")
                       .Register(*registry_)
                       .Add({})),
      phases_(prometheus::BuildGauge()
                  .Name("stampede_operator_loadtests")
                  .Help("LoadTests known to the operator, by status.phase.")
                  .Register(*registry_)),
      leader_(prometheus::BuildGauge()
                  .Name("stampede_operator_leader")
                  .Help("1 while this replica holds the leader lease.")
                  .Register(*registry_)
                  .Add({})) {
  for (const char* phase : {"Pending", "Starting", "Running", "Succeeded", "Failed"}) {
    phases_.Add({{"phase", phase}}).Set(0);
  }
}

void OperatorMetrics::reconciled(bool ok, double seconds) {
  (ok ? reconciles_ok_ : reconciles_error_).Increment();
  duration_.Observe(seconds);
}

void OperatorMetrics::set_queue_depth(std::size_t depth) {
  queue_depth_.Set(static_cast<double>(depth));
}

void OperatorMetrics::set_phases(const std::map<std::string, int>& counts) {
  for (const char* phase : {"Pending", "Starting", "Running", "Succeeded", "Failed"}) {
    const auto it = counts.find(phase);
    phases_.Add({{"phase", phase}}).Set(it == counts.end() ? 0 : it->second);
  }
}

void OperatorMetrics::set_leader(bool leading) {
  leader_.Set(leading ? 1 : 0);
}

std::string OperatorMetrics::serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace stampede::op
