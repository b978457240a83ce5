#include "target/jwt_verifier.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <optional>
#include <utility>

#include "target/base64url.h"

namespace stampede::target {
namespace {

constexpr std::size_t kSha256Bytes = 32;

// A base64url part that decodes to a JSON object; nullopt otherwise.
std::optional<nlohmann::json> decode_object(std::string_view part) {
  const auto text = base64url_decode(part);
  if (!text) return std::nullopt;
  auto object = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::nullopt;
  return object;
}

// The three dot-separated parts of a compact JWS; nullopt unless there are exactly three.
std::optional<std::array<std::string_view, 3>> split_parts(std::string_view token) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return std::array{token.substr(0, first), token.substr(first + 1, second - first - 1),
                    token.substr(second + 1)};
}

// kNone when "exp" is absent or later than `now`.
JwtError check_expiry(const nlohmann::json& claims, JwtVerifier::Clock::time_point now) {
  const auto exp = claims.find("exp");
  if (exp == claims.end()) return JwtError::kNone;
  if (!exp->is_number()) return JwtError::kMalformed;
  const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  return exp->get<double>() > now_seconds ? JwtError::kNone : JwtError::kExpired;
}

}  // namespace

std::string_view to_string(JwtError error) {
  switch (error) {
    case JwtError::kNone:
      return "ok";
    case JwtError::kMissing:
      return "missing bearer token";
    case JwtError::kMalformed:
      return "malformed token";
    case JwtError::kUnsupportedAlg:
      return "unsupported alg (only HS256)";
    case JwtError::kBadSignature:
      return "bad signature";
    case JwtError::kExpired:
      return "token expired";
  }
  return "invalid token";
}

JwtVerifier::JwtVerifier(std::string secret) : secret_(std::move(secret)) {}

std::string_view JwtVerifier::bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

bool JwtVerifier::signature_matches(std::string_view signing_input,
                                    std::string_view signature) const {
  const auto given = base64url_decode(signature);
  if (!given || given->size() != kSha256Bytes) return false;
  std::array<unsigned char, EVP_MAX_MD_SIZE> expected{};
  unsigned int length = 0;
  const auto* mac = HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
                         reinterpret_cast<const unsigned char*>(signing_input.data()),
                         signing_input.size(), expected.data(), &length);
  // Constant time: the comparison must not tell an attacker how many leading bytes were right.
  return mac != nullptr && length == kSha256Bytes &&
         CRYPTO_memcmp(expected.data(), given->data(), kSha256Bytes) == 0;
}

JwtCheck JwtVerifier::verify(std::string_view token, Clock::time_point now) const {
  if (token.empty()) return {JwtError::kMissing, {}};
  const auto parts = split_parts(token);
  if (!parts) return {JwtError::kMalformed, {}};
  const auto header = decode_object((*parts)[0]);
  if (!header) return {JwtError::kMalformed, {}};
  const auto alg = header->find("alg");
  if (alg == header->end() || *alg != "HS256") return {JwtError::kUnsupportedAlg, {}};
  // The signature covers the encoded header and payload exactly as sent.
  const std::string_view signing_input = token.substr(0, token.rfind('.'));
  if (!signature_matches(signing_input, (*parts)[2])) return {JwtError::kBadSignature, {}};
  auto claims = decode_object((*parts)[1]);
  if (!claims) return {JwtError::kMalformed, {}};
  if (const JwtError error = check_expiry(*claims, now); error != JwtError::kNone) {
    return {error, {}};
  }
  return {JwtError::kNone, std::move(*claims)};
}

}  // namespace stampede::target
