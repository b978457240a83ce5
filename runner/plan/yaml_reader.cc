#include "plan/yaml_reader.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "base/text.h"
#include "plan/duration.h"

namespace stampede {
namespace {

std::string bound_text(Bound bound) {
  return bound == Bound::kPositive ? "> 0" : ">= 0";
}

// Whole-string number parse; yaml-cpp's own conversions accept trailing junk.
template <class T>
std::optional<T> parse_whole(const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// Limits are whole numbers; larger ones are still printed exactly.
std::string format_number(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  std::ostringstream out;
  out << value;
  return out.str();
}

// Records where each document starts; the content is read later by YAML::Load.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::vector<YAML::Mark> starts;
};

SourceError at_mark(const YAML::Mark& mark, std::string message) {
  return SourceError{"", mark.line + 1, mark.column + 1, std::move(message)};
}

// yaml-cpp 0.7 can report the same document forever on input such as ",a" (its LoadAll then
// never returns: jbeder/yaml-cpp#1040), so documents are counted here with a guard against a
// parser that stops advancing. Returns false after adding an error.
bool check_documents(const std::string& text, SourceErrors* errors) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentCounter counter;
  while (parser.HandleNextDocument(counter)) {
    const std::size_t n = counter.starts.size();
    if (n >= 2 && counter.starts[n - 1].pos == counter.starts[n - 2].pos) {
      const YAML::Mark& mark = counter.starts[n - 1];
      const std::size_t pos = static_cast<std::size_t>(std::max(mark.pos, 0));
      const std::string token = pos < text.size() ? text.substr(pos, 1) : "end of file";
      errors->push_back(at_mark(mark, "invalid YAML: unexpected '" + token + "'"));
      return false;
    }
    if (n >= 2) {
      errors->push_back(at_mark(counter.starts[1], "only one YAML document is supported"));
      return false;
    }
  }
  return true;
}

// Line `index` (0-based) of `text`; empty past the end.
std::string_view line_at(std::string_view text, int index) {
  for (int i = 0; i < index; ++i) {
    const std::size_t newline = text.find('\n');
    if (newline == std::string_view::npos) return {};
    text.remove_prefix(newline + 1);
  }
  return text.substr(0, text.find('\n'));
}

// The 0-based column of a tab in the line's indentation, or npos.
std::size_t tab_in_indentation(std::string_view line) {
  return line.substr(0, line.find_first_not_of(" \t")).find('\t');
}

// yaml-cpp's messages for two frequent mistakes do not say what is wrong: a tab in the
// indentation ("illegal map value", on that line or the next) and an unquoted {{ }}, which is
// flow-map syntax ("end of map flow not found").
SourceError explain_syntax_error(const std::string& text, const YAML::ParserException& e) {
  for (int line = e.mark.line; line >= 0 && line >= e.mark.line - 1; --line) {
    const std::size_t tab = tab_in_indentation(line_at(text, line));
    if (tab != std::string_view::npos) {
      return SourceError{"", line + 1, static_cast<int>(tab) + 1,
                         "invalid YAML: tabs are not allowed in YAML indentation (use spaces)"};
    }
  }
  SourceError error = at_mark(e.mark, "invalid YAML: " + e.msg);
  if (line_at(text, e.mark.line).find("{{") != std::string_view::npos) {
    error.message += " (a value holding {{ }} must be quoted, e.g. \"/users/{{ id }}\")";
  }
  return error;
}

}  // namespace

std::optional<YAML::Node> load_single_document(std::string_view text, SourceErrors* errors) {
  const std::string copy(text);
  try {
    if (!check_documents(copy, errors)) return std::nullopt;
    return YAML::Load(copy);
  } catch (const YAML::ParserException& e) {
    errors->push_back(explain_syntax_error(copy, e));
    return std::nullopt;
  }
}

YamlField YamlReader::at(const YAML::Node& node, std::string path, const YAML::Mark& fallback) {
  // An empty value's mark points past the key (often the next line), so use the key's.
  YAML::Mark mark = node.IsNull() || node.Mark().is_null() ? fallback : node.Mark();
  if (mark.is_null()) return YamlField{node, std::move(path), 0, 0};
  return YamlField{node, std::move(path), mark.line + 1, mark.column + 1};
}

YamlField YamlReader::root(const YAML::Node& node) {
  return at(node, "", YAML::Mark());
}

std::string YamlReader::child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string YamlReader::index_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

YamlReader YamlReader::for_file(std::string file) const {
  YamlReader reader(errors_, warnings_);
  reader.file_ = std::move(file);
  return reader;
}

void YamlReader::error(const YamlField& field, std::string message) {
  errors_->push_back(SourceError{field.path, field.line, field.column, std::move(message), file_});
}

void YamlReader::warning(const YamlField& field, std::string message) {
  warnings_->push_back(
      SourceError{field.path, field.line, field.column, std::move(message), file_});
}

bool YamlReader::is_map(const YamlField& field) {
  if (field.node.IsMap()) return true;
  error(field, "must be a map");
  return false;
}

