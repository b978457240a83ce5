#include "plan/url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/text.h"

namespace stampede {
namespace {

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

// A base URL is used verbatim in request lines, so anything that would need encoding is refused.
bool has_bad_char(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return c <= 0x20 || c >= 0x7f; });
}

// Splits "host[:port]" or "[v6][:port]" and validates both parts into *url.
bool parse_authority(std::string_view authority, Url* url, std::string* error) {
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return set_error(error, "missing ']' after IPv6 address");
    url->host = std::string(authority.substr(1, close - 1));
    if (url->host.empty() || !std::all_of(url->host.begin(), url->host.end(), is_ipv6_char)) {
      return set_error(error, "invalid IPv6 address '" + url->host + "'");
    }
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return set_error(error, "unexpected text after ']'");
    if (!rest.empty()) port_text = rest.substr(1);
    if (rest.size() == 1) return set_error(error, "empty port");
  } else {
    std::size_t colon = authority.find(':');
    url->host = ascii_lower(authority.substr(0, colon));
    if (url->host.empty()) return set_error(error, "missing host");
    if (!std::all_of(url->host.begin(), url->host.end(), is_host_char)) {
      return set_error(error, "invalid host '" + url->host + "'");
    }
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return set_error(error, "empty port");
    }
  }
  if (port_text.empty()) return true;
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return set_error(error, "invalid port '" + std::string(port_text) + "' (must be 1-65535)");
  }
  url->port = static_cast<std::uint16_t>(port);
  return true;
}

}  // namespace

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const std::uint16_t default_port = tls() ? 443 : 80;
  if (port != default_port) out += ":" + std::to_string(port);
  return out;
}

std::string Url::join(std::string_view path) const {
  if (path.empty()) return base_path.empty() ? "/" : base_path;
  if (path.front() == '?') return (base_path.empty() ? "/" : base_path) + std::string(path);
  std::string out = base_path;
  if (path.front() != '/') out += '/';
  out += path;
  return out;
}

std::optional<Url> parse_url(std::string_view text, std::string* error) {
  if (text.empty()) {
    set_error(error, "empty URL");
    return std::nullopt;
  }
  if (has_bad_char(text)) {
    set_error(error, "URL must not contain spaces, control or non-ASCII characters");
    return std::nullopt;
  }
  std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    set_error(error, "URL must start with http:// or https://");
    return std::nullopt;
  }
  Url url;
  url.scheme = ascii_lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    set_error(error, "unsupported scheme '" + url.scheme + "' (use http:// or https://)");
    return std::nullopt;
  }
  url.port = url.tls() ? 443 : 80;
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    set_error(error, "base URL must not have a query string or fragment");
    return std::nullopt;
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) {
    set_error(error, "credentials in the URL are not supported (use an Authorization header)");
    return std::nullopt;
  }
  if (!parse_authority(authority, &url, error)) return std::nullopt;
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    url.base_path = std::string(path);
  }
  return url;
}

}  // namespace stampede
