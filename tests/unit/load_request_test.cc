// The body of POST /v1/load: what is read, and the 400 message for what is not.
#include "control/load_request.h"

#include <gtest/gtest.h>

namespace stampede {
namespace {

LoadChange parsed(const std::string& body) {
  LoadChange change;
  std::string error;
  EXPECT_TRUE(parse_load_request(body, &change, &error)) << body << ": " << error;
  return change;
}

std::string refusal(const std::string& body) {
  LoadChange change;
  std::string error;
  EXPECT_FALSE(parse_load_request(body, &change, &error)) << body;
  return error;
}

TEST(LoadRequest, ReadsUsersAndSpawnRate) {
  const LoadChange change = parsed(R"({"users": 10, "spawnRate": 100})");
  EXPECT_EQ(change.users, 10u);
  EXPECT_EQ(change.spawn_rate, 100.0);
  EXPECT_FALSE(change.rate.has_value());
  const LoadChange users_only = parsed(R"({"users": 3})");
  EXPECT_EQ(users_only.users, 3u);
  EXPECT_FALSE(users_only.spawn_rate.has_value()) << "the plan's spawn rate applies";
  EXPECT_EQ(parsed(R"({"users": 4.0, "spawnRate": null})").users, 4u);
  EXPECT_EQ(parsed(R"({"users": 0, "spawnRate": 0.5})").spawn_rate, 0.5);
  EXPECT_EQ(parsed(R"({"users": 1000000})").users, 1'000'000u);
}

TEST(LoadRequest, ReadsARate) {
  const LoadChange change = parsed(R"({"rate": 200.5})");
  EXPECT_EQ(change.rate, 200.5);
  EXPECT_FALSE(change.users.has_value());
  EXPECT_EQ(parsed(" {\"rate\": 0}\n").rate, 0.0);
}

// Each message names the field it is about (or says what the body must be).
TEST(LoadRequest, BadBodiesNameTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "JSON object"},
      {"{", "not valid JSON"},
      {"[]", "JSON object"},
      {"10", "JSON object"},
      {"{}", "give users"},
      {R"({"users": -1})", "users must be a whole number"},
      {R"({"users": 2.5})", "users must be a whole number"},
      {R"({"users": "10"})", "users must be a number"},
      {R"({"users": true})", "users must be a number"},
      {R"({"users": 1000001})", "users must be a whole number from 0 to 1000000"},
      {R"({"users": 1e300})", "users must be a whole number"},
      {R"({"users": 5, "spawnRate": -1})", "spawnRate must be"},
      {R"({"users": 5, "spawnRate": 2000000})", "spawnRate must be"},
      {R"({"users": 5, "spawnRate": "fast"})", "spawnRate must be a number"},
      {R"({"spawnRate": 5})", "spawnRate goes with users"},
      {R"({"rate": 5, "spawnRate": 5})", "spawnRate goes with users"},
      {R"({"users": 1, "rate": 2})", "not both"},
      {R"({"rate": -1})", "rate must be"},
      {R"({"rate": 1e300})", "rate must be"},
      {R"({"rate": [1]})", "rate must be a number"},
      {R"({"target": 5})", "unknown field 'target'"},
  };
  for (const auto& [body, message] : cases) {
    const std::string error = refusal(body);
    EXPECT_NE(error.find(message), std::string::npos) << body << " -> " << error;
  }
}

TEST(LoadRequest, TheAnswerSpellsTheChangeAsTheRequest) {
  LoadChange closed;
  closed.users = 10;
  closed.spawn_rate = 2.5;
  EXPECT_EQ(load_change_json(closed), nlohmann::json::parse(R"({"users": 10, "spawnRate": 2.5})"));
  LoadChange open;
  open.rate = 200;
  EXPECT_EQ(load_change_json(open), nlohmann::json::parse(R"({"rate": 200.0})"));
}

}  // namespace
}  // namespace stampede
