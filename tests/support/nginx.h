#pragma once
// Debian's nginx as a real peer for integration tests: started on a free loopback port with a
// generated configuration, stopped in the destructor. Requests are counted from its access log.

#include <cstdint>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace stampede::testing {

struct NginxOptions {
  bool tls = false;  // serve HTTPS with a self-signed certificate for "localhost"/127.0.0.1
  // /limited behind limit_req (per client address) at this rate ("40r/s") with this burst,
  // nodelay, refusing with 429; empty: no /limited.
  std::string limit_rate;
  int limit_burst = 0;
};

// One line of the access log: when nginx answered (seconds since the epoch) and the status.
struct NginxLogEntry {
  double at = 0;
  int status = 0;
};

class NginxProcess {
 public:
  explicit NginxProcess(NginxOptions options = {});
  ~NginxProcess();
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;                                  // http(s)://127.0.0.1:PORT
  const std::string& certificate() const { return cert_; }  // PEM, when tls
  // Lines in the access log: one per request nginx answered.
  std::uint64_t requests() const;
  // The access log's lines, in order.
  std::vector<NginxLogEntry> log() const;

 private:
  std::string dir_;
  std::string cert_;
  bool tls_ = false;
  NginxOptions options_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

// True when nginx is installed (tests say so clearly instead of failing obscurely).
bool nginx_available();
// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

}  // namespace stampede::testing
