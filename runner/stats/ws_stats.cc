#include "stats/ws_stats.h"

namespace stampede {

void WsStats::merge(const WsStats& other) {
  for (const auto& [name, member] : kWsCounters) this->*member += other.*member;
  for (const auto& [name, member] : kWsHistograms) (this->*member).merge(other.*member);
  close_codes.merge(other.close_codes);
}

}  // namespace stampede
