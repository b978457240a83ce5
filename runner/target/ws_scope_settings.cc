#include "target/ws_scope_settings.h"

#include <algorithm>
#include <cstdint>

namespace stampede::target {
namespace {

constexpr std::size_t kMaxChannelBytes = 64;

// An integer field clamped into [low, high]; nullopt when it is not an integer. Negative
// numbers clamp to `low` like any other number below it.
std::optional<std::uint64_t> clamped_integer(const nlohmann::json& value, std::uint64_t low,
                                             std::uint64_t high) {
  if (value.is_number_unsigned()) return std::clamp(value.get<std::uint64_t>(), low, high);
  if (value.is_number_integer()) return low;  // a signed integer that is not unsigned: < 0
  return std::nullopt;
}

}  // namespace

std::optional<ScopeCommand> parse_scope_command(std::string_view text, std::string* error) {
  nlohmann::json message = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object()) {
    *error = "messages are JSON objects";
    return std::nullopt;
  }
  const auto op = message.find("op");
  if (op == message.end() || !op->is_string()) {
    *error = "op must be a string";
    return std::nullopt;
  }
  return ScopeCommand{op->get<std::string>(), std::move(message)};
}

std::optional<ScopeSettings> apply_scope_settings(ScopeSettings base, const nlohmann::json& fields,
                                                  std::string* error) {
  if (const auto rate = fields.find("rate"); rate != fields.end()) {
    const auto value = clamped_integer(*rate, ScopeSettings::kMinRate, ScopeSettings::kMaxRate);
    if (!value) {
      *error = "rate must be an integer (frames per second, 1 to 1000)";
      return std::nullopt;
    }
    base.rate = *value;
  }
  if (const auto samples = fields.find("samples"); samples != fields.end()) {
    const auto value =
        clamped_integer(*samples, ScopeSettings::kMinSamples, ScopeSettings::kMaxSamples);
    if (!value) {
      *error = "samples must be an integer (1 to 4096)";
      return std::nullopt;
    }
    base.samples = *value;
  }
  if (const auto channel = fields.find("channel"); channel != fields.end()) {
    if (!channel->is_string() || channel->get_ref<const std::string&>().empty() ||
        channel->get_ref<const std::string&>().size() > kMaxChannelBytes) {
      *error = "channel must be a string of 1 to 64 bytes";
      return std::nullopt;
    }
    base.channel = channel->get<std::string>();
  }
  return base;
}

nlohmann::json scope_settings_reply(std::string_view op, const ScopeSettings& settings) {
  return {{"op", op},
          {"rate", settings.rate},
          {"samples", settings.samples},
          {"channel", settings.channel}};
}

}  // namespace stampede::target
