#pragma once
// HS256 JSON Web Tokens and base64 for auth headers: small, allocation-free apart from the
// output buffer the caller owns.

#include <string>
#include <string_view>

namespace stampede {

// Appends base64 (RFC 4648 section 4, padded) or base64url (section 5, unpadded) of `bytes`.
void append_base64(std::string& out, std::string_view bytes, bool url);

// Appends header.payload.signature: the header {"alg":"HS256","typ":"JWT"}, `claims_json` as
// the payload, HMAC-SHA256 with `secret`.
void append_jwt_hs256(std::string& out, std::string_view claims_json, std::string_view secret);

}  // namespace stampede
