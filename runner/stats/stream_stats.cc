#include "stats/stream_stats.h"

namespace stampede {

void StreamStats::merge(const StreamStats& other) {
  streams += other.streams;
  events += other.events;
  tokens += other.tokens;
  for (const auto& [name, member] : kStreamHistograms) (this->*member).merge(other.*member);
}

}  // namespace stampede
