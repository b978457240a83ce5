#pragma once
// Bearer-token checks for the control API's mutating calls.

#include <string_view>

namespace stampede {

// True when `authorization` is "Bearer <token>" with exactly `token`. The comparison takes
// the same time whatever the input (digests compared with CRYPTO_memcmp), so response times
// reveal nothing about the token, not even its length.
bool bearer_matches(std::string_view authorization, std::string_view token);

}  // namespace stampede