bool YamlReader::check_map(const YamlField& field,
                           std::initializer_list<std::string_view> allowed) {
  return check_keys(field, &allowed);
}

bool YamlReader::check_map(const YamlField& field) {
  return check_keys(field, nullptr);
}

bool YamlReader::check_keys(const YamlField& field,
                            const std::initializer_list<std::string_view>* allowed) {
  if (!is_map(field)) return false;
  std::vector<std::string> seen;
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    // Key problems are reported at the key, under the map's path.
    YamlField where = at(it->first, field.path, it->first.Mark());
    if (!it->first.IsScalar()) {
      error(where, "keys must be strings");
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      error(where, "duplicate field '" + key + "'");
    } else if (allowed && std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
      error(where, "unknown field '" + key + "' (expected one of: " + join(*allowed) + ")");
    }
    seen.push_back(key);
  }
  return true;
}

std::optional<YamlField> YamlReader::get(const YamlField& map, std::string_view key) const {
  if (!map.node.IsMap()) return std::nullopt;
  for (auto it = map.node.begin(); it != map.node.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      return at(it->second, child_path(map.path, key), it->first.Mark());
    }
  }
  return std::nullopt;
}

YamlField YamlReader::absent(const YamlField& map, std::string_view key) {
  return YamlField{YAML::Node(), child_path(map.path, key), map.line, map.column};
}

std::vector<YamlReader::Entry> YamlReader::entries(const YamlField& map) {
  std::vector<Entry> out;
  if (!map.node.IsMap()) return out;
  for (auto it = map.node.begin(); it != map.node.end(); ++it) {
    if (!it->first.IsScalar()) continue;  // reported by check_map
    const std::string& key = it->first.Scalar();
    std::string path = child_path(map.path, key);
    out.push_back(
        Entry{key, at(it->first, path, it->first.Mark()), at(it->second, path, it->first.Mark())});
  }
  return out;
}

std::optional<std::vector<YamlField>> YamlReader::list(const YamlField& field, bool allow_empty) {
  if (!field.node.IsSequence()) {
    error(field, allow_empty ? "must be a list" : "must be a non-empty list");
    return std::nullopt;
  }
  if (field.node.size() == 0 && !allow_empty) {
    error(field, "must not be empty");
    return std::nullopt;
  }
  std::vector<YamlField> items;
  for (std::size_t i = 0; i < field.node.size(); ++i) {
    YAML::Mark fallback = field.node.Mark();
    items.push_back(at(field.node[i], index_path(field.path, i), fallback));
  }
  return items;
}

std::optional<std::string> YamlReader::string(const YamlField& field) {
  if (field.node.IsScalar()) return field.node.Scalar();
  // An unquoted `{{ x }}` reads as a map whose only key is the map {x: null}.
  const bool template_like =
      field.node.IsMap() && field.node.size() == 1 && field.node.begin()->first.IsMap();
  error(field, template_like ? "must be a string (a value holding {{ }} must be quoted)"
                             : "must be a string");
  return std::nullopt;
}

std::optional<bool> YamlReader::boolean(const YamlField& field) {
  if (field.node.IsScalar()) {
    const std::string& text = field.node.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
  }
  error(field, "must be true or false");
  return std::nullopt;
}

std::optional<double> YamlReader::number(const YamlField& field, Bound bound, double max) {
  std::optional<double> value;
  if (field.node.IsScalar()) value = parse_whole<double>(field.node.Scalar());
  if (!value || !std::isfinite(*value) || (bound == Bound::kPositive ? *value <= 0 : *value < 0)) {
    error(field, "must be a number " + bound_text(bound));
    return std::nullopt;
  }
  if (*value > max) {
    error(field, "must be at most " + format_number(max));
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> YamlReader::integer(const YamlField& field, Bound bound,
                                                std::int64_t max) {
  std::optional<std::int64_t> value;
  if (field.node.IsScalar()) value = parse_whole<std::int64_t>(field.node.Scalar());
  if (!value || (bound == Bound::kPositive ? *value <= 0 : *value < 0)) {
    error(field, "must be an integer " + bound_text(bound));
    return std::nullopt;
  }
  if (*value > max) {
    error(field, "must be at most " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<Duration> YamlReader::duration(const YamlField& field, Bound bound, Duration max) {
  const std::string text = field.node.IsScalar() ? field.node.Scalar() : "";
  if (!text.empty() && text.front() == '-') {
    error(field, "must be a duration " + bound_text(bound));
    return std::nullopt;
  }
  std::string why;
  std::optional<Duration> value = parse_duration(text, &why);
  if (!value) {
    // A well-formed duration past what a Duration holds (~292 years) is out of range too.
    error(field, why.ends_with("is too large") ? "must be at most " + format_duration(max)
                                               : "must be a duration such as 30s or 5m");
    return std::nullopt;
  }
  if (bound == Bound::kPositive && value->count() == 0) {
    error(field, "must be a duration > 0");
    return std::nullopt;
  }
  if (*value > max) {
    error(field, "must be at most " + format_duration(max));
    return std::nullopt;
  }
  return value;
}

}  // namespace stampede
