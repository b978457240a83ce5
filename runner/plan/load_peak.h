#pragma once
// The peaks of a load model's schedule, defined once: the engine's schedules report them and
// the operator sizes its runners by them, so the two cannot disagree.

#include <cstdint>

#include "plan/plan.h"

namespace stampede {

// Closed model: the most users its schedule runs at once. With stages they ramp from 0 and
// `users` is not used; without, `users`.
std::uint32_t peak_users(const ClosedModel& model);

// Open model: the most arrivals per second its schedule asks for. With stages the rate ramps
// from 0/s and `rate` is not used; without, `rate`.
double peak_rate(const OpenModel& model);

// The users (connections) a model may hold at once: a closed model's peak, an open model's
// maxInFlight.
std::uint32_t peak_users(const LoadModel& load);

// Arrivals per second at the peak of an open model; 0 for a closed one.
double peak_rate(const LoadModel& load);

}  // namespace stampede
