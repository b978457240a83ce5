#include "engine/response_rules.h"

#include <strings.h>

#include <algorithm>
#include <map>
#include <memory>

namespace stampede {

const std::regex& compiled_regex(const std::string& pattern) {
  // Patterns come from the plan: a handful, compiled once per worker thread and kept. A cache
  // per thread keeps a lock shared by every worker off the request path.
  thread_local std::map<std::string, std::unique_ptr<const std::regex>> cache;
  auto& slot = cache[pattern];
  if (!slot) slot = std::make_unique<const std::regex>(pattern, std::regex::ECMAScript);
  return *slot;
}

const nlohmann::json* ResponseReader::json() {
  if (!parsed_) {
    parsed_ = true;
    const std::string_view text = response_.json_text.value_or(response_.body);
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded()) json_ = std::move(doc);
  }
  return json_ ? &*json_ : nullptr;
}

std::optional<std::string> ResponseReader::read(const ResponseSource& source) {
  switch (source.kind) {
    case ResponseSource::Kind::kJson: {
      const nlohmann::json* doc = json();
      if (doc == nullptr) return std::nullopt;
      const nlohmann::json::json_pointer pointer(source.path);  // validated at load time
      if (!doc->contains(pointer)) return std::nullopt;
      const nlohmann::json& value = doc->at(pointer);
      if (value.is_null()) return std::nullopt;
      return value.is_string() ? value.get<std::string>() : value.dump();
    }
    case ResponseSource::Kind::kHeader:
      if (response_.headers == nullptr) return std::nullopt;
      for (const auto& [name, value] : *response_.headers) {
        if (name.size() == source.path.size() &&
            ::strncasecmp(name.data(), source.path.data(), name.size()) == 0) {
          return value;
        }
      }
      return std::nullopt;
    case ResponseSource::Kind::kRegex: {
      std::match_results<std::string_view::const_iterator> match;
      if (!std::regex_search(response_.body.begin(), response_.body.end(), match,
                             compiled_regex(source.path))) {
        return std::nullopt;
      }
      return match.size() > 1 ? match[1].str() : match[0].str();
    }
    case ResponseSource::Kind::kBody:
      return std::string(response_.body);
    case ResponseSource::Kind::kStatus:
      return std::to_string(response_.status);
    case ResponseSource::Kind::kDuration:
      return std::to_string(std::chrono::duration<double, std::milli>(response_.duration).count());
  }
  return std::nullopt;
}

bool check_passes(const Check& check, const std::string& expected, ResponseReader& reader) {
  const ResponseView& r = reader.response();
  switch (check.subject.kind) {
    case ResponseSource::Kind::kStatus:
      return check.statuses.contains(r.status);
    case ResponseSource::Kind::kDuration:
      return check.op == Check::Op::kLess ? r.duration < check.limit : r.duration <= check.limit;
    default:
      break;
  }
  const std::optional<std::string> value = reader.read(check.subject);
  if (!value) return false;
  switch (check.op) {
    case Check::Op::kExists:
      return true;
    case Check::Op::kEquals:
      return *value == expected;
    case Check::Op::kContains:
      return value->find(expected) != std::string::npos;
    case Check::Op::kMatches:
      return std::regex_search(*value, compiled_regex(expected));
    case Check::Op::kOneOf:
      return std::find(check.one_of.begin(), check.one_of.end(), *value) != check.one_of.end();
    default:
      return false;
  }
}

}  // namespace stampede
