#pragma once
// Base64 as Kubernetes uses it: kubeconfig `…-data` fields, Secret `data` and ConfigMap
// `binaryData` values.

#include <boost/beast/core/detail/base64.hpp>
#include <string>
#include <string_view>

namespace stampede::kube {

inline std::string base64_decode(const std::string& text) {
  namespace b64 = boost::beast::detail::base64;
  // decoded_size(n) assumes n is a multiple of 4; without its '=' padding the last group still
  // decodes to up to 2 bytes, so size for the groups rounded up.
  std::string out(b64::decoded_size(text.size() + 3), '\0');
  out.resize(b64::decode(out.data(), text.data(), text.size()).first);
  return out;
}

inline std::string base64_encode(std::string_view bytes) {
  namespace b64 = boost::beast::detail::base64;
  std::string out(b64::encoded_size(bytes.size()), '\0');
  out.resize(b64::encode(out.data(), bytes.data(), bytes.size()));
  return out;
}

}  // namespace stampede::kube
