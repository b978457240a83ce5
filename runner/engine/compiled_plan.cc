#include "engine/compiled_plan.h"

#include <strings.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "plan/version.h"
#include "stats/selector_filter.h"

namespace stampede {
namespace {

bool same_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool has_header(const std::vector<Header>& headers, const std::string& name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const Header& h) { return same_name(h.name, name); });
}

std::size_t row_for(std::vector<StatsKey>& rows, StatsKey key) {
  auto it = std::find(rows.begin(), rows.end(), key);
  if (it != rows.end()) return static_cast<std::size_t>(it - rows.begin());
  rows.push_back(std::move(key));
  return rows.size() - 1;
}

}  // namespace

std::string serialize_request(const Target& target, const HttpStep& step) {
  std::string out;
  out.reserve(256 + step.body.size());
  out += step.method + " " + target.url.join(step.path) + " HTTP/1.1\r\n";
  std::vector<Header> headers = step.headers;
  for (const Header& h : target.headers) {
    if (!has_header(headers, h.name)) headers.push_back(h);
  }
  if (!has_header(headers, "Host")) out += "Host: " + target.url.authority() + "\r\n";
  if (!has_header(headers, "User-Agent")) {
    out += std::string("User-Agent: stampede/") + kVersion + "\r\n";
  }
  for (const Header& h : headers) out += h.name + ": " + h.value + "\r\n";
  const bool sends_body =
      !step.body.empty() || step.method == "POST" || step.method == "PUT" || step.method == "PATCH";
  if (!step.content_type.empty() && !has_header(headers, "Content-Type")) {
    out += "Content-Type: " + step.content_type + "\r\n";
  }
  if (sends_body) out += "Content-Length: " + std::to_string(step.body.size()) + "\r\n";
  out += "\r\n";
  out += step.body;
  return out;
}

RequestTemplate request_template(const Target& target, const HttpStep& step) {
  RequestTemplate rt;
  rt.head.append_literal(step.method + " " + target.url.base_path);
  rt.head.append(step.path_template);
  rt.head.append_literal(" HTTP/1.1\r\n");
  std::vector<Header> headers = step.headers;
  for (const Header& h : target.headers) {
    if (!has_header(headers, h.name)) headers.push_back(h);
  }
  if (!has_header(headers, "Host"))
    rt.head.append_literal("Host: " + target.url.authority() + "\r\n");
  if (!has_header(headers, "User-Agent")) {
    rt.head.append_literal(std::string("User-Agent: stampede/") + kVersion + "\r\n");
  }
  for (std::size_t i = 0; i < headers.size(); ++i) {
    rt.head.append_literal(headers[i].name + ": ");
    // The step's own headers come first and carry templates; the target's are constants.
    if (i < step.header_templates.size()) {
      rt.head.append(step.header_templates[i]);
    } else {
      rt.head.append_literal(headers[i].value);
    }
    rt.head.append_literal("\r\n");
  }
  if (!step.content_type.empty() && !has_header(headers, "Content-Type")) {
    rt.head.append_literal("Content-Type: " + step.content_type + "\r\n");
  }
  rt.body = step.body_template;
  rt.sends_body = !step.body_template.parts.empty() || step.method == "POST" ||
                  step.method == "PUT" || step.method == "PATCH";
  return rt;
}

namespace {

// Data columns first (feeder.column), then every extracted variable, each once, then the
// setup's values.
std::map<std::string, std::size_t> assign_slots(const Plan& plan, CompiledPlan* compiled) {
  std::map<std::string, std::size_t> slots;
  for (const DataSource& d : plan.data) {
    compiled->feeders.push_back({compiled->slot_count});
    for (const std::string& column : d.columns)
      slots[d.name + "." + column] = compiled->slot_count++;
  }
  for (const Scenario& scenario : plan.scenarios) {
    for (const Task& task : scenario.tasks) {
      for (const std::string& name : extracted_variables(task.steps)) {
        if (slots.emplace(name, compiled->slot_count).second) ++compiled->slot_count;
      }
    }
  }
  // What the setup extracted, read as setup.NAME: set in every user before its first step.
  if (plan.setup) {
    for (const std::string& name : extracted_variables(plan.setup->tasks.front().steps)) {
      compiled->setup_slots.push_back({name, compiled->slot_count});
      slots[setup_variable(name)] = compiled->slot_count++;
    }
  }
  return slots;
}

class SlotBinder {
 public:
  explicit SlotBinder(const std::map<std::string, std::size_t>& slots) : slots_(slots) {}

