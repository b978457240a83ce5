#pragma once
// Small helpers the exporters share: registering a family with the run's constant labels, and
// feeding a Prometheus counter from a cumulative count.

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <cstdint>

namespace stampede {

template <class Builder>
auto& register_family(Builder&& builder, const char* name, const char* help,
                      const prometheus::Labels& constant_labels, prometheus::Registry& registry) {
  return builder.Name(name).Help(help).Labels(constant_labels).Register(registry);
}

// Adds what `now` grew by since `exported`, then remembers it.
inline void add_increase(prometheus::Counter* counter, std::uint64_t now, std::uint64_t& exported) {
  if (now > exported) counter->Increment(static_cast<double>(now - exported));
  exported = now;
}

// Adds what a cumulative number of seconds grew by since `exported`, then remembers it.
inline void add_seconds(prometheus::Counter* counter, double now, double& exported) {
  if (now > exported) counter->Increment(now - exported);
  exported = now;
}

}  // namespace stampede
