#include "control/limit_metrics_exporter.h"

#include "control/prometheus_counter.h"

namespace stampede {

LimitMetricsExporter::LimitMetricsExporter(prometheus::Registry& registry,
                                           const prometheus::Labels& constant_labels)
    : requests_(register_family(prometheus::BuildCounter(), "stampede_limit_requests_total",
                                "Requests that passed a client-side limit (retries included).",
                                constant_labels, registry)),
      delayed_(register_family(prometheus::BuildCounter(), "stampede_limit_delayed_total",
                               "Requests a client-side limit held back before sending.",
                               constant_labels, registry)),
      skipped_(register_family(prometheus::BuildCounter(), "stampede_limit_skipped_total",
                               "Open-model requests not sent: their wait for the limit would "
                               "have passed maxDelay.",
                               constant_labels, registry)),
      wait_(register_family(prometheus::BuildCounter(), "stampede_limit_wait_seconds_total",
                            "Time requests spent waiting for a client-side limit, added up.",
                            constant_labels, registry)),
      throttled_(register_family(prometheus::BuildCounter(),
                                 "stampede_limit_throttled_seconds_total",
                                 "Time during which at least one request waited for the limit.",
                                 constant_labels, registry)),
      rate_(register_family(prometheus::BuildGauge(), "stampede_limit_rate",
                            "A limit's rate now, requests per second (0: an adaptive limit that "
                            "has had no signal yet, unlimited).",
                            constant_labels, registry)),
      signals_(register_family(prometheus::BuildCounter(), "stampede_limit_signals_total",
                               "Overload responses an adaptive limit saw (a listed status or a "
                               "response slower than its latency bound).",
                               constant_labels, registry)),
      decreases_(register_family(prometheus::BuildCounter(), "stampede_limit_decreases_total",
                                 "Times an adaptive limit cut its rate.", constant_labels,
                                 registry)),
      registry_(registry),
      constant_labels_(constant_labels) {}

LimitMetricsExporter::Series& LimitMetricsExporter::series(const LimitStats& limit) {
  auto [it, added] = series_.try_emplace(limit.selector);
  Series& s = it->second;
  if (added) {
    const prometheus::Labels labels = {{"limit", limit.selector}};
    s.requests = &requests_.Add(labels);
    s.delayed = &delayed_.Add(labels);
    s.skipped = &skipped_.Add(labels);
    s.wait = &wait_.Add(labels);
    s.throttled = &throttled_.Add(labels);
    s.rate = &rate_.Add(labels);
    if (limit.adaptive) {
      s.signals = &signals_.Add(labels);
      s.decreases = &decreases_.Add(labels);
    }
  }
  return s;
}

void LimitMetricsExporter::update(const std::vector<LimitStats>& limits) {
  for (const LimitStats& limit : limits) {
    Series& s = series(limit);
    add_increase(s.requests, limit.requests, s.exported.requests);
    add_increase(s.delayed, limit.delayed, s.exported.delayed);
    add_increase(s.skipped, limit.skipped, s.exported.skipped);
    add_seconds(s.wait, limit.delay_seconds, s.exported.delay_seconds);
    add_seconds(s.throttled, limit.throttled_seconds, s.exported.throttled_seconds);
    s.rate->Set(limit.adaptive ? limit.rate : limit.configured_rate);
    if (s.signals != nullptr) add_increase(s.signals, limit.signals, s.exported.signals);
    if (s.decreases != nullptr) add_increase(s.decreases, limit.decreases, s.exported.decreases);
  }
}

void LimitMetricsExporter::update(const AdaptiveUsersStats& users) {
  if (!users_) {
    users_ = std::make_unique<UsersSeries>();
    UsersSeries& s = *users_;
    s.users = &register_family(prometheus::BuildGauge(), "stampede_adaptive_users",
                               "The users a closed model's load.adaptive lets run now.",
                               constant_labels_, registry_)
                   .Add({});
    s.signals = &register_family(prometheus::BuildCounter(), "stampede_adaptive_signals_total",
                                 "Overload answers load.adaptive saw (a listed status or a "
                                 "response slower than its latency bound).",
                                 constant_labels_, registry_)
                     .Add({});
    s.decreases =
        &register_family(prometheus::BuildCounter(), "stampede_adaptive_decreases_total",
                         "Times load.adaptive cut the running users.", constant_labels_, registry_)
             .Add({});
  }
  users_->users->Set(users.users);
  add_increase(users_->signals, users.signals, users_->exported.signals);
  add_increase(users_->decreases, users.decreases, users_->exported.decreases);
}

}  // namespace stampede
