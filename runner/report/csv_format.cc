#include "report/csv_format.h"

#include <fmt/format.h>

#include "stats/request_history.h"

namespace stampede {
namespace {

bool needs_quotes(std::string_view field) {
  return field.find_first_of(",\"\r\n") != std::string_view::npos;
}

std::string csv_quoted(std::string_view field) {
  std::string out = "\"";
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += needs_quotes(fields[i]) ? csv_quoted(fields[i]) : fields[i];
  }
  return out + "\r\n";
}

std::string python_float(double value) {
  // fmt's "{}" is the shortest round-trip text, as repr(); only repr's ".0" on whole numbers
  // differs ("11" -> "11.0"). Exponents ("1e-05"), "inf" and "nan" keep their form.
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eni") == std::string::npos) text += ".0";
  return text;
}

std::string csv_milliseconds(double ns) {
  return python_float(ns / 1e6);
}

std::string csv_fixed(double value) {
  return fmt::format("{:f}", value);
}

std::vector<std::string> csv_percentile_columns() {
  std::vector<std::string> out;
  out.reserve(kHistoryPercentiles.size());
  for (const double p : kHistoryPercentiles) out.push_back(fmt::format("{}%", p));
  return out;
}

std::string csv_time(const LatencySummary& latency, double ns) {
  return latency.count ? csv_milliseconds(ns) : std::string(kCsvNoValue);
}

void append_times_and_size(std::vector<std::string>& fields, const LatencySummary& latency,
                           std::uint64_t requests, std::uint64_t bytes_received) {
  fields.push_back(csv_time(latency, static_cast<double>(latency.percentiles_ns[0])));  // median
  fields.push_back(csv_time(latency, latency.mean_ns));
  fields.push_back(csv_time(latency, static_cast<double>(latency.min_ns)));
  fields.push_back(csv_time(latency, static_cast<double>(latency.max_ns)));
  fields.push_back(
      requests ? python_float(static_cast<double>(bytes_received) / static_cast<double>(requests))
               : "0");
}

}  // namespace stampede