  // Binds a copy; every name was checked by the parser, so none is unknown here.
  Template bind(const Template& t) {
    Template bound = t;
    TemplateBinding binding;
    binding.slot = [this](const std::string& name) -> std::optional<std::size_t> {
      used_.push_back(name);
      auto it = slots_.find(name);
      return it == slots_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
    };
    bind_template(bound, binding);
    return bound;
  }
  const std::vector<std::string>& used() const { return used_; }

 private:
  const std::map<std::string, std::size_t>& slots_;
  std::vector<std::string> used_;  // every variable name bound so far
};

bool needs_request_template(const HttpStep& http) {
  if (http.auth && http.auth->kind != Auth::Kind::kNone) return true;
  if (!http.path_template.constant() || !http.body_template.constant()) return true;
  return std::any_of(http.header_templates.begin(), http.header_templates.end(),
                     [](const Template& t) { return !t.constant(); });
}

bool reads(const HttpStep& http, ResponseSource::Kind kind) {
  auto is = [&](const ResponseSource& s) { return s.kind == kind; };
  return std::any_of(http.extract.begin(), http.extract.end(),
                     [&](const Extractor& e) { return is(e.source); }) ||
         std::any_of(http.checks.begin(), http.checks.end(),
                     [&](const Check& c) { return is(c.subject); }) ||
         std::any_of(http.metrics.begin(), http.metrics.end(),
                     [&](const MetricCapture& m) { return is(m.value) || (m.by && is(*m.by)); });
}

void compile_dynamic(const Plan& plan, const HttpStep& http, SlotBinder& binder, CompiledStep* s) {
  HttpStep bound = http;
  bound.path_template = binder.bind(http.path_template);
  bound.body_template = binder.bind(http.body_template);
  for (auto& h : bound.header_templates) h = binder.bind(h);
  s->dynamic = request_template(plan.target, bound);
  if (!http.auth) return;
  s->bearer = binder.bind(http.auth->bearer);
  s->basic_user = binder.bind(http.auth->basic.username);
  s->basic_password = binder.bind(http.auth->basic.password);
  s->jwt_claims = binder.bind(http.auth->jwt.claims_json);
}

void compile_response_rules(const HttpStep& http, const std::map<std::string, std::size_t>& slots,
                            SlotBinder& binder, std::vector<std::string>& row_checks,
                            CompiledStep* s) {
  for (const Extractor& e : http.extract) s->extract_slots.push_back(slots.at(e.variable));
  for (const Check& c : http.checks) {
    auto it = std::find(row_checks.begin(), row_checks.end(), c.name);
    if (it == row_checks.end()) it = row_checks.insert(row_checks.end(), c.name);
    s->check_index.push_back(static_cast<std::size_t>(it - row_checks.begin()));
    s->check_expected.push_back(binder.bind(c.expected));
  }
  const auto body_kinds = {ResponseSource::Kind::kJson, ResponseSource::Kind::kRegex,
                           ResponseSource::Kind::kBody};
  s->capture_body = std::any_of(body_kinds.begin(), body_kinds.end(),
                                [&](ResponseSource::Kind k) { return reads(http, k); });
  s->capture_headers =
      reads(http, ResponseSource::Kind::kHeader) || (http.retry && http.retry->retry_after);
}

// The data sources whose columns a task's templates use: drawn at each iteration start.
std::vector<std::size_t> feeders_used(const Plan& plan, const std::vector<std::string>& names) {
  std::vector<std::size_t> used;
  for (std::size_t d = 0; d < plan.data.size(); ++d) {
    const std::string prefix = plan.data[d].name + ".";
    const bool uses = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
      return n.compare(0, prefix.size(), prefix) == 0;
    });
    if (uses) used.push_back(d);
  }
  return used;
}

// Named stages tag the requests started during them (Result::stages).
void compile_stages(const LoadModel& load, CompiledPlan* compiled) {
  const std::vector<Stage>& stages = load.is_open() ? std::get<OpenModel>(load.model).stages
                                                    : std::get<ClosedModel>(load.model).stages;
  for (const Stage& stage : stages) {
    compiled->stage_lengths.push_back(stage.duration);
    if (stage.name.empty()) {
      compiled->stage_name_of.push_back(static_cast<std::size_t>(-1));
      continue;
    }
    auto& names = compiled->stage_names;
    auto it = std::find(names.begin(), names.end(), stage.name);
    if (it == names.end()) it = names.insert(names.end(), stage.name);
    compiled->stage_name_of.push_back(static_cast<std::size_t>(it - names.begin()));
  }
}

