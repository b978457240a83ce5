// Reading a result document back (the operator merges results fetched from runners).
#include "stats/json_count.h"
#include "stats/result_json.h"

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

void read_statuses(const json& j, const char* key, StatusCounts& out) {
  if (!j.contains(key)) return;
  for (const auto& [code, count] : j.at(key).items()) {
    out.add(std::stoi(code), json_count(count));
  }
}

// What rows and stages share; the keys added later (retries, checks) are optional.
bool read_stats(const json& j, RequestStats& s, std::string* error) {
  s.requests = json_count(j.at("requests"));
  s.failures = json_count(j.at("failures"));
  s.bytes_sent = json_count(j, "bytes_sent");
  s.bytes_received = json_count(j, "bytes_received");
  for (const auto& [code, count] : j.at("status_codes").items()) {
    s.statuses.add(std::stoi(code), json_count(count));
  }
  const json row_errors = j.value("errors", json::object());
  for (const auto& [name, count] : row_errors.items()) {
    if (auto c = error_category_from_name(name)) {
      s.errors[static_cast<std::size_t>(*c)] = json_count(count);
    }
  }
  s.retries = json_count(j, "retries");
  read_statuses(j, "retried_statuses", s.retried_statuses);
  for (const auto& c : j.value("checks", json::array())) {
    s.checks.push_back(
        {c.at("name").get<std::string>(), json_count(c.at("passes")), json_count(c.at("fails"))});
  }
  return read_histogram(j, "latency", s.latency, error) &&
         read_histogram(j, "service_time", s.service_time, error) &&
         read_histogram(j, "waiting", s.waiting, error) &&
         read_histogram(j, "connecting", s.connecting, error);
}

// What `stream:` steps add to their row.
bool read_stream(const json& j, StreamStats& s, std::string* error) {
  s.streams = json_count(j, "streams");
  s.events = json_count(j, "events");
  s.tokens = json_count(j, "tokens");
  for (const auto& [name, member] : kStreamHistograms) {
    if (!read_histogram(j, name, s.*member, error)) {
      *error = "stream." + *error;
      return false;
    }
  }
  return true;
}

// What `ws:` steps add to their row.
bool read_ws(const json& j, WsStats& s, std::string* error) {
  for (const auto& [name, member] : kWsCounters) s.*member = json_count(j, name);
  read_statuses(j, "close_codes", s.close_codes);
  for (const auto& [name, member] : kWsHistograms) {
    if (!read_histogram(j, name, s.*member, error)) {
      *error = "ws." + *error;
      return false;
    }
  }
  return true;
}

bool read_row(const json& j, ResultRow& row, std::string* error) {
  row.key = {j.at("scenario").get<std::string>(), j.at("name").get<std::string>(),
             j.at("method").get<std::string>()};
  if (!read_stats(j, row.stats, error)) return false;
  if (j.contains("stream") && !read_stream(j.at("stream"), row.stats.stream, error)) return false;
  return !j.contains("ws") || read_ws(j.at("ws"), row.stats.ws, error);
}

bool read_stage(const json& j, StageStats& stage, std::string* error) {
  stage.name = j.at("name").get<std::string>();
  stage.duration_seconds = j.value("duration_seconds", 0.0);
  if (read_stats(j, stage.stats, error)) return true;
  *error = "stages." + stage.name + ": " + *error;
  return false;
}

bool read_custom(const json& j, CustomMetricStats& m, std::string* error) {
  m.name = j.at("name").get<std::string>();
  const std::string kind = j.at("kind").get<std::string>();
  if (kind != "trend" && kind != "counter") {
    *error = "custom." + m.name + ": unknown kind '" + kind + "'";
    return false;
  }
  m.kind = kind == "trend" ? CustomMetricStats::Kind::kTrend : CustomMetricStats::Kind::kCounter;
  m.unit = j.value("unit", "");
  for (const auto& v : j.at("values")) {
    CustomValueStats& value = m.values.emplace_back();
    value.value = v.at("value").get<std::string>();
    value.count = json_count(v.at("count"));
    if (m.kind != CustomMetricStats::Kind::kTrend || !v.contains("histogram")) continue;
    auto h = Histogram::from_json(v.at("histogram"), error);
    if (!h) {
      *error = "custom." + m.name + "." + value.value + ".histogram: " + *error;
      return false;
    }
    value.histogram = std::move(*h);
  }
  return true;
}

