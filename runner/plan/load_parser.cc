// The `load` section: a closed model (users) or an open model (arrival rate), each either
// constant for a duration or following stages.

#include <algorithm>

#include "plan/duration.h"
#include "plan/limits.h"
#include "plan/plan_sections.h"

namespace stampede::plan_sections {
namespace {

using limits::kMaxInFlight;
using limits::kMaxLoadDuration;
using limits::kMaxUsers;
constexpr const char* kNotWithStages = "not allowed with stages (the stages' durations add up)";

// The first field that implies each model, for the "two load models" message.
struct ModelHint {
  std::string name;
  YamlField field;
};
struct ModelHints {
  std::optional<ModelHint> closed;
  std::optional<ModelHint> open;
};

void note_hint(const std::string& key, const YamlField& field, ModelHints* hints) {
  static const std::vector<std::string> kClosed = {"users", "spawnRate"};
  static const std::vector<std::string> kOpen = {"rate", "maxInFlight", "preAllocatedUsers",
                                                 "maxQueued"};
  auto is = [&key](const std::vector<std::string>& keys) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  if (is(kClosed) && !hints->closed) hints->closed = ModelHint{key, field};
  if (is(kOpen) && !hints->open) hints->open = ModelHint{key, field};
}

ModelHints find_hints(const YamlField& load) {
  ModelHints hints;
  for (const YamlReader::Entry& entry : YamlReader::entries(load)) {
    if (entry.key == "stages" && entry.value.node.IsSequence()) {
      for (std::size_t i = 0; i < entry.value.node.size(); ++i) {
        YamlField stage{entry.value.node[i], YamlReader::index_path(entry.value.path, i)};
        for (const YamlReader::Entry& part : YamlReader::entries(stage)) {
          if (part.key == "users" || part.key == "rate")
            note_hint(part.key, part.key_field, &hints);
        }
      }
    } else {
      note_hint(entry.key, entry.key_field, &hints);
    }
  }
  return hints;
}

bool before(const YamlField& a, const YamlField& b) {
  return std::pair(a.line, a.column) < std::pair(b.line, b.column);
}

std::optional<double> stage_target(YamlReader& reader, const YamlField& field,
                                   const std::string& key) {
  if (key == "users") {
    if (auto users = reader.integer(field, Bound::kNonNegative, kMaxUsers)) return *users;
    return std::nullopt;
  }
  return reader.number(field, Bound::kNonNegative, limits::kMaxRate);
}

// One stage of either model; `key` is "users" or "rate". Earlier stages check name uniqueness.
void parse_stage(YamlReader& reader, const YamlField& item, const std::string& key,
                 std::vector<Stage>* stages) {
  const bool is_map = key == "users" ? reader.check_map(item, {"duration", "users", "name"})
                                     : reader.check_map(item, {"duration", "rate", "name"});
  if (!is_map) return;
  Stage stage;
  if (std::optional<YamlField> duration = reader.get(item, "duration")) {
    if (auto value = reader.duration(*duration, Bound::kPositive, kMaxLoadDuration)) {
      stage.duration = *value;
    }
  } else {
    reader.error(YamlReader::absent(item, "duration"), "required");
  }
  if (std::optional<YamlField> target = reader.get(item, key)) {
    if (auto value = stage_target(reader, *target, key)) stage.target = *value;
  } else {
    reader.error(YamlReader::absent(item, key), "required");
  }
  if (std::optional<YamlField> name = reader.get(item, "name")) {
    if (std::optional<std::string> text = reader.string(*name)) stage.name = *text;
    for (const Stage& other : *stages) {
      if (!stage.name.empty() && other.name == stage.name) {
        reader.error(*name, "duplicate stage name '" + stage.name + "'");
      }
    }
  }
  stages->push_back(stage);
}

double peak(const std::vector<Stage>& stages) {
  double top = 0;
  for (const Stage& stage : stages) top = std::max(top, stage.target);
  return top;
}

Duration total(const std::vector<Stage>& stages) {
  Duration sum{};
  for (const Stage& stage : stages) sum += stage.duration;
  return sum;
}

// Reads the stages of either model. Returns false on any error.
bool parse_stages(YamlReader& reader, const YamlField& field, const std::string& key,
                  std::vector<Stage>* stages) {
  std::optional<std::vector<YamlField>> items = reader.list(field);
  if (!items) return false;
  const std::size_t errors_before = reader.error_count();
  for (const YamlField& item : *items) parse_stage(reader, item, key, stages);
  if (reader.error_count() != errors_before) return false;
  // Each stage is within the limit, so the sum cannot overflow before it passes the limit.
  const Duration sum = total(*stages);
  if (sum > kMaxLoadDuration) {
    reader.error(field, "the stages add up to " + format_duration(sum) +
                            ", more than the limit of " + format_duration(kMaxLoadDuration));
    return false;
  }
  if (std::none_of(stages->begin(), stages->end(), [](const Stage& s) { return s.target > 0; })) {
    reader.error(field, "at least one stage needs " + key + " > 0");
    return false;
  }
  return true;
}

// `users`/`rate` and `duration` would contradict the stages, which give both.
void reject_with_stages(YamlReader& reader, const YamlField& load, std::string_view target_key) {
  for (std::string_view key : {target_key, std::string_view("duration")}) {
    if (std::optional<YamlField> field = reader.get(load, key)) {
      reader.error(*field, kNotWithStages);
    }
  }
}

std::optional<YamlField> required(YamlReader& reader, const YamlField& map, std::string_view key) {
  std::optional<YamlField> field = reader.get(map, key);
  if (!field) reader.error(YamlReader::absent(map, key), "required");
  return field;
}

std::optional<Duration> required_duration(YamlReader& reader, const YamlField& load) {
  if (std::optional<YamlField> field = required(reader, load, "duration")) {
    return reader.duration(*field, Bound::kPositive, kMaxLoadDuration);
  }
  return std::nullopt;
}

// `adaptive:` of a closed model: its signals and the AIMD steps on the user count.
std::optional<AdaptiveUsers> parse_adaptive_users(YamlReader& reader, const YamlField& field) {
  if (!reader.check_map(field, {"statuses", "latency", "decrease", "increase", "min"})) {
    return std::nullopt;
  }
  AdaptiveUsers adaptive;
  const std::size_t errors_before = reader.error_count();
  parse_overload_signals(reader, field, "users",
                         {&adaptive.on, &adaptive.latency, &adaptive.decrease});
  if (std::optional<YamlField> increase = reader.get(field, "increase")) {
    adaptive.increase = reader.number(*increase, Bound::kPositive, static_cast<double>(kMaxUsers))
                            .value_or(adaptive.increase);
  }
  if (std::optional<YamlField> min = reader.get(field, "min")) {
    if (auto value = reader.integer(*min, Bound::kPositive, kMaxUsers)) {
      adaptive.min_users = static_cast<std::uint32_t>(*value);
    }
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return adaptive;
}

// With stages the model's headline numbers describe the peak, and its duration their sum.
void parse_closed(YamlReader& reader, const YamlField& load, ClosedModel* model) {
  if (std::optional<YamlField> adaptive = reader.get(load, "adaptive")) {
    model->adaptive = parse_adaptive_users(reader, *adaptive);
  }
  if (std::optional<YamlField> stages = reader.get(load, "stages")) {
    reject_with_stages(reader, load, "users");
    if (std::optional<YamlField> spawn = reader.get(load, "spawnRate")) {
      reader.error(*spawn, "not allowed with stages (the stages set the ramp)");
    }
    if (parse_stages(reader, *stages, "users", &model->stages)) {
      model->users = static_cast<std::uint32_t>(peak(model->stages));
      model->duration = total(model->stages);
    }
    return;
  }
  if (std::optional<YamlField> users = required(reader, load, "users")) {
    if (auto value = reader.integer(*users, Bound::kPositive, kMaxUsers)) {
      model->users = static_cast<std::uint32_t>(*value);
    }
  }
  if (std::optional<YamlField> spawn = reader.get(load, "spawnRate")) {
    if (auto value = reader.number(*spawn, Bound::kNonNegative, limits::kMaxSpawnRate)) {
      model->spawn_rate = *value;
    }
  }
  if (auto duration = required_duration(reader, load)) model->duration = *duration;
}

void parse_open_sizes(YamlReader& reader, const YamlField& load, OpenModel* model) {
  const double top = model->stages.empty() ? model->rate : peak(model->stages);
  model->max_in_flight = default_max_in_flight(top);
  std::optional<YamlField> max_field = reader.get(load, "maxInFlight");
  if (max_field) {
    if (auto value = reader.integer(*max_field, Bound::kPositive, kMaxInFlight)) {
      model->max_in_flight = static_cast<std::uint32_t>(*value);
    }
  }
  model->pre_allocated_users = default_pre_allocated(top, model->max_in_flight);
  if (std::optional<YamlField> pre = reader.get(load, "preAllocatedUsers")) {
    std::optional<std::int64_t> value = reader.integer(*pre, Bound::kNonNegative, kMaxInFlight);
    if (value && *value > model->max_in_flight) {
      reader.error(*pre, "must be <= maxInFlight (" + std::to_string(model->max_in_flight) +
                             (max_field ? ")" : ", the default)"));
    } else if (value) {
      model->pre_allocated_users = static_cast<std::uint32_t>(*value);
    }
  }
  model->max_queued = default_max_queued(top, model->max_in_flight);
  if (std::optional<YamlField> queued = reader.get(load, "maxQueued")) {
    if (auto value = reader.integer(*queued, Bound::kNonNegative, kMaxInFlight)) {
      model->max_queued = static_cast<std::uint32_t>(*value);
    }
  }
}

void parse_open(YamlReader& reader, const YamlField& load, OpenModel* model) {
  if (std::optional<YamlField> stages = reader.get(load, "stages")) {
    reject_with_stages(reader, load, "rate");
    if (parse_stages(reader, *stages, "rate", &model->stages)) {
      model->rate = peak(model->stages);
      model->duration = total(model->stages);
    }
  } else {
    if (std::optional<YamlField> rate = required(reader, load, "rate")) {
      if (auto value = reader.number(*rate, Bound::kPositive, limits::kMaxRate)) {
        model->rate = *value;
      }
    }
    if (auto duration = required_duration(reader, load)) model->duration = *duration;
  }
  parse_open_sizes(reader, load, model);
}

// k6's stages are {duration, target}; says which key Stampede takes instead. True when a stage
// has `target`.
bool report_k6_target(YamlReader& reader, const YamlField& stages) {
  bool found = false;
  for (std::size_t i = 0; i < stages.node.size(); ++i) {
    const YamlField stage{stages.node[i], YamlReader::index_path(stages.path, i)};
    for (const YamlReader::Entry& entry : YamlReader::entries(stage)) {
      if (entry.key != "target") continue;
      reader.error(entry.key_field,
                   "Stampede's key is `users` (closed model) or `rate` (open model), not k6's "
                   "`target`");
      found = true;
    }
  }
  return found;
}

// Reports a doubled or missing model; true when exactly one is given. A misspelt key (already
// reported) is the likely reason for a missing model, so that case adds nothing.
bool one_model(YamlReader& reader, const YamlField& field, const ModelHints& hints,
               bool unknown_keys) {
  if (hints.closed && hints.open) {
    const ModelHint& later =
        before(hints.closed->field, hints.open->field) ? *hints.open : *hints.closed;
    reader.error(later.field, "two load models: `" + hints.closed->name + "` (closed) and `" +
                                  hints.open->name + "` (open); choose one");
    return false;
  }
  if (hints.closed || hints.open) return true;
  std::optional<YamlField> stages = reader.get(field, "stages");
  if (stages && stages->node.IsSequence() && stages->node.size() > 0) {
    if (report_k6_target(reader, *stages)) return false;
    reader.error(*stages, "each stage needs `users` (closed model) or `rate` (open model)");
  } else if (!unknown_keys) {
    reader.error(field, "one of users, rate or stages is required");
  }
  return false;
}

}  // namespace

bool parse_load(YamlReader& reader, const YamlField& field, LoadModel* load) {
  const std::size_t errors_before = reader.error_count();
  if (!reader.check_map(field, {"users", "spawnRate", "duration", "stages", "rate", "maxInFlight",
                                "preAllocatedUsers", "maxQueued", "gracefulStop", "adaptive"})) {
    return false;
  }
  const bool unknown_keys = reader.error_count() != errors_before;
  if (std::optional<YamlField> graceful = reader.get(field, "gracefulStop")) {
    if (auto value = reader.duration(*graceful, Bound::kNonNegative, limits::kMaxWait)) {
      load->graceful_stop = *value;
    }
  }
  const ModelHints hints = find_hints(field);
  if (!one_model(reader, field, hints, unknown_keys)) return false;
  if (hints.open) {
    if (std::optional<YamlField> adaptive = reader.get(field, "adaptive")) {
      reader.error(*adaptive,
                   "adapts a closed model's users; an open model adapts its rate through "
                   "`limits:` with `adaptive` (docs/rate-limits.md)");
    }
    parse_open(reader, field, &load->model.emplace<OpenModel>());
  } else {
    parse_closed(reader, field, &load->model.emplace<ClosedModel>());
  }
  return true;
}

}  // namespace stampede::plan_sections
