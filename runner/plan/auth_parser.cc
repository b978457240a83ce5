// `auth:` (none, bearer, basic, jwt) and `retry:` at target, scenario, task or step level.

#include <cstdlib>

#include "plan/limits.h"
#include "plan/plan_sections.h"
#include "plan/read_file.h"

namespace stampede::plan_sections {
namespace {

// `secret: {env: NAME}` or `secret: {file: PATH}`: read now on the runner side; never echoed.
bool parse_secret(YamlReader& reader, const YamlField& field, const StepContext& context,
                  JwtAuth* jwt) {
  if (!reader.check_map(field, {"env", "file"})) return false;
  std::optional<YamlField> env = reader.get(field, "env");
  std::optional<YamlField> file = reader.get(field, "file");
  if (env.has_value() == file.has_value()) {
    reader.error(field, "needs exactly one of env or file (a secret never sits in the plan)");
    return false;
  }
  std::optional<std::string> name = reader.string(env ? *env : *file);
  if (!name) return false;
  jwt->secret_source = (env ? "env " : "file ") + *name;
  if (!context.options.runner_side) return true;
  if (env) {
    const char* value = std::getenv(name->c_str());
    if (value == nullptr || *value == '\0') {
      reader.error(*env, "environment variable " + *name + " is not set");
      return false;
    }
    jwt->secret = value;
    return true;
  }
  std::string reason;
  std::optional<std::string> text = read_regular_file(*name, kMaxSecretFileBytes, &reason);
  if (!text) {
    reader.error(*file, "cannot read secret file '" + *name + "': " + reason);
    return false;
  }
  jwt->secret = std::move(*text);
  // A mounted Secret file often ends with a newline nobody meant as part of the key.
  while (!jwt->secret.empty() && (jwt->secret.back() == '\n' || jwt->secret.back() == '\r')) {
    jwt->secret.pop_back();
  }
  return true;
}

bool parse_jwt(YamlReader& reader, const YamlField& field, const StepContext& context,
               JwtAuth* jwt) {
  if (!reader.check_map(field, {"secret", "algorithm", "claims", "expiresIn"})) return false;
  bool ok = true;
  if (std::optional<YamlField> secret = reader.get(field, "secret")) {
    ok = parse_secret(reader, *secret, context, jwt) && ok;
  } else {
    reader.error(YamlReader::absent(field, "secret"), "required ({env: NAME} or {file: PATH})");
    ok = false;
  }
  if (std::optional<YamlField> algorithm = reader.get(field, "algorithm")) {
    std::optional<std::string> text = reader.string(*algorithm);
    if (text && *text != "HS256") {
      reader.error(*algorithm, "must be HS256 (the only algorithm supported)");
      ok = false;
    }
  }
  if (std::optional<YamlField> claims = reader.get(field, "claims")) {
    if (!reader.check_map(*claims)) return false;
    std::optional<Template> json = parse_json_template(reader, *claims, context);
    if (!json) return false;
    jwt->claims_json = std::move(*json);
  } else {
    jwt->claims_json = Template("{}");
  }
  if (std::optional<YamlField> expires = reader.get(field, "expiresIn")) {
    std::optional<Duration> value =
        reader.duration(*expires, Bound::kPositive, limits::kMaxLoadDuration);
    if (!value) return false;
    jwt->expires_in = *value;
  }
  return ok;
}

}  // namespace

std::optional<Auth> parse_auth(YamlReader& reader, const YamlField& field,
                               const StepContext& context) {
  Auth auth;
  if (field.node.IsScalar() && field.node.Scalar() == "none") return auth;
  if (!reader.check_map(field, {"bearer", "basic", "jwt"})) return std::nullopt;
  const auto entries = YamlReader::entries(field);
  if (entries.size() != 1) {
    reader.error(field, "needs exactly one of bearer, basic or jwt (or the value none)");
    return std::nullopt;
  }
  const YamlReader::Entry& e = entries.front();
  if (e.key == "bearer") {
    std::optional<Template> token =
        parse_template_field(reader, e.value, context, TemplateEscape::kHeader);
    if (!token) return std::nullopt;
    auth.kind = Auth::Kind::kBearer;
    auth.bearer = std::move(*token);
  } else if (e.key == "basic") {
    if (!reader.check_map(e.value, {"username", "password"})) return std::nullopt;
    std::optional<YamlField> user = reader.get(e.value, "username");
    std::optional<YamlField> password = reader.get(e.value, "password");
    if (!user || !password) {
      reader.error(e.value, "needs username and password");
      return std::nullopt;
    }
    auto u = parse_template_field(reader, *user, context, TemplateEscape::kNone);
    auto p = parse_template_field(reader, *password, context, TemplateEscape::kNone);
    if (!u || !p) return std::nullopt;
    auth.kind = Auth::Kind::kBasic;
    auth.basic = BasicAuth{std::move(*u), std::move(*p)};
  } else {
    if (!parse_jwt(reader, e.value, context, &auth.jwt)) return std::nullopt;
    auth.kind = Auth::Kind::kJwt;
  }
  return auth;
}

std::optional<RetryPolicy> parse_retry(YamlReader& reader, const YamlField& field) {
  if (!reader.check_map(field, {"statuses", "errors", "max", "backoff", "retryAfter"})) {
    return std::nullopt;
  }
  RetryPolicy retry;
  const std::size_t errors_before = reader.error_count();
  // `statuses`, not k6-ish `on`: YAML 1.1 parsers (kubectl's) read a bare `on` key as true.
  if (std::optional<YamlField> statuses = reader.get(field, "statuses")) {
    if (auto set = parse_statuses(reader, *statuses)) retry.on = *set;
  }
  if (std::optional<YamlField> errors = reader.get(field, "errors")) {
    retry.on_errors = reader.boolean(*errors).value_or(false);
  }
  if (std::optional<YamlField> max = reader.get(field, "max")) {
    retry.max = static_cast<std::uint32_t>(
        reader.integer(*max, Bound::kNonNegative, limits::kMaxRetries).value_or(0));
  }
  if (std::optional<YamlField> backoff = reader.get(field, "backoff")) {
    if (reader.check_map(*backoff, {"initial", "max", "multiplier"})) {
      if (auto f = reader.get(*backoff, "initial")) {
        retry.initial =
            reader.duration(*f, Bound::kNonNegative, limits::kMaxWait).value_or(retry.initial);
      }
      if (auto f = reader.get(*backoff, "max")) {
        retry.max_backoff =
            reader.duration(*f, Bound::kPositive, limits::kMaxWait).value_or(retry.max_backoff);
      }
      if (auto f = reader.get(*backoff, "multiplier")) {
        retry.multiplier = reader.number(*f, Bound::kPositive, limits::kMaxBackoffMultiplier)
                               .value_or(retry.multiplier);
      }
    }
  }
  if (std::optional<YamlField> after = reader.get(field, "retryAfter")) {
    retry.retry_after = reader.boolean(*after).value_or(true);
  }
  if (!reader.has(field, "statuses") && !retry.on_errors) {
    reader.error(field, "needs `statuses` (to retry, e.g. [429, 503]) or `errors: true`");
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return retry;
}

}  // namespace stampede::plan_sections
