// `stream:` on an HTTP step: `stream: sse`, `stream: ndjson`, or
//   stream: {format: sse, end: "[DONE]", tokens: {count: /choices/0/delta/content},
//            maxEventBytes: 1048576}

#include <nlohmann/json.hpp>

#include "plan/limits.h"
#include "plan/plan_sections.h"

namespace stampede::plan_sections {
namespace {

std::optional<StreamFormat> parse_format(YamlReader& reader, const YamlField& field) {
  const std::optional<std::string> text = reader.string(field);
  if (!text) return std::nullopt;
  if (*text == "sse") return StreamFormat::kSse;
  if (*text == "ndjson") return StreamFormat::kNdjson;
  reader.error(field, "must be sse (Server-Sent Events) or ndjson (one JSON value per line)");
  return std::nullopt;
}

// `tokens: events`, or a map with one of count, sum or last (a JSON pointer).
void parse_tokens(YamlReader& reader, const YamlField& field, StreamSpec* spec) {
  if (field.node.IsScalar()) {
    if (field.node.Scalar() == "events") return;  // the default
    reader.error(field,
                 "must be `events` or a map with one of count, sum or last (a JSON pointer)");
    return;
  }
  if (!reader.check_map(field, {"count", "sum", "last"})) return;
  std::vector<std::pair<StreamSpec::Tokens, YamlField>> given;
  for (const auto& [key, kind] :
       {std::pair{"count", StreamSpec::Tokens::kCount}, std::pair{"sum", StreamSpec::Tokens::kSum},
        std::pair{"last", StreamSpec::Tokens::kLast}}) {
    if (std::optional<YamlField> value = reader.get(field, key)) given.emplace_back(kind, *value);
  }
  if (given.size() != 1) {
    reader.error(field, "needs exactly one of count, sum or last (a JSON pointer)");
    return;
  }
  const std::optional<std::string> pointer = reader.string(given[0].second);
  if (!pointer) return;
  try {
    nlohmann::json::json_pointer parsed(*pointer);
    (void)parsed;
  } catch (const nlohmann::json::exception&) {
    reader.error(given[0].second, "must be a JSON pointer such as /choices/0/delta/content (got '" +
                                      *pointer + "')");
    return;
  }
  spec->tokens = given[0].first;
  spec->token_pointer = *pointer;
}

}  // namespace

void parse_stream(YamlReader& reader, const YamlField& field, HttpStep* step) {
  StreamSpec spec;
  if (field.node.IsScalar()) {
    const std::optional<StreamFormat> format = parse_format(reader, field);
    if (!format) return;
    spec.format = *format;
    step->stream = spec;
    return;
  }
  if (!reader.check_map(field, {"format", "end", "tokens", "maxEventBytes"})) return;
  if (std::optional<YamlField> format = reader.get(field, "format")) {
    const std::optional<StreamFormat> parsed = parse_format(reader, *format);
    if (!parsed) return;
    spec.format = *parsed;
  }
  if (std::optional<YamlField> end = reader.get(field, "end")) {
    spec.end = reader.string(*end);
    if (!spec.end) return;
  }
  if (std::optional<YamlField> tokens = reader.get(field, "tokens")) {
    parse_tokens(reader, *tokens, &spec);
  }
  if (std::optional<YamlField> max = reader.get(field, "maxEventBytes")) {
    const auto bytes = reader.integer(*max, Bound::kPositive,
                                      static_cast<std::int64_t>(limits::kMaxResponseBytes));
    if (!bytes) return;
    spec.max_event_bytes = static_cast<std::uint64_t>(*bytes);
  }
  step->stream = spec;
}

}  // namespace stampede::plan_sections
