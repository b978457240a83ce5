#pragma once
// base64url (RFC 4648 section 5) without padding, as JWTs (RFC 7515) encode their parts.

#include <optional>
#include <string>
#include <string_view>

namespace stampede::target {

// nullopt on any character outside [A-Za-z0-9_-] (padding included), on an impossible length
// (4k+1) or on non-zero leftover bits, so one token has exactly one accepted spelling.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace stampede::target
