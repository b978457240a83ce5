#include "control/load_request.h"

#include <cmath>

#include "plan/limits.h"

namespace stampede {
namespace {

constexpr const char* kExample = R"(e.g. {"users": 10, "spawnRate": 2} or {"rate": 50})";

// A JSON number (null: absent) into *out; false + *error naming `field` otherwise.
bool read_number(const nlohmann::json& doc, const char* field, std::optional<double>* out,
                 std::string* error) {
  const auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) return true;
  if (!it->is_number()) {
    *error = std::string(field) + " must be a number";
    return false;
  }
  *out = it->get<double>();
  return true;
}

// users is a count: a whole number within the plan's limit (converted only once it fits).
bool read_users(const nlohmann::json& doc, LoadChange* change, std::string* error) {
  std::optional<double> users;
  if (!read_number(doc, "users", &users, error)) return false;
  if (!users) return true;
  if (!(*users >= 0 && *users <= static_cast<double>(limits::kMaxUsers)) ||
      std::floor(*users) != *users) {
    *error = "users must be a whole number from 0 to " + std::to_string(limits::kMaxUsers);
    return false;
  }
  change->users = static_cast<std::uint32_t>(*users);
  return true;
}

bool read_fields(const nlohmann::json& doc, LoadChange* change, std::string* error) {
  for (const auto& [key, value] : doc.items()) {
    if (key != "users" && key != "spawnRate" && key != "rate") {
      *error = "unknown field '" + key + "' (expected users and spawnRate, or rate)";
      return false;
    }
  }
  return read_users(doc, change, error) &&
         read_number(doc, "spawnRate", &change->spawn_rate, error) &&
         read_number(doc, "rate", &change->rate, error);
}

}  // namespace

bool parse_load_request(const std::string& body, LoadChange* change, std::string* error) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() && body.find_first_not_of(" \t\r\n") != std::string::npos) {
    *error = "the body is not valid JSON";
    return false;
  }
  if (!doc.is_object()) {
    *error = std::string("the body must be a JSON object, ") + kExample;
    return false;
  }
  *change = LoadChange{};
  if (!read_fields(doc, change, error)) return false;
  if (auto why = load_change_error(*change)) {
    *error = *why;
    return false;
  }
  return true;
}

nlohmann::json load_change_json(const LoadChange& applied) {
  nlohmann::json out = nlohmann::json::object();
  if (applied.users) out["users"] = *applied.users;
  if (applied.spawn_rate) out["spawnRate"] = *applied.spawn_rate;
  if (applied.rate) out["rate"] = *applied.rate;
  return out;
}

}  // namespace stampede
