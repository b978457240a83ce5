#include "stats/error_category.h"

#include <array>

namespace stampede {
namespace {

constexpr std::array<std::string_view, kErrorCategoryCount> kErrorNames = {
    "connect_refused",
    "connect_timeout",
    "connect_error",
    "request_timeout",
    "reset",
    "tls",
    "protocol",
    "response_too_large",
    "unexpected_status",
    "interrupted",
    "extract",
    "ws_handshake_refused",
    "ws_closed_abnormally",
    "ws_protocol_error",
    "receive_timeout",
    "message_too_large",
};

}  // namespace

std::string_view error_category_name(ErrorCategory category) {
  return kErrorNames[static_cast<std::size_t>(category)];
}

std::optional<ErrorCategory> error_category_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kErrorNames.size(); ++i) {
    if (kErrorNames[i] == name) return static_cast<ErrorCategory>(i);
  }
  return std::nullopt;
}

}  // namespace stampede
