#pragma once
// What a step does with a response once it is complete: read values (JSON pointer, header,
// regex), judge checks, and take custom metric values. Only steps with such rules get here,
// so the JSON parse and the regex search cost nothing to plain steps.

#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/units.h"
#include "plan/plan.h"

namespace stampede {

using ResponseHeaders = std::vector<std::pair<std::string, std::string>>;

struct ResponseView {
  int status = 0;
  Duration duration{};
  std::string_view body;  // a stream's events: the data of all of them, joined by LF
  const ResponseHeaders* headers = nullptr;
  // A stream's last event (before the end marker): `json:` reads it instead of the body, so a
  // pointer reaches the usage block or the final state.
  std::optional<std::string_view> json_text;
  // When the request went out (a message: when it arrived): windowed counters count from it.
  TimePoint sent{};
};

// Reads values out of one response; parses the body as JSON at most once.
class ResponseReader {
 public:
  explicit ResponseReader(const ResponseView& response) : response_(response) {}

  // The value, or nullopt when absent: a JSON string as it is, other JSON as its text; a
  // header's value; a regex's first capture group (or whole match); the body.
  std::optional<std::string> read(const ResponseSource& source);
  const ResponseView& response() const { return response_; }

 private:
  const nlohmann::json* json();

  const ResponseView& response_;
  std::optional<nlohmann::json> json_;
  bool parsed_ = false;
};

// A regex compiled once per pattern and thread.
const std::regex& compiled_regex(const std::string& pattern);

// Judges a check; `expected` is the rendered expected value (equals, contains, matches).
bool check_passes(const Check& check, const std::string& expected, ResponseReader& reader);

}  // namespace stampede