// The custom counter a selector names; npos for any other metric.
std::size_t custom_counter(const Plan& plan, const std::string& metric) {
  for (std::size_t m = 0; m < plan.metrics.size(); ++m) {
    if (plan.metrics[m].name == metric && plan.metrics[m].kind == CustomMetricDef::Kind::kCounter) {
      return m;
    }
  }
  return static_cast<std::size_t>(-1);
}

// Every distinct selector of a max_count or max_rate threshold: on http_reqs, with for each row
// the ones whose scenario, name and method tags it matches (status and stage are known only per
// request); on a custom counter, with its `value` tag.
void compile_windows(const Plan& plan, CompiledPlan* compiled) {
  compiled->row_windows.resize(compiled->rows.size());
  compiled->custom_windows.resize(plan.metrics.size());
  for (const Threshold& threshold : plan.thresholds) {
    const bool windowed = std::any_of(
        threshold.conditions.begin(), threshold.conditions.end(),
        [](const auto& c) { return c.aggregation.windowed() && !c.aggregation.per_user; });
    const std::size_t counter = custom_counter(plan, threshold.selector.metric);
    const bool requests = threshold.selector.metric == "http_reqs";
    if (!windowed || (!requests && counter >= plan.metrics.size())) continue;
    const std::string key = threshold.selector.to_string();
    const auto& windows = compiled->windows;
    if (std::any_of(windows.begin(), windows.end(),
                    [&](const auto& w) { return w.selector == key; })) {
      continue;  // several thresholds on one selector share its series
    }
    const SelectorFilter filter(threshold.selector);
    CompiledWindow& window = compiled->windows.emplace_back();
    window.selector = key;
    if (filter.status) window.status = *filter.status;
    if (filter.value) window.value = *filter.value;
    if (!requests) {
      compiled->custom_windows[counter].push_back(compiled->windows.size() - 1);
      continue;
    }
    if (filter.stage) {
      const auto& names = compiled->stage_names;
      const auto named = std::find(names.begin(), names.end(), *filter.stage);
      // A stage the load does not have counts nothing (the plan parser refuses it anyway).
      window.stage = static_cast<std::size_t>(named - names.begin());
    }
    for (std::size_t row = 0; row < compiled->rows.size(); ++row) {
      if (filter.matches(compiled->rows[row])) {
        compiled->row_windows[row].push_back(compiled->windows.size() - 1);
      }
    }
  }
}

// Every distinct selector and window of a per-user windowed threshold (max_count_per_user(W)),
// with for each row the ones whose scenario, name and method tags it matches.
void compile_user_windows(const Plan& plan, CompiledPlan* compiled) {
  compiled->row_user_windows.resize(compiled->rows.size());
  for (const Threshold& threshold : plan.thresholds) {
    const std::string key = threshold.selector.to_string();
    const SelectorFilter filter(threshold.selector);
    for (const ThresholdCondition& condition : threshold.conditions) {
      const Aggregation& a = condition.aggregation;
      if (!a.windowed() || !a.per_user) continue;
      const auto window_ns = static_cast<std::uint64_t>(std::llround(a.window_seconds * 1e9));
      const auto& windows = compiled->user_windows;
      if (std::any_of(windows.begin(), windows.end(), [&](const CompiledUserWindow& w) {
            return w.selector == key && w.window_ns == window_ns;
          })) {
        continue;
      }
      CompiledUserWindow& window = compiled->user_windows.emplace_back();
      window.selector = key;
      window.window_ns = window_ns;
      if (filter.status) window.status = *filter.status;
      if (filter.stage) {
        const auto& names = compiled->stage_names;
        window.stage = static_cast<std::size_t>(
            std::find(names.begin(), names.end(), *filter.stage) - names.begin());
      }
      for (std::size_t row = 0; row < compiled->rows.size(); ++row) {
        if (filter.matches(compiled->rows[row])) {
          compiled->row_user_windows[row].push_back(compiled->user_windows.size() - 1);
        }
      }
    }
  }
}

