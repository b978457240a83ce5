// The `target` section: base URL, default headers, timeouts, response size cap and TLS.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "base/text.h"
#include "plan/duration.h"
#include "plan/limits.h"
#include "plan/plan_sections.h"
#include "plan/read_file.h"

namespace stampede::plan_sections {
namespace {

struct SizeUnit {
  std::string_view name;  // lowercase
  double bytes;
};
constexpr SizeUnit kSizeUnits[] = {
    {"b", 1},        {"kb", 1e3},        {"mb", 1e6},          {"gb", 1e9},
    {"kib", 1024.0}, {"mib", 1048576.0}, {"gib", 1073741824.0}};

// "16MiB", "512 KiB", "1MB", "1.5GiB" or a plain byte count; nullopt when malformed.
std::optional<std::uint64_t> parse_size(const std::string& text) {
  std::size_t split = 0;
  while (split < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[split])) || text[split] == '.')) {
    ++split;
  }
  if (split == 0) return std::nullopt;
  const std::string number = text.substr(0, split);
  std::string unit = ascii_lower(text.substr(split));
  if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  char* end = nullptr;
  const double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) return std::nullopt;
  double factor = unit.empty() ? 1 : 0;
  for (const SizeUnit& known : kSizeUnits) {
    if (known.name == unit) factor = known.bytes;
  }
  const double bytes = std::floor(value * factor);
  if (factor == 0 || !(bytes >= 1) || bytes > 1e18) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

void parse_max_response_bytes(YamlReader& reader, const YamlField& field, Target* target) {
  std::optional<std::uint64_t> bytes;
  if (field.node.IsScalar()) bytes = parse_size(field.node.Scalar());
  if (!bytes) {
    reader.error(field, "must be a byte count > 0 or a size such as 16MiB, 512KiB or 1MB");
    return;
  }
  if (*bytes > limits::kMaxResponseBytes) {
    reader.error(field, "must be at most 1GiB");
    return;
  }
  target->max_response_bytes = *bytes;
}

// The engine loads the bundle when the run starts; it is checked here, so a bad path is a plan
// error with its line. Only where the plan runs: the operator opens no file a spec names.
void parse_ca_file(YamlReader& reader, const YamlField& field, const ParseOptions& options,
                   TlsOptions* tls) {
  std::optional<std::string> path = reader.string(field);
  if (!path) return;
  std::string reason;
  if (options.runner_side && !read_regular_file(*path, kMaxCaFileBytes, &reason)) {
    reader.error(field, "cannot read CA file '" + *path + "': " + reason);
    return;
  }
  tls->ca_file = *path;
}

void parse_tls(YamlReader& reader, const YamlField& field, const ParseOptions& options,
               TlsOptions* tls) {
  if (!reader.check_map(field, {"caFile", "serverName", "insecureSkipVerify"})) return;
  if (std::optional<YamlField> ca = reader.get(field, "caFile")) {
    parse_ca_file(reader, *ca, options, tls);
  }
  if (std::optional<YamlField> name = reader.get(field, "serverName")) {
    if (std::optional<std::string> text = reader.string(*name)) tls->server_name = *text;
  }
  if (std::optional<YamlField> skip = reader.get(field, "insecureSkipVerify")) {
    if (std::optional<bool> value = reader.boolean(*skip)) tls->verify = !*value;
  }
}

void parse_timeouts(YamlReader& reader, const YamlField& field, Target* target) {
  if (std::optional<YamlField> connect = reader.get(field, "connectTimeout")) {
    if (auto value = reader.duration(*connect, Bound::kPositive, limits::kMaxWait)) {
      target->connect_timeout = *value;
    }
  }
  if (std::optional<YamlField> request = reader.get(field, "timeout")) {
    if (auto value = reader.duration(*request, Bound::kPositive, limits::kMaxWait)) {
      target->request_timeout = *value;
    }
  }
}