// Absent in results written before it existed: the defaults (one runner) stand.
void read_meta(const json& j, ResultMeta& m) {
  if (!j.contains("meta")) return;
  const json& meta = j.at("meta");
  m.target = meta.value("target", "");
  m.load = meta.value("load", "");
  m.profile = meta.value("profile", "");
  m.version = meta.value("version", "");
  m.ended_at = meta.value("ended_at", "");
  m.runners = meta.value("runners", std::uint32_t{1});
  for (const auto& s : meta.value("stages", json::array())) {
    m.stages.push_back({s.at("name").get<std::string>(), s.at("start_seconds").get<double>(),
                        s.at("end_seconds").get<double>()});
  }
}

}  // namespace

std::optional<PhaseResult> phase_from_json(const json& j, const std::string& name,
                                           std::string* error) {
  try {
    PhaseResult phase;
    phase.name = name;
    phase.ok = j.at("ok").get<bool>();
    phase.error = j.value("error", "");
    phase.duration_seconds = j.value("duration_seconds", 0.0);
    for (const auto& row_json : j.value("requests", json::array())) {
      if (!read_row(row_json, phase.rows.emplace_back(), error)) {
        *error = name + ": " + *error;
        return std::nullopt;
      }
    }
    return phase;
  } catch (const std::exception& e) {
    *error = name + ": malformed: " + e.what();
    return std::nullopt;
  }
}

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
    read_meta(j, r.meta);
    for (const auto& row_json : j.at("requests")) {
      ResultRow& row = r.rows.emplace_back();
      if (!read_row(row_json, row, error)) return std::nullopt;
    }
    const json iterations = j.value("iterations", json::object());
    for (const auto& [scenario, c] : iterations.items()) {
      r.iterations[scenario] = {json_count(c.at("iterations")), json_count(c.at("dropped"))};
    }
    for (const auto& stage_json : j.value("stages", json::array())) {
      if (!read_stage(stage_json, r.stages.emplace_back(), error)) return std::nullopt;
    }
    for (const auto& custom_json : j.value("custom", json::array())) {
      if (!read_custom(custom_json, r.custom.emplace_back(), error)) return std::nullopt;
    }
    for (const auto& window : j.value("windows", json::array())) {
      std::optional<WindowCounts> counts = WindowCounts::from_json(window, error);
      if (!counts) return std::nullopt;
      r.windows.push_back({window.at("selector").get<std::string>(), std::move(*counts)});
    }
    for (const auto& peak : j.value("userWindows", json::array())) {
      const double window = peak.at("windowSeconds").get<double>();
      if (!(window > 0 && window <= 86'400)) {
        *error = "userWindows: windowSeconds must be above 0 and at most 86400";
        return std::nullopt;
      }
      r.user_windows.push_back(
          {peak.at("selector").get<std::string>(), window, json_count(peak.at("maxCount"))});
    }
    for (const auto& limit : j.value("limits", json::array())) {
      std::optional<LimitStats> stats = LimitStats::from_json(limit, error);
      if (!stats) return std::nullopt;
      r.limits.push_back(std::move(*stats));
    }
    if (j.contains("adaptiveUsers")) {
      r.adaptive_users = AdaptiveUsersStats::from_json(j.at("adaptiveUsers"), error);
      if (!r.adaptive_users) return std::nullopt;
    }
    for (const auto& generator : j.value("generators", json::array())) {
      std::optional<GeneratorStats> stats = GeneratorStats::from_json(generator, error);
      if (!stats) return std::nullopt;
      r.generators.push_back(std::move(*stats));
    }
    for (const auto& p : j.value("series", json::array())) {
      r.series.push_back({p.at("t").get<double>(), p.at("users").get<double>(),
                          json_count(p.at("requests")), json_count(p.at("failures")),
                          p.at("p50").get<double>(), p.at("p95").get<double>(),
                          p.at("p99").get<double>()});
    }
    for (const char* name : {"setup", "teardown"}) {
      if (!j.contains(name)) continue;
      auto phase = phase_from_json(j.at(name), name, error);
      if (!phase) return std::nullopt;
      (std::string_view(name) == "setup" ? r.setup : r.teardown) = std::move(phase);
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
