#pragma once
// What streamed responses add to their row (`stream: sse` or `ndjson` on a step): the
// latencies streaming users judge an API by. LLM serving benchmarks (genai-perf, llmperf, vLLM's
// benchmark_serving) report the same: time to first token, inter-token latency, time per output
// token and output tokens per second.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "stats/histogram.h"

namespace stampede {

struct StreamStats {
  std::uint64_t streams = 0;  // responses read to their end as streams
  std::uint64_t events = 0;   // events received (the end marker is not an event)
  std::uint64_t tokens = 0;
  Histogram time_to_first_event;    // from the request's due time to its first event (TTFT)
  Histogram event_gap;              // between consecutive events of one stream (ITL)
  Histogram duration;               // from the send to the stream's end
  Histogram time_per_output_token;  // (end - first event) / (tokens - 1), streams of 2+ tokens
  Histogram events_per_stream;      // counts, recorded as plain values
  Histogram tokens_per_second;      // tokens / duration per stream, in thousandths

  bool empty() const { return streams == 0 && events == 0; }
  void merge(const StreamStats& other);

  // {"streams", "events", "tokens", "time_to_first_event_seconds": {percentiles}, ...,
  //  "histograms": {...}}; from_json reads what to_json wrote.
  nlohmann::json to_json() const;
  static bool from_json(const nlohmann::json& j, StreamStats& out, std::string* error);
};

// tokens_per_second holds thousandths, as custom plain trends do (kPlainTrendScale).
inline constexpr double kTokensPerSecondScale = 1000.0;

}  // namespace stampede
