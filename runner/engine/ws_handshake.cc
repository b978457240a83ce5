#include "engine/ws_handshake.h"

#include <strings.h>

#include "base/text.h"

namespace stampede {
namespace {

bool named(std::string_view name, std::string_view expected) {
  return name.size() == expected.size() &&
         ::strncasecmp(name.data(), expected.data(), name.size()) == 0;
}

}  // namespace

HandshakeRequest parse_handshake_request(std::string_view request) {
  HandshakeRequest out;
  std::size_t end = request.find("\r\n");
  const std::string_view line = request.substr(0, end);
  const std::size_t first = line.find(' ');
  const std::size_t last = line.rfind(' ');
  if (first != std::string_view::npos && last > first) {
    out.target = std::string(line.substr(first + 1, last - first - 1));
  }
  while (end != std::string_view::npos) {
    const std::size_t start = end + 2;
    end = request.find("\r\n", start);
    const std::string_view header = request.substr(start, end - start);
    if (header.empty()) break;  // the blank line ends the head
    const std::size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = header.substr(0, colon);
    const std::string_view value = trim(header.substr(colon + 1));
    if (named(name, "Host")) {
      out.host = std::string(value);
    } else if (!named(name, "Content-Length")) {
      out.headers.emplace_back(std::string(name), std::string(value));
    }
  }
  return out;
}

void decorate(const HandshakeRequest& request, const std::string& subprotocols,
              boost::beast::websocket::request_type& upgrade) {
  for (const auto& [name, value] : request.headers) upgrade.set(name, value);
  if (!subprotocols.empty()) {
    upgrade.set(boost::beast::http::field::sec_websocket_protocol, subprotocols);
  }
}

}  // namespace stampede
