#pragma once
// Base64 as Kubernetes uses it: kubeconfig `…-data` fields and Secret `data` values.

#include <boost/beast/core/detail/base64.hpp>
#include <string>

namespace stampede::kube {

inline std::string base64_decode(const std::string& text) {
  namespace b64 = boost::beast::detail::base64;
  // decoded_size(n) assumes n is a multiple of 4; without its '=' padding the last group still
  // decodes to up to 2 bytes, so size for the groups rounded up.
  std::string out(b64::decoded_size(text.size() + 3), '\0');
  out.resize(b64::decode(out.data(), text.data(), text.size()).first);
  return out;
}

}  // namespace stampede::kube
