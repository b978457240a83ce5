#pragma once
// Feeder data from files: CSV with a header row (RFC 4180 quoting) or a JSON array of objects.

#include <optional>
#include <string>

#include "plan/plan.h"

namespace stampede {

// Fills source->columns and source->rows from `path` (.csv or .json). nullopt-like false with
// *error ("line 7: unterminated quoted field") when the file cannot be used.
bool load_data_file(const std::string& path, DataSource* source, std::string* error);

// CSV text: the first record names the columns; every record must have as many fields.
bool parse_csv(const std::string& text, DataSource* source, std::string* error);
// JSON text: an array of objects; columns are the keys in order of first appearance, values
// strings as they are and anything else as JSON text; a missing key is "".
bool parse_json_rows(const std::string& text, DataSource* source, std::string* error);

}  // namespace stampede
