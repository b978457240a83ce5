#include "report/format.h"

#include <fmt/format.h>

#include <cmath>

namespace stampede {

std::string human_seconds(double s) {
  if (s < 0) s = 0;
  if (s < 1e-3) return fmt::format("{:.0f}µs", s * 1e6);
  if (s < 1e-2) return fmt::format("{:.2f}ms", s * 1e3);
  if (s < 1) return fmt::format("{:.1f}ms", s * 1e3);
  if (s < 60) return fmt::format("{:.2f}s", s);
  const auto total = static_cast<std::uint64_t>(std::llround(s));
  if (total < 3600) return fmt::format("{}m{}s", total / 60, total % 60);
  return fmt::format("{}h{}m{}s", total / 3600, total % 3600 / 60, total % 60);
}

std::string human_count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string human_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string human_rate(double r) {
  if (r >= 100) return human_count(static_cast<std::uint64_t>(std::llround(r)));
  return fmt::format("{:.2f}", r);
}

std::string human_percent(double fraction) {
  return fmt::format("{:.2f}%", fraction * 100);
}

}  // namespace stampede
