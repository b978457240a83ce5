#include "support/nginx.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace stampede::testing {
namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";

std::string make_temp_dir() {
  char tmpl[] = "/tmp/stampede-nginx-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string config(const std::string& dir, std::uint16_t port, const NginxOptions& options) {
  const bool tls = options.tls;
  std::ostringstream c;
  c << "worker_processes 1;\nerror_log " << dir << "/error.log;\npid " << dir << "/nginx.pid;\n"
    << "events { worker_connections 4096; }\n"
    << "http {\n  log_format timed '$msec $status';\n"
    << "  access_log " << dir << "/access.log timed;\n"
    << "  client_body_temp_path " << dir << "/body;\n  proxy_temp_path " << dir << "/proxy;\n"
    << "  fastcgi_temp_path " << dir << "/fastcgi;\n  uwsgi_temp_path " << dir << "/uwsgi;\n"
    << "  scgi_temp_path " << dir << "/scgi;\n  keepalive_requests 1000000;\n";
  if (!options.limit_rate.empty()) {
    c << "  limit_req_zone $binary_remote_addr zone=limited:1m rate=" << options.limit_rate
      << ";\n";
  }
  c << "  server {\n    listen 127.0.0.1:" << port << (tls ? " ssl" : "") << ";\n";
  if (tls) {
    c << "    ssl_certificate " << dir << "/cert.pem;\n    ssl_certificate_key " << dir
      << "/key.pem;\n";
  }
  if (!options.limit_rate.empty()) {
    // A file, not `return`: return answers in the rewrite phase, before limit_req would run.
    std::ofstream(dir + "/ok.txt") << "ok";
    c << "    location = /limited { limit_req zone=limited burst=" << options.limit_burst
      << " nodelay; limit_req_status 429; default_type text/plain; alias " << dir << "/ok.txt; }\n";
  }
  c << "    location = /notfound { return 404 \"missing\"; }\n"
    << "    location / { return 200 \"ok\"; }\n  }\n}\n";
  return c.str();
}

void make_certificate(const std::string& dir) {
  const auto r =
      run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                   "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                   "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"},
                  std::chrono::seconds(60));
  if (r.status.code != 0) throw std::runtime_error("openssl failed: " + r.stderr_text);
}

}  // namespace

bool nginx_available() {
  return ::access(kNginx, X_OK) == 0;
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

NginxProcess::NginxProcess(NginxOptions options)
    : dir_(make_temp_dir()), tls_(options.tls), options_(std::move(options)) {
  if (tls_) {
    make_certificate(dir_);
    cert_ = dir_ + "/cert.pem";
  }
  // A port can be taken between free_port() and nginx's bind: try a few.
  for (int attempt = 0; attempt < 5 && !process_; ++attempt) {
    port_ = free_port();
    std::ofstream(dir_ + "/nginx.conf") << config(dir_, port_, options_);
    auto p = std::make_unique<Subprocess>(std::vector<std::string>{
        kNginx, "-p", dir_, "-c", dir_ + "/nginx.conf", "-g", "daemon off; master_process off;"});
    for (int i = 0; i < 100; ++i) {
      if (!p->running()) break;
      try {
        raw_exchange("127.0.0.1", port_, "", std::chrono::milliseconds(100));
        process_ = std::move(p);
        break;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  if (!process_) throw std::runtime_error("nginx did not start; see " + dir_ + "/error.log");
}

NginxProcess::~NginxProcess() {
  if (process_) process_->terminate();
  std::system(("rm -rf '" + dir_ + "'").c_str());
}

std::string NginxProcess::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::vector<NginxLogEntry> NginxProcess::log() const {
  std::ifstream file(dir_ + "/access.log");
  std::vector<NginxLogEntry> entries;
  NginxLogEntry entry;
  while (file >> entry.at >> entry.status) entries.push_back(entry);
  return entries;
}

std::uint64_t NginxProcess::requests() const {
  std::ifstream log(dir_ + "/access.log");
  std::uint64_t lines = 0;
  std::string line;
  while (std::getline(log, line)) ++lines;
  return lines;
}

}  // namespace stampede::testing
