#pragma once
// Command-line flags of stampede-target.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "target/api_state.h"
#include "target/net.h"

namespace stampede::target {

struct TargetOptions {
  tcp::endpoint listen{net::ip::address_v4::loopback(), 0};
  unsigned threads = 1;
  bool quiet = false;
  bool help = false;
  // --allow-non-loopback: a pod's target behind a Service must bind the pod's address.
  bool allow_non_loopback = false;
  // --rate-limit, --chat-rate-limit and --store-capacity; its jwt_secret is left at the default
  // here: api_config() resolves the secret.
  ApiConfig api;
  std::optional<std::string> jwt_secret;  // --jwt-secret
};

inline constexpr const char* kJwtSecretEnv = "STAMPEDE_TARGET_JWT_SECRET";

// Parses the flags. On failure returns nullopt and sets *error; a non-loopback --listen address
// is a failure without --allow-non-loopback, because the target is a test fixture that must
// never face a network by accident.
std::optional<TargetOptions> parse_options(int argc, const char* const* argv, std::string* error);

// "127.0.0.1:8080", "[::1]:0", "0.0.0.0:80" or "localhost:0" -> endpoint (any address: the
// loopback rule is parse_options'). Names other than localhost are refused.
std::optional<tcp::endpoint> parse_listen(std::string_view text, std::string* error);

// "http://127.0.0.1:PORT" or "http://[::1]:PORT".
std::string endpoint_url(const tcp::endpoint& endpoint);

// The /api settings. The JWT secret is --jwt-secret, else `env_secret` (the value of
// $STAMPEDE_TARGET_JWT_SECRET, nullptr when unset) when non-empty, else kDefaultJwtSecret.
ApiConfig api_config(const TargetOptions& options, const char* env_secret);

std::string_view usage();

}  // namespace stampede::target
