#include "report/series_display.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace stampede {
namespace {

using nlohmann::json;

// The columns of one point, in the order of kColumns.
constexpr std::array<const char*, 6> kColumns = {
    "requests_per_second", "failures_per_second", "users", "p50", "p95", "p99"};
using Row = std::array<std::optional<double>, kColumns.size()>;

struct Point {
  double t = 0;
  Row values;
};

// A point's rates are its counts over its interval; a second without requests has no latency
// (the runner writes 0 there).
Point display_point(double t, double interval, double users, double requests, double failures,
                    const std::array<double, 3>& percentiles) {
  Point point;
  point.t = t;
  if (interval > 0) {
    point.values[0] = requests / interval;
    point.values[1] = failures / interval;
  }
  point.values[2] = users;
  if (requests > 0) {
    for (std::size_t i = 0; i < percentiles.size(); ++i) point.values[3 + i] = percentiles[i];
  }
  return point;
}

std::vector<Point> display_points(const json& series) {
  std::vector<Point> points;
  points.reserve(series.size());
  double previous_t = 0;
  for (const json& p : series) {
    const auto t = p.at("t").get<double>();
    points.push_back(display_point(
        t, t - previous_t, p.at("users").get<double>(), p.at("requests").get<double>(),
        p.at("failures").get<double>(),
        {p.at("p50").get<double>(), p.at("p95").get<double>(), p.at("p99").get<double>()}));
    previous_t = t;
  }
  return points;
}

std::vector<Point> display_points(const std::vector<TimeSeriesPoint>& series) {
  std::vector<Point> points;
  points.reserve(series.size());
  double previous_t = 0;
  for (const TimeSeriesPoint& p : series) {
    const double t = p.elapsed_seconds;
    points.push_back(display_point(t, t - previous_t, p.users, static_cast<double>(p.requests),
                                   static_cast<double>(p.failures),
                                   {p.p50_seconds, p.p95_seconds, p.p99_seconds}));
    previous_t = t;
  }
  return points;
}

json value_or_null(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

void append(json& out, double t, const Row& row) {
  out["t"].push_back(t);
  for (std::size_t c = 0; c < kColumns.size(); ++c)
    out[kColumns[c]].push_back(value_or_null(row[c]));
}

// Each column's lowest (`highest` false) or highest value over [first, last).
Row extreme(const std::vector<Point>& points, std::size_t first, std::size_t last, bool highest) {
  Row out;
  for (std::size_t i = first; i < last; ++i) {
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      const std::optional<double>& v = points[i].values[c];
      if (!v) continue;
      if (!out[c] || (highest ? *v > *out[c] : *v < *out[c])) out[c] = v;
    }
  }
  return out;
}

json empty_columns(std::size_t points, std::size_t bucket_points) {
  json out = {{"points", points}, {"bucket_points", bucket_points}, {"t", json::array()}};
  for (const char* column : kColumns) out[column] = json::array();
  return out;
}

json display_columns(const std::vector<Point>& points, std::size_t max_buckets) {
  const std::size_t n = points.size();
  if (!series_is_downsampled(n, max_buckets)) {
    json out = empty_columns(n, 1);
    for (const Point& p : points) append(out, p.t, p.values);
    return out;
  }
  const std::size_t k = (n + max_buckets - 1) / max_buckets;
  json out = empty_columns(n, k);
  for (std::size_t first = 0; first < n; first += k) {
    const std::size_t last = std::min(n, first + k);
    append(out, points[first].t, extreme(points, first, last, false));
    if (last - first > 1) append(out, points[last - 1].t, extreme(points, first, last, true));
  }
  return out;
}

}  // namespace

json display_series(const json& series, std::size_t max_buckets) {
  return display_columns(display_points(series), max_buckets);
}

json display_series(const std::vector<TimeSeriesPoint>& series, std::size_t max_buckets) {
  return display_columns(display_points(series), max_buckets);
}

}  // namespace stampede
