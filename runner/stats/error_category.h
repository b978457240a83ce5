#pragma once
// Why a request failed. Faults in the target are data: each is counted under one category.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace stampede {

enum class ErrorCategory : unsigned char {
  kConnectRefused,
  kConnectTimeout,
  kConnectError,      // unreachable, DNS and other connect failures
  kRequestTimeout,    // no complete response within the request timeout
  kReset,             // connection reset or closed mid-response
  kTls,               // handshake or certificate failure
  kProtocol,          // bytes that are not a valid HTTP/1.1 response
  kResponseTooLarge,  // response above maxResponseBytes
  kUnexpectedStatus,  // a status outside expect.status
  kInterrupted,       // still in flight when the graceful stop ended
  kExtract,           // an `extract` found nothing (and had no default): later steps need it
  // WebSocket sessions (`ws:` steps):
  kWsHandshake,      // the upgrade was refused: any status but 101 (the status is counted too)
  kWsClosed,         // the server closed (any code), or the connection ended without a close
                     // frame (1006), before the session's actions were done
  kWsProtocol,       // frames that break RFC 6455 (bad masking, opcode, UTF-8, handshake)
  kReceiveTimeout,   // a receive action's messages did not come within its timeout
  kMessageTooLarge,  // a message above the step's maxMessageBytes
};

inline constexpr std::size_t kErrorCategoryCount = 16;

// Stable snake_case names used in results, metrics and reports ("connect_refused", ...).
std::string_view error_category_name(ErrorCategory category);
std::optional<ErrorCategory> error_category_from_name(std::string_view name);

using ErrorCounts = std::array<unsigned long long, kErrorCategoryCount>;

}  // namespace stampede
