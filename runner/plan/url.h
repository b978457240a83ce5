#pragma once
// An absolute http(s) base URL, split once at load time.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stampede {

struct Url {
  std::string scheme;      // "http" or "https"
  std::string host;        // without brackets for IPv6 literals
  std::uint16_t port = 0;  // explicit or the scheme's default
  std::string base_path;   // "" or "/prefix" without a trailing slash

  bool tls() const { return scheme == "https"; }
  // The Host header value: host, bracketed if IPv6, with ":port" unless it is the default.
  std::string authority() const;
  // base_path joined with a step path ("/x" or "x"; a query string is kept as is).
  std::string join(std::string_view path) const;
};

// Parses "http://host[:port][/base]" or "https://...". On failure returns nullopt and sets
// *error to a message naming what is wrong (scheme, host, port).
std::optional<Url> parse_url(std::string_view text, std::string* error);

}  // namespace stampede
