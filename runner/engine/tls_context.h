#pragma once
// TLS client settings shared by every connection of a run.

#include <memory>
#include <string>

#include "engine/asio.h"
#include "plan/plan.h"

namespace stampede {

struct TlsClientContext {
  asio::ssl::context context{asio::ssl::context::tls_client};
  std::string server_name;  // SNI and the name the certificate must match
  bool verify = true;
};

// Builds the context from the plan: system CA paths or caFile, peer verification unless
// insecureSkipVerify. Returns nullptr and sets *error when the CA file cannot be loaded.
std::unique_ptr<TlsClientContext> make_tls_context(const Target& target, std::string* error);

}  // namespace stampede
