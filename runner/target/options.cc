#include "target/options.h"

#include <charconv>
#include <cstdint>
#include <vector>

#include "target/request_target.h"

namespace stampede::target {
namespace {

constexpr unsigned kMaxThreads = 256;
constexpr double kMaxRate = 1'000'000;
constexpr std::uint64_t kMaxStoreCapacity = 10'000'000;

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
  return tcp::endpoint(address, static_cast<std::uint16_t>(*port));
}

namespace {

// Each flag group answers whether an argument was one of its flags and whether it parsed.
enum class Parsed { kNotMine, kOk, kError };

Parsed reject(std::string* error, std::string message) {
  *error = std::move(message);
  return Parsed::kError;
}

Parsed parse_server_flag(const std::vector<std::string_view>& args, std::size_t& i,
                         TargetOptions& options, std::string* error) {
  if (is_flag(args[i], "--listen")) {
    const auto value = flag_value(args, i, "--listen");
    if (!value) return reject(error, "--listen needs a value");
    auto endpoint = parse_listen(*value, error);
    if (!endpoint) return Parsed::kError;
    options.listen = *endpoint;
    return Parsed::kOk;
  }
  if (is_flag(args[i], "--threads")) {
    const auto threads = parse_uint(flag_value(args, i, "--threads").value_or(""));
    if (!threads || *threads < 1 || *threads > kMaxThreads) {
      return reject(error, "--threads wants an integer from 1 to 256");
    }
    options.threads = static_cast<unsigned>(*threads);
    return Parsed::kOk;
  }
  return Parsed::kNotMine;
}

// --rate-limit and --chat-rate-limit: requests per second, 0 = unlimited.
Parsed parse_rate(const std::vector<std::string_view>& args, std::size_t& i, std::string_view flag,
                  Rate& rate, std::string* error) {
  const auto value = parse_double(flag_value(args, i, flag).value_or(""));
  if (!value || *value < 0 || *value > kMaxRate) {
    return reject(error, std::string(flag) + " wants requests per second from 0 to 1000000");
  }
  rate.per_second = *value;
  return Parsed::kOk;
}

Parsed parse_api_flag(const std::vector<std::string_view>& args, std::size_t& i,
                      TargetOptions& options, std::string* error) {
  if (is_flag(args[i], "--jwt-secret")) {
    const auto value = flag_value(args, i, "--jwt-secret");
    if (!value || value->empty()) return reject(error, "--jwt-secret needs a value");
    options.jwt_secret = std::string(*value);
    return Parsed::kOk;
  }
  if (is_flag(args[i], "--rate-limit")) {
    return parse_rate(args, i, "--rate-limit", options.api.limited_rate, error);
  }
  if (is_flag(args[i], "--chat-rate-limit")) {
    return parse_rate(args, i, "--chat-rate-limit", options.api.chat_rate, error);
  }
  if (is_flag(args[i], "--key-rate-limit")) {
    return parse_rate(args, i, "--key-rate-limit", options.api.key_rate, error);
  }
  if (is_flag(args[i], "--key-burst")) {
    const auto value = parse_double(flag_value(args, i, "--key-burst").value_or(""));
    if (!value || *value < 1 || *value > kMaxRate) {
      return reject(error, "--key-burst wants a number of requests from 1 to 1000000");
    }
    options.api.key_burst = *value;
    return Parsed::kOk;
  }
  if (is_flag(args[i], "--store-capacity")) {
    const auto capacity = parse_uint(flag_value(args, i, "--store-capacity").value_or(""));
    if (!capacity || *capacity < 1 || *capacity > kMaxStoreCapacity) {
      return reject(error, "--store-capacity wants an integer from 1 to 10000000");
    }
    options.api.store_capacity = static_cast<std::size_t>(*capacity);
    return Parsed::kOk;
  }
  return Parsed::kNotMine;
}

}  // namespace

std::optional<TargetOptions> parse_options(int argc, const char* const* argv, std::string* error) {
  const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  TargetOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--quiet") {
      options.quiet = true;
      continue;
    }
    if (args[i] == "--allow-non-loopback") {
      options.allow_non_loopback = true;
      continue;
    }
    if (args[i] == "--help" || args[i] == "-h") {
      options.help = true;
      continue;
    }
    Parsed parsed = parse_server_flag(args, i, options, error);
    if (parsed == Parsed::kNotMine) parsed = parse_api_flag(args, i, options, error);
    if (parsed == Parsed::kError) return std::nullopt;
    if (parsed == Parsed::kNotMine) {
      return fail(error, "unknown argument \"" + std::string(args[i]) + "\"");
    }
  }
  // Checked after every flag, so that the opt-in may come before or after --listen.
  if (!options.listen.address().is_loopback() && !options.allow_non_loopback) {
    return fail(error, "--listen: refusing non-loopback address " +
                           options.listen.address().to_string() +
                           " (stampede-target binds 127.0.0.0/8 or ::1 only, unless "
                           "--allow-non-loopback: for a pod behind a Service)");
  }
  return options;
}

ApiConfig api_config(const TargetOptions& options, const char* env_secret) {
  ApiConfig config = options.api;
  if (options.jwt_secret) {
    config.jwt_secret = *options.jwt_secret;
  } else if (env_secret != nullptr && *env_secret != '\0') {
    config.jwt_secret = env_secret;
  } else {
    config.jwt_secret = kDefaultJwtSecret;
  }
  return config;
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
         "                       [--jwt-secret S] [--rate-limit N] [--chat-rate-limit N]\n"
         "                       [--key-rate-limit N] [--key-burst B] [--store-capacity N]\n"
         "                       [--allow-non-loopback]\n"
         "  --listen HOST:PORT    loopback address to bind (port 0 picks a free port)\n"
         "  --allow-non-loopback  also bind other addresses, e.g. 0.0.0.0:8080 in a pod behind\n"
         "                        a Service (never on a machine facing a network)\n"
         "  --threads N           I/O threads (default 1)\n"
         "  --quiet               no diagnostics on stderr\n"
         "  --jwt-secret S        HS256 secret of /api/secure; default "
         "$STAMPEDE_TARGET_JWT_SECRET,\n"
         "                        else \"stampede-demo-secret\"\n"
         "  --rate-limit N        /api/limited requests per second, burst N (default 50; 0 = no "
         "limit)\n"
         "  --chat-rate-limit N   /api/chat requests per second, burst N (default 0 = no limit)\n"
         "  --key-rate-limit N    /api/quota requests per second per X-Api-Key (default 10;\n"
         "                        0 = no limit), burst --key-burst B (default 10)\n"
         "  --store-capacity N    plans and workers kept, each; the oldest is forgotten beyond "
         "N\n"
         "                        (default 1000000)\n"
         "Prints \"listening on http://HOST:PORT\" once listening; SIGINT/SIGTERM stop it.\n";
}

}  // namespace stampede::target
