#pragma once
// Reads a yaml-cpp tree for the plan parser: keeps each value's field path and position, reads
// typed values with uniform messages and collects errors instead of throwing, so one pass can
// report every problem in a file.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/units.h"
#include "plan/source_error.h"

namespace stampede {

// One value of the document and where it is.
struct YamlField {
  YamlField() = default;
  YamlField(const YAML::Node& n, std::string p, int l = 0, int c = 0)
      : node(n), path(std::move(p)), line(l), column(c) {}
  YamlField(const YamlField&) = default;
  // YAML::Node's operator= writes the right-hand value into the shared document tree; a field
  // only ever rebinds to another node.
  YamlField& operator=(const YamlField& other) {
    node.reset(other.node);
    path = other.path;
    line = other.line;
    column = other.column;
    return *this;
  }

  YAML::Node node;   // a Null node for an empty value ("key:" with nothing after it)
  std::string path;  // e.g. "scenarios[0].tasks[1].steps[0].method"; "" for the root
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
};

// Parses text that must hold one YAML document. Syntax errors and extra documents are added to
// *errors with their position (the message starts "invalid YAML: " for syntax errors); nullopt
// when the text is not usable. An empty document gives a Null node.
std::optional<YAML::Node> load_single_document(std::string_view text, SourceErrors* errors);

// Lower bounds of numbers and durations; they also choose the message ("> 0" or ">= 0").
enum class Bound { kNonNegative, kPositive };

class YamlReader {
 public:
  YamlReader(SourceErrors* errors, SourceErrors* warnings) : errors_(errors), warnings_(warnings) {}
  // A reader for another file (a profile) that reports into the same lists; its errors carry
  // `file` (SourceError::file).
  YamlReader for_file(std::string file) const;

  static YamlField root(const YAML::Node& node);

  void error(const YamlField& field, std::string message);
  void warning(const YamlField& field, std::string message);
  std::size_t error_count() const { return errors_->size(); }

  // Maps. check_map reports "must be a map", unknown keys (listing `allowed`), duplicate and
  // non-string keys; it returns false only when `field` is not a map. Without `allowed`, any
  // key is accepted (headers, thresholds).
  bool check_map(const YamlField& field, std::initializer_list<std::string_view> allowed);
  bool check_map(const YamlField& field);
  bool is_map(const YamlField& field);  // reports "must be a map" unless it is
  // The value of `key`, positioned at the value (or at the key when the value is empty).
  std::optional<YamlField> get(const YamlField& map, std::string_view key) const;
  bool has(const YamlField& map, std::string_view key) const { return get(map, key).has_value(); }
  // A stand-in for an absent key: its path, positioned at the map, for "required" errors.
  static YamlField absent(const YamlField& map, std::string_view key);
  // All entries in document order (string keys only; check_map reports the others).
  struct Entry {
    std::string key;
    YamlField key_field;  // the value's path, positioned at the key
    YamlField value;
  };
  static std::vector<Entry> entries(const YamlField& map);

  // Lists: "must be a list" / "must not be empty".
  std::optional<std::vector<YamlField>> list(const YamlField& field, bool allow_empty = false);

  // Scalars. Each returns nullopt after reporting an error. Every number and duration has an
  // upper bound too (plan/limits.h): "must be at most 1000000", "must be at most 1h".
  std::optional<std::string> string(const YamlField& field);
  std::optional<bool> boolean(const YamlField& field);
  std::optional<double> number(const YamlField& field, Bound bound, double max);
  std::optional<std::int64_t> integer(const YamlField& field, Bound bound, std::int64_t max);
  std::optional<Duration> duration(const YamlField& field, Bound bound, Duration max);

  static std::string child_path(const std::string& path, std::string_view key);
  static std::string index_path(const std::string& path, std::size_t index);

 private:
  bool check_keys(const YamlField& field, const std::initializer_list<std::string_view>* allowed);
  static YamlField at(const YAML::Node& node, std::string path, const YAML::Mark& fallback);

  SourceErrors* errors_;
  SourceErrors* warnings_;
  std::string file_;  // empty: the plan file
};

}  // namespace stampede
