#include "engine/transport.h"

#include <openssl/ssl.h>

namespace stampede {

// SNI, and the certificate checked against the target's host name unless insecureSkipVerify.
void TlsTransport::prepare_handshake(Stream& s, const Context& tls) {
  SSL_set_tlsext_host_name(s.native_handle(), tls.server_name.c_str());
  if (tls.verify) {
    ErrorCode ignored;
    s.set_verify_callback(asio::ssl::host_name_verification(tls.server_name), ignored);
  }
}

}  // namespace stampede
