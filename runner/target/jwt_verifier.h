#pragma once
// HS256 JWT (RFC 7519) verification for /api/secure: enough to let load plans exercise a
// token-protected API realistically, not a general JOSE library. Only "alg":"HS256" is accepted,
// so a token cannot choose "none" or another algorithm to get around the signature check.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace stampede::target {

// Why a token was refused; to_string() gives the reason reported in the 401 body.
enum class JwtError {
  kNone,
  kMissing,    // no "Authorization: Bearer ..." header
  kMalformed,  // not three base64url parts of JSON objects, or a non-numeric exp
  kUnsupportedAlg,
  kBadSignature,
  kExpired,
};

std::string_view to_string(JwtError error);

struct JwtCheck {
  JwtError error = JwtError::kNone;
  nlohmann::json claims;  // the payload object when error == kNone

  bool ok() const { return error == JwtError::kNone; }
};

class JwtVerifier {
 public:
  using Clock = std::chrono::system_clock;

  explicit JwtVerifier(std::string secret);

  // Checks `token` (the compact form, without "Bearer "): the header's alg is HS256, the
  // HMAC-SHA256 signature matches (compared in constant time), and "exp", when present, is later
  // than `now`. The caller passes the time so tests control expiry.
  JwtCheck verify(std::string_view token, Clock::time_point now) const;

  // The token of an "Authorization: Bearer <token>" value (scheme case-insensitive); empty when
  // the value is empty or uses another scheme.
  static std::string_view bearer_token(std::string_view authorization);

 private:
  bool signature_matches(std::string_view signing_input, std::string_view signature) const;

  std::string secret_;
};

}  // namespace stampede::target
