#include "engine/tls_context.h"

#include <openssl/ssl.h>

namespace stampede {

std::unique_ptr<TlsClientContext> make_tls_context(const Target& target, std::string* error) {
  auto tls = std::make_unique<TlsClientContext>();
  tls->server_name = target.tls.server_name.empty() ? target.url.host : target.tls.server_name;
  tls->verify = target.tls.verify;
  ErrorCode ec;
  if (!target.tls.ca_file.empty()) {
    tls->context.load_verify_file(target.tls.ca_file, ec);
    if (ec) {
      *error = "cannot load CA file " + target.tls.ca_file + ": " + ec.message();
      return nullptr;
    }
  } else {
    tls->context.set_default_verify_paths(ec);
  }
  tls->context.set_verify_mode(tls->verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
  // Idle connections give their 16+ KiB record buffers back: memory per connection stays low.
  SSL_CTX_set_mode(tls->context.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  return tls;
}

}  // namespace stampede
