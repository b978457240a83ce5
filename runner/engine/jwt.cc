#include "engine/jwt.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace stampede {

void append_base64(std::string& out, std::string_view bytes, bool url) {
  static constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* alphabet = url ? kUrl : kStd;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return;
  const unsigned v = (p[i] << 16) | (rest == 2 ? p[i + 1] << 8 : 0);
  out.push_back(alphabet[(v >> 18) & 63]);
  out.push_back(alphabet[(v >> 12) & 63]);
  if (rest == 2) out.push_back(alphabet[(v >> 6) & 63]);
  if (!url) out.append(rest == 2 ? "=" : "==");
}

void append_jwt_hs256(std::string& out, std::string_view claims_json, std::string_view secret) {
  const std::size_t start = out.size();
  append_base64(out, R"({"alg":"HS256","typ":"JWT"})", /*url=*/true);
  out.push_back('.');
  append_base64(out, claims_json, /*url=*/true);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(out.data() + start), out.size() - start, mac,
       &mac_size);
  out.push_back('.');
  append_base64(out, std::string_view(reinterpret_cast<const char*>(mac), mac_size), true);
}

}  // namespace stampede