// Everything of the map form but the URL.
void parse_target_options(YamlReader& reader, const YamlField& field, const ParseOptions& options,
                          Target* target) {
  if (std::optional<YamlField> headers = reader.get(field, "headers")) {
    target->headers = parse_headers(reader, *headers);
  }
  parse_timeouts(reader, field, target);
  if (std::optional<YamlField> max_bytes = reader.get(field, "maxResponseBytes")) {
    parse_max_response_bytes(reader, *max_bytes, target);
  }
  if (std::optional<YamlField> tls = reader.get(field, "tls")) {
    parse_tls(reader, *tls, options, &target->tls);
  }
}

void parse_url_field(YamlReader& reader, const YamlField& field, Target* target) {
  std::optional<std::string> text = reader.string(field);
  if (!text) return;
  std::string error;
  if (std::optional<Url> url = parse_url(*text, &error)) {
    target->url = *url;
  } else {
    reader.error(field, "invalid URL: " + error);
  }
}

void apply_host_override(YamlReader& reader, const std::string& host, Target* target) {
  std::string error;
  if (std::optional<Url> url = parse_url(host, &error)) {
    target->url = *url;
  } else {
    reader.error(YamlField{YAML::Node(), "--host", 0, 0}, "invalid URL: " + error);
  }
}

void warn_insecure_on_http(YamlReader& reader, const std::optional<YamlField>& field,
                           const Target& target) {
  if (!field || !field->node.IsMap() || target.tls.verify || target.url.tls()) return;
  std::optional<YamlField> tls = reader.get(*field, "tls");
  if (std::optional<YamlField> skip = tls ? reader.get(*tls, "insecureSkipVerify") : std::nullopt) {
    reader.warning(*skip, "ignored: the target uses http://");
  }
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

}  // namespace

void parse_target(YamlReader& reader, const std::optional<YamlField>& field,
                  const YamlField& parent, const ParseOptions& options, Target* target) {
  const bool override_host = !options.host_override.empty();
  if (field && field->node.IsScalar()) {
    parse_url_field(reader, *field, target);
  } else if (field && field->node.IsMap()) {
    reader.check_map(*field, {"url", "headers", "connectTimeout", "timeout", "maxResponseBytes",
                              "tls", "auth", "retry"});  // auth and retry: parse_step_context
    if (std::optional<YamlField> url = reader.get(*field, "url")) {
      parse_url_field(reader, *url, target);
    } else if (!override_host) {
      reader.error(YamlReader::absent(*field, "url"), "required");
    }
    parse_target_options(reader, *field, options, target);
  } else if (field) {
    reader.error(*field, "must be a URL or a map with url, headers, timeout, ...");
  } else if (!override_host) {
    reader.error(YamlReader::absent(parent, "target"),
                 "required (or pass -H/--host, or set STAMPEDE_HOST)");
  }
  if (override_host) apply_host_override(reader, options.host_override, target);
  warn_insecure_on_http(reader, field, *target);
}

std::vector<Header> parse_headers(YamlReader& reader, const YamlField& field) {
  std::vector<Header> headers;
  if (!reader.check_map(field)) return headers;
  for (const YamlReader::Entry& entry : YamlReader::entries(field)) {
    if (entry.key.empty() || !std::all_of(entry.key.begin(), entry.key.end(), is_token_char)) {
      reader.error(entry.key_field, "invalid header name '" + entry.key + "'");
      continue;
    }
    std::optional<std::string> value = reader.string(entry.value);
    if (!value) continue;
    if (value->find_first_of("\r\n") != std::string::npos ||
        value->find('\0') != std::string::npos) {
      reader.error(entry.value, "header value must not contain line breaks");
      continue;
    }
    for (const Header& existing : headers) {
      if (ascii_lower(existing.name) == ascii_lower(entry.key)) {
        reader.error(entry.key_field,
                     "duplicate header '" + entry.key + "' (header names are case-insensitive)");
      }
    }
    headers.push_back(Header{entry.key, *value});
  }
  return headers;
}

}  // namespace stampede::plan_sections