// Each row's `limits:` entries, by the row's scenario, name and method. The steps of a row under
// an adaptive entry keep their response headers: the entry reads Retry-After.
void compile_limits(const Plan& plan, CompiledPlan* compiled) {
  compiled->row_limits.resize(compiled->rows.size());
  std::vector<bool> wants_headers(compiled->rows.size(), false);
  for (std::size_t row = 0; row < compiled->rows.size(); ++row) {
    const StatsKey& key = compiled->rows[row];
    for (std::size_t i = 0; i < plan.limits.size(); ++i) {
      const RequestLimit& limit = plan.limits[i];
      if ((limit.scenario && *limit.scenario != key.scenario) ||
          (limit.name && *limit.name != key.name) ||
          (limit.method && *limit.method != key.method)) {
        continue;
      }
      compiled->row_limits[row].push_back(i);
      if (limit.adaptive && limit.adaptive->retry_after) wants_headers[row] = true;
    }
  }
  for (CompiledScenario& scenario : compiled->scenarios) {
    for (CompiledTask& task : scenario.tasks) {
      for (CompiledStep& step : task.steps) {
        if (wants_headers[step.row]) step.capture_headers = true;
      }
    }
  }
}

}  // namespace

CompiledPlan compile_plan(const Plan& plan) {
  CompiledPlan compiled;
  compiled.plan = &plan;
  compiled.variable_slots = assign_slots(plan, &compiled);
  const std::map<std::string, std::size_t>& slots = compiled.variable_slots;
  for (const Scenario& scenario : plan.scenarios) {
    CompiledScenario& cs = compiled.scenarios.emplace_back();
    cs.name = scenario.name;
    cs.wait = scenario.wait;
    compiled.scenario_weights.push_back(scenario.weight);
    for (const Task& task : scenario.tasks) {
      CompiledTask& ct = cs.tasks.emplace_back();
      cs.task_weights.push_back(task.weight);
      SlotBinder binder(slots);
      for (const Step& step : task.steps) {
        const HttpStep& http = http_part(step);
        const auto* ws = std::get_if<WsStep>(&step);
        CompiledStep& s = ct.steps.emplace_back();
        s.row = row_for(compiled.rows, {scenario.name, http.name, ws ? "WS" : http.method});
        compiled.row_checks.resize(compiled.rows.size());
        s.expect = http.expect_status;
        s.head = http.method == "HEAD";
        s.source = &http;
        if (needs_request_template(http)) {
          compile_dynamic(plan, http, binder, &s);
        } else {
          s.request = serialize_request(plan.target, http);
        }
        compile_response_rules(http, slots, binder, compiled.row_checks[s.row], &s);
        if (ws) {
          s.ws = compile_ws(
              *ws, [&](const Template& t) { return binder.bind(t); },
              [&](const std::string& name) {
                return row_for(compiled.rows, {scenario.name, name, "REPLY"});
              },
              [&](const std::string& variable) { return slots.at(variable); });
        }
      }
      ct.feeders = feeders_used(plan, binder.used());
    }
  }
  compiled.row_checks.resize(compiled.rows.size());
  compile_stages(plan.load, &compiled);
  compile_windows(plan, &compiled);
  compile_user_windows(plan, &compiled);
  compile_limits(plan, &compiled);
  return compiled;
}

std::unique_ptr<ThreadStats> fresh_thread_stats(const CompiledPlan& compiled) {
  auto stats = std::make_unique<ThreadStats>(compiled.rows.size(), compiled.scenarios.size(),
                                             compiled.stage_names.size());
  stats->windows.resize(compiled.windows.size());
  stats->user_window_peaks.resize(compiled.user_windows.size(), 0);
  for (const CustomMetricDef& def : compiled.plan->metrics) {
    CustomMetricStats& m = stats->custom.emplace_back();
    m.name = def.name;
    m.kind = def.kind == CustomMetricDef::Kind::kTrend ? CustomMetricStats::Kind::kTrend
                                                       : CustomMetricStats::Kind::kCounter;
    m.unit = def.unit;
  }
  // Checks are recorded by index: every interval's rows start with the plan's check names.
  for (std::size_t r = 0; r < stats->rows.size(); ++r) {
    for (const std::string& name : compiled.row_checks[r]) {
      stats->rows[r].checks.push_back(CheckCounts{name, 0, 0});
    }
  }
  return stats;
}

}  // namespace stampede
