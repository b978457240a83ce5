#include "target/options.h"

#include <charconv>
#include <cstdint>
#include <vector>

#include "target/request_target.h"

namespace stampede::target {
namespace {

constexpr unsigned kMaxThreads = 256;

std::optional<TargetOptions> fail(std::string* error, std::string message) {
  *error = std::move(message);
  return std::nullopt;
}

// Accepts "--flag value" and "--flag=value"; advances `i` past a separate value.
std::optional<std::string_view> flag_value(const std::vector<std::string_view>& args,
                                           std::size_t& i, std::string_view flag) {
  const std::string_view arg = args[i];
  if (arg.size() > flag.size() && arg.starts_with(flag) && arg[flag.size()] == '=') {
    return arg.substr(flag.size() + 1);
  }
  if (arg != flag || i + 1 >= args.size()) return std::nullopt;
  return args[++i];
}

bool is_flag(std::string_view arg, std::string_view flag) {
  return arg == flag || (arg.starts_with(flag) && arg.substr(flag.size()).starts_with('='));
}

}  // namespace

std::optional<tcp::endpoint> parse_listen(std::string_view text, std::string* error) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    *error = "--listen wants HOST:PORT, got \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port = parse_uint(text.substr(colon + 1));
  if (!port || *port > 65535) {
    *error = "--listen: invalid port in \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  error_code ec;
  const auto address = host == "localhost" ? net::ip::address(net::ip::address_v4::loopback())
                                           : net::ip::make_address(std::string(host), ec);
  if (ec) {
    *error = "--listen: invalid address \"" + std::string(host) + "\"";
    return std::nullopt;
  }
  if (!address.is_loopback()) {
    *error = "--listen: refusing non-loopback address " + address.to_string() +
             " (stampede-target only binds 127.0.0.0/8 or ::1)";
    return std::nullopt;
  }
  return tcp::endpoint(address, static_cast<std::uint16_t>(*port));
}

std::optional<TargetOptions> parse_options(int argc, const char* const* argv, std::string* error) {
  const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  TargetOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--quiet") {
      options.quiet = true;
    } else if (args[i] == "--help" || args[i] == "-h") {
      options.help = true;
    } else if (is_flag(args[i], "--listen")) {
      const auto value = flag_value(args, i, "--listen");
      if (!value) return fail(error, "--listen needs a value");
      auto endpoint = parse_listen(*value, error);
      if (!endpoint) return std::nullopt;
      options.listen = *endpoint;
    } else if (is_flag(args[i], "--threads")) {
      const auto value = flag_value(args, i, "--threads");
      const auto threads = parse_uint(value.value_or(""));
      if (!threads || *threads < 1 || *threads > kMaxThreads) {
        return fail(error, "--threads wants an integer from 1 to 256");
      }
      options.threads = static_cast<unsigned>(*threads);
    } else {
      return fail(error, "unknown argument \"" + std::string(args[i]) + "\"");
    }
  }
  return options;
}

std::string endpoint_url(const tcp::endpoint& endpoint) {
  // Appends rather than `"[" + host + "]"`, which trips GCC 12's bogus -Wrestrict at -O2.
  const bool v6 = endpoint.address().is_v6();
  std::string url = "http://";
  if (v6) url += '[';
  url += endpoint.address().to_string();
  if (v6) url += ']';
  url += ':';
  url += std::to_string(endpoint.port());
  return url;
}

std::string_view usage() {
  return "usage: stampede-target [--listen 127.0.0.1:0] [--threads N] [--quiet]\n"
         "  --listen HOST:PORT  loopback address to bind (port 0 picks a free port)\n"
         "  --threads N         I/O threads (default 1)\n"
         "  --quiet             no diagnostics on stderr\n"
         "Prints \"listening on http://HOST:PORT\" once listening; SIGINT/SIGTERM stop it.\n";
}

}  // namespace stampede::target
