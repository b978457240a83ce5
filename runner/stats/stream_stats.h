#pragma once
// What streamed responses add to their row (`stream: sse` or `ndjson` on a step): the
// latencies streaming users judge an API by. LLM serving benchmarks (genai-perf, llmperf, vLLM's
// benchmark_serving) report the same: time to first token, inter-token latency, time per output
// token and output tokens per second.

#include <array>
#include <cstdint>
#include <utility>

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
};

// The histograms by their names in the result JSON (result_json.cc writes them, result_parse.cc
// reads them back), so merging, writing and reading walk one list.
inline constexpr std::array<std::pair<const char*, Histogram StreamStats::*>, 6> kStreamHistograms =
    {{{"time_to_first_event", &StreamStats::time_to_first_event},
      {"event_gap", &StreamStats::event_gap},
      {"duration", &StreamStats::duration},
      {"time_per_output_token", &StreamStats::time_per_output_token},
      {"events_per_stream", &StreamStats::events_per_stream},
      {"tokens_per_second", &StreamStats::tokens_per_second}}};

// tokens_per_second holds thousandths, as custom plain trends do (kPlainTrendScale).
inline constexpr double kTokensPerSecondScale = 1000.0;

}  // namespace stampede
