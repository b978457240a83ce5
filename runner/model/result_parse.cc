// Reading a result document back (the operator merges results fetched from runners).
#include "model/result_json.h"

namespace stampede {
namespace {

using nlohmann::json;

bool read_histogram(const json& row, const char* name, Histogram& out, std::string* error) {
  const auto& histograms = row.at("histograms");
  if (!histograms.contains(name)) return true;
  auto h = Histogram::from_json(histograms.at(name), error);
  if (!h) {
    *error = std::string("histograms.") + name + ": " + *error;
    return false;
  }
  out = std::move(*h);
  return true;
}

bool read_row(const json& j, ResultRow& row, std::string* error) {
  row.key = {j.at("scenario").get<std::string>(), j.at("name").get<std::string>(),
             j.at("method").get<std::string>()};
  RequestStats& s = row.stats;
  s.requests = j.at("requests").get<std::uint64_t>();
  s.failures = j.at("failures").get<std::uint64_t>();
  s.bytes_sent = j.value("bytes_sent", std::uint64_t{0});
  s.bytes_received = j.value("bytes_received", std::uint64_t{0});
  for (const auto& [code, count] : j.at("status_codes").items()) {
    s.statuses.add(std::stoi(code), count.get<std::uint64_t>());
  }
  const json row_errors = j.value("errors", json::object());
  for (const auto& [name, count] : row_errors.items()) {
    if (auto c = error_category_from_name(name)) {
      s.errors[static_cast<std::size_t>(*c)] = count.get<std::uint64_t>();
    }
  }
  return read_histogram(j, "latency", s.latency, error) &&
         read_histogram(j, "service_time", s.service_time, error) &&
         read_histogram(j, "waiting", s.waiting, error) &&
         read_histogram(j, "connecting", s.connecting, error);
}

}  // namespace

std::optional<Result> result_from_json(const json& j, std::string* error) {
  try {
    if (!j.is_object() || j.value("schema", "") != kResultSchema) {
      *error = std::string("not a ") + kResultSchema + " document";
      return std::nullopt;
    }
    Result r;
    r.plan_name = j.value("plan", "");
    r.testid = j.value("testid", "");
    r.runner = j.value("runner", "");
    r.started_at = j.value("started_at", "");
    r.aborted_by = j.value("aborted_by", "");
    r.duration_seconds = j.at("totals").at("duration_seconds").get<double>();
    for (const auto& row_json : j.at("requests")) {
      ResultRow& row = r.rows.emplace_back();
      if (!read_row(row_json, row, error)) return std::nullopt;
    }
    const json iterations = j.value("iterations", json::object());
    for (const auto& [scenario, c] : iterations.items()) {
      r.iterations[scenario] = {c.at("iterations").get<std::uint64_t>(),
                                c.at("dropped").get<std::uint64_t>()};
    }
    for (const auto& p : j.value("series", json::array())) {
      r.series.push_back({p.at("t").get<double>(), p.at("users").get<double>(),
                          p.at("requests").get<std::uint64_t>(),
                          p.at("failures").get<std::uint64_t>(), p.at("p50").get<double>(),
                          p.at("p95").get<double>(), p.at("p99").get<double>()});
    }
    return r;
  } catch (const json::exception& e) {
    *error = std::string("malformed result: ") + e.what();
    return std::nullopt;
  } catch (const std::exception& e) {
    *error = std::string("malformed result: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace stampede
