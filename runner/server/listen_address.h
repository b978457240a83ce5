#pragma once
// The address the runner's HTTP server binds: "0.0.0.0:9646", ":9646" (all interfaces),
// "127.0.0.1:0" (any free port), "[::1]:9646", "localhost:9646".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stampede {

struct ListenAddress {
  std::string host;  // numeric address or name; "0.0.0.0" for ":PORT"
  std::uint16_t port = 0;
};

inline constexpr const char* kDefaultListen = "0.0.0.0:9646";
// The live web UI's default (`stampede ui`, `run --ui`): its controls, on this machine only.
inline constexpr const char* kDefaultUiListen = "127.0.0.1:9646";

// nullopt and *error ("--listen: ...") when the text is not HOST:PORT.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error);

}  // namespace stampede
