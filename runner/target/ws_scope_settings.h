#pragma once
// The settings of a /ws/scope session and the JSON messages that read and report them (see
// ws_scope.cc for the protocol).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace stampede::target {

struct ScopeSettings {
  // Out-of-range numbers are clamped into these, not refused: a client asking for too much gets
  // the most the demo serves.
  static constexpr std::uint64_t kMinRate = 1;
  static constexpr std::uint64_t kMaxRate = 1000;
  static constexpr std::uint64_t kMinSamples = 1;
  static constexpr std::uint64_t kMaxSamples = 4096;

  std::uint64_t rate = 50;     // frames per second
  std::uint64_t samples = 16;  // numbers per frame
  std::string channel = "A";
};

// A client message: a JSON object with a string "op"; the object keeps every field.
struct ScopeCommand {
  std::string op;
  nlohmann::json fields;
};

// nullopt, with *error set, when `text` is not a JSON object with a string "op".
std::optional<ScopeCommand> parse_scope_command(std::string_view text, std::string* error);

// `base` with the fields present in `fields` ("rate" and "samples" integers, "channel" a string
// of 1 to 64 bytes); other fields are ignored. nullopt, with *error set, when one has the wrong
// type.
std::optional<ScopeSettings> apply_scope_settings(ScopeSettings base, const nlohmann::json& fields,
                                                  std::string* error);

// {"op": op, "rate": ..., "samples": ..., "channel": ...}: the reply to configure and set.
nlohmann::json scope_settings_reply(std::string_view op, const ScopeSettings& settings);

}  // namespace stampede::target
