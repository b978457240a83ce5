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
};

inline constexpr std::size_t kErrorCategoryCount = 11;

// Stable snake_case names used in results, metrics and reports ("connect_refused", ...).
std::string_view error_category_name(ErrorCategory category);
std::optional<ErrorCategory> error_category_from_name(std::string_view name);

using ErrorCounts = std::array<unsigned long long, kErrorCategoryCount>;

}  // namespace stampede
