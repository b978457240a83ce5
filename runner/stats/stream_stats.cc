#include "stats/stream_stats.h"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "stats/json_count.h"

namespace stampede {
namespace {

using nlohmann::json;

// The histograms by their JSON names, for serializing and reading in one place.
std::array<std::pair<const char*, Histogram StreamStats::*>, 6> histograms() {
  return {{{"time_to_first_event", &StreamStats::time_to_first_event},
           {"event_gap", &StreamStats::event_gap},
           {"duration", &StreamStats::duration},
           {"time_per_output_token", &StreamStats::time_per_output_token},
           {"events_per_stream", &StreamStats::events_per_stream},
           {"tokens_per_second", &StreamStats::tokens_per_second}}};
}

// Percentiles of a histogram in `scale` units per recorded unit (1e-9: seconds from ns).
json summary(const Histogram& h, double scale) {
  if (h.empty()) return json::object();
  const auto at = [&](double p) { return static_cast<double>(h.percentile_ns(p)) * scale; };
  return {{"count", h.count()},
          {"min", static_cast<double>(h.min_ns()) * scale},
          {"mean", h.mean_ns() * scale},
          {"p50", at(50)},
          {"p90", at(90)},
          {"p95", at(95)},
          {"p99", at(99)},
          {"max", static_cast<double>(h.max_ns()) * scale}};
}

}  // namespace

void StreamStats::merge(const StreamStats& other) {
  streams += other.streams;
  events += other.events;
  tokens += other.tokens;
  for (const auto& [name, member] : histograms()) (this->*member).merge(other.*member);
}

json StreamStats::to_json() const {
  json h = json::object();
  for (const auto& [name, member] : histograms()) h[name] = (this->*member).to_json();
  return {{"streams", streams},
          {"events", events},
          {"tokens", tokens},
          {"time_to_first_event_seconds", summary(time_to_first_event, 1e-9)},
          {"event_gap_seconds", summary(event_gap, 1e-9)},
          {"duration_seconds", summary(duration, 1e-9)},
          {"time_per_output_token_seconds", summary(time_per_output_token, 1e-9)},
          {"events_per_stream", summary(events_per_stream, 1)},
          {"tokens_per_second", summary(tokens_per_second, 1 / kTokensPerSecondScale)},
          {"histograms", std::move(h)}};
}

bool StreamStats::from_json(const json& j, StreamStats& out, std::string* error) {
  if (!j.is_object()) {
    *error = "stream: must be an object";
    return false;
  }
  out.streams = json_count(j, "streams");
  out.events = json_count(j, "events");
  out.tokens = json_count(j, "tokens");
  const json& h = j.contains("histograms") ? j.at("histograms") : json::object();
  for (const auto& [name, member] : histograms()) {
    if (!h.contains(name)) continue;
    auto read = Histogram::from_json(h.at(name), error);
    if (!read) {
      *error = std::string("stream.histograms.") + name + ": " + *error;
      return false;
    }
    out.*member = std::move(*read);
  }
  return true;
}

}  // namespace stampede
