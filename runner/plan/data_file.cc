#include "plan/data_file.h"

#include <map>
#include <nlohmann/json.hpp>

#include "plan/read_file.h"

namespace stampede {
namespace {

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One record starting at *pos; advances past its line end. Counts lines in *line.
bool read_record(const std::string& text, std::size_t* pos, std::size_t* line,
                 std::vector<std::string>* fields, std::string* error) {
  fields->assign(1, std::string());
  bool quoted = false;
  const std::size_t start_line = *line;
  while (*pos < text.size()) {
    const char c = text[(*pos)++];
    if (quoted) {
      if (c == '"' && *pos < text.size() && text[*pos] == '"') {
        fields->back().push_back('"');
        ++*pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++*line;
        fields->back().push_back(c);
      }
    } else if (c == '"' && fields->back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields->emplace_back();
    } else if (c == '\n') {
      ++*line;
      break;
    } else if (c != '\r') {
      fields->back().push_back(c);
    }
  }
  if (quoted) {
    *error = "line " + std::to_string(start_line) + ": unterminated quoted field";
    return false;
  }
  return true;
}

}  // namespace

bool parse_csv(const std::string& text, DataSource* source, std::string* error) {
  std::size_t pos = 0;
  std::size_t line = 1;
  std::vector<std::string> fields;
  if (!read_record(text, &pos, &line, &fields, error)) return false;
  if (fields.size() == 1 && fields[0].empty()) {
    *error = "empty file: the first line must name the columns";
    return false;
  }
  source->columns = fields;
  while (pos < text.size()) {
    const std::size_t record_line = line;
    if (!read_record(text, &pos, &line, &fields, error)) return false;
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (fields.size() != source->columns.size()) {
      *error = "line " + std::to_string(record_line) + ": " + std::to_string(fields.size()) +
               " fields, the header has " + std::to_string(source->columns.size());
      return false;
    }
    source->rows.push_back(fields);
  }
  if (source->rows.empty()) {
    *error = "no rows after the header line";
    return false;
  }
  return true;
}

bool parse_json_rows(const std::string& text, DataSource* source, std::string* error) {
  const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array() || doc.empty()) {
    *error = "must be a JSON array of objects, with at least one";
    return false;
  }
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (!doc[i].is_object()) {
      *error = "element " + std::to_string(i) + " is not an object";
      return false;
    }
    for (auto it = doc[i].begin(); it != doc[i].end(); ++it) {
      if (index.emplace(it.key(), source->columns.size()).second) {
        source->columns.push_back(it.key());
      }
    }
  }
  for (const auto& object : doc) {
    std::vector<std::string> row(source->columns.size());
    for (auto it = object.begin(); it != object.end(); ++it) {
      row[index[it.key()]] = it->is_string() ? it->get<std::string>() : it->dump();
    }
    source->rows.push_back(std::move(row));
  }
  return true;
}

bool load_data_file(const std::string& path, DataSource* source, std::string* error) {
  if (!ends_with(path, ".json") && !ends_with(path, ".csv")) {
    *error = "must end in .csv or .json (got " + path + ")";
    return false;
  }
  std::string reason;
  std::optional<std::string> text = read_regular_file(path, kMaxDataFileBytes, &reason);
  if (!text) {
    *error = "cannot read data file '" + path + "': " + reason;
    return false;
  }
  if (ends_with(path, ".json")) return parse_json_rows(*text, source, error);
  return parse_csv(*text, source, error);
}

}  // namespace stampede
