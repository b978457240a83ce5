#include "server/bearer_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>

namespace stampede {
namespace {

using Digest = std::array<unsigned char, EVP_MAX_MD_SIZE>;

Digest sha256(std::string_view text) {
  Digest digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

}  // namespace

bool bearer_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "Bearer ";
  std::string_view presented;
  // The scheme name is case-insensitive (RFC 9110); the token is not.
  if (authorization.size() > kScheme.size() &&
      OPENSSL_strncasecmp(authorization.data(), kScheme.data(), kScheme.size()) == 0) {
    presented = authorization.substr(kScheme.size());
  }
  const Digest expected = sha256(token);
  const Digest actual = sha256(presented);
  const bool same = CRYPTO_memcmp(expected.data(), actual.data(), 32) == 0;
  return same && !presented.empty() && !token.empty();
}

}  // namespace stampede
