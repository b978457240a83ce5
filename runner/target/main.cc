// stampede-target: the bundled HTTP server that quickstarts and integration tests load-test.

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "target/options.h"
#include "target/server.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

int serve(const stampede::target::TargetOptions& options) {
  using stampede::target::Server;
  const char* env_secret = std::getenv(stampede::target::kJwtSecretEnv);
  Server server({.threads = options.threads,
                 .quiet = options.quiet,
                 .api = stampede::target::api_config(options, env_secret)});
  stampede::target::error_code ec;
  const auto bound = server.listen(options.listen, ec);
  if (ec) {
    std::cerr << "stampede-target: cannot listen on " << options.listen << ": " << ec.message()
              << "\n";
    return kExitFailure;
  }
  // Scripts and tests wait for exactly this line, so it goes out (and is flushed) even --quiet.
  std::cout << "listening on " << stampede::target::endpoint_url(bound) << std::endl;
  server.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that disconnects mid-write must cost an error code, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::string error;
  const auto options = stampede::target::parse_options(argc, argv, &error);
  if (!options) {
    std::cerr << "stampede-target: " << error << "\n" << stampede::target::usage();
    return kExitUsage;
  }
  if (options->help) {
    std::cout << stampede::target::usage();
    return 0;
  }
  try {
    return serve(*options);
  } catch (const std::exception& e) {
    std::cerr << "stampede-target: " << e.what() << "\n";
    return kExitFailure;
  }
}
