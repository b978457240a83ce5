// The runner's HTTP server under clients that would wear it down: accept failing with EMFILE,
// slow request heads (slowloris), more connections than the cap, oversized bodies. /healthz must
// keep answering, and the server must not spin.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <sstream>
#include <thread>
#include <vector>

#include "server/http_server.h"
#include "support/http_client.h"

namespace stampede {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A plain blocking loopback TCP socket, so a test controls exactly when each byte goes out
// and when the fd is created (before the fd table is filled).
class RawSocket {
 public:
  RawSocket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket failed");
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawSocket(RawSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  // Needs no new fd, so it works while the process's fd table is full.
  void connect(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
    }
  }
  // False once the peer has closed or reset the connection.
  bool send(std::string_view data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Reads what arrives within `timeout`; *closed tells whether the peer closed (EOF or reset).
  std::string read_for(milliseconds timeout, bool* closed) {
    std::string received;
    *closed = false;
    const auto deadline = Clock::now() + timeout;
    while (!*closed) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n > 0) {
        received.append(chunk, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EAGAIN) {
        *closed = true;
      }
    }
    return received;
  }

 private:
  int fd_;
};

constexpr std::string_view kHealthz = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
// The same, asking the server to close after answering (so a reader sees the end at once).
constexpr std::string_view kHealthzClose =
    "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

HttpResponse ok(const HttpRequest&) {
  HttpResponse r;
  r.content_type = "text/plain";
  r.body = "ok\n";
  return r;
}

// Lowers this process's soft RLIMIT_NOFILE and takes every fd left under it, so the next
// accept(2) fails with EMFILE; the destructor gives all of it back.
class FdTableFiller {
 public:
  FdTableFiller() {
    if (::getrlimit(RLIMIT_NOFILE, &saved_) != 0) throw std::runtime_error("getrlimit failed");
    rlimit lowered = saved_;
    lowered.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, 512);
    if (::setrlimit(RLIMIT_NOFILE, &lowered) != 0) throw std::runtime_error("setrlimit failed");
    for (;;) {
      const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) break;
      taken_.push_back(fd);
    }
    exhausted_ = errno == EMFILE;
  }
  ~FdTableFiller() {
    for (const int fd : taken_) ::close(fd);
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }
  FdTableFiller(const FdTableFiller&) = delete;
  FdTableFiller& operator=(const FdTableFiller&) = delete;

  bool exhausted() const { return exhausted_; }

 private:
  rlimit saved_{};
  std::vector<int> taken_;
  bool exhausted_ = false;
};

double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Captures what the server logs while it is alive, to count its warnings.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(lines_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  int count(std::string_view needle) const {
    const std::string text = lines_.str();
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }
  std::string text() const { return lines_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream lines_;
};

TEST(HttpServerLimits, DefaultsAreDocumentedAndShort) {
  const HttpServerLimits limits;
  EXPECT_EQ(limits.max_connections, 256u);
  EXPECT_EQ(limits.request_timeout, std::chrono::seconds(10)) << "slowloris: well under 60 s";
  EXPECT_EQ(limits.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(limits.max_body, 64u * 1024);
  EXPECT_EQ(limits.max_head, 8u * 1024);
  EXPECT_GE(limits.accept_backoff, milliseconds(50));
  EXPECT_LE(limits.accept_backoff, milliseconds(200));
}

TEST(HttpServerLimits, AcceptFailingWithEmfileBacksOffInsteadOfSpinning) {
  LogCapture log;
  HttpServer server(ok);
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  RawSocket client;  // its fd exists before the table is filled; connecting needs none
  double cpu_seconds = 0;
  {
    FdTableFiller filler;
    ASSERT_TRUE(filler.exhausted());
    client.connect(server.port());  // waits in the listen backlog: accept gets EMFILE
    ASSERT_TRUE(client.send(kHealthzClose));
    const double before = process_cpu_seconds();
    std::this_thread::sleep_for(milliseconds(1000));
    cpu_seconds = process_cpu_seconds() - before;
  }
  // A busy accept loop burns close to a whole core; ten retries a second cost next to nothing.
  EXPECT_LT(cpu_seconds, 0.1) << "CPU seconds used in 1 s while accept failed";
  std::printf("CPU while accept failed with EMFILE for 1 s: %.4f s\n", cpu_seconds);
  bool closed = false;
  const std::string answer = client.read_for(milliseconds(3000), &closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << "the waiting client is served once fds free up";
  EXPECT_EQ(testing::http_get("127.0.0.1", server.port(), "/healthz").status, 200);
  EXPECT_EQ(log.count("cannot accept"), 1) << "one warning per burst, not per failure:\n"
                                           << log.text();
  EXPECT_EQ(log.count("accepting again"), 1) << log.text();
}

TEST(HttpServerLimits, SlowRequestHeadsAreCutOffAndHealthzKeepsAnswering) {
  HttpServerLimits limits;
  limits.request_timeout = milliseconds(1000);
  HttpServer server(ok, limits);
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  constexpr int kSlow = 50;
  std::vector<RawSocket> slow(kSlow);
  const auto opened = Clock::now();  // before any accept, so before any deadline starts
  for (auto& s : slow) s.connect(server.port());
  // Each slow client sends its head one byte every 50 ms and never finishes it.
  const std::string head = "GET /healthz HTTP/1.1\r\nX-Slow: " + std::string(200, 'a');
  std::vector<bool> cut(kSlow, false);
  int cut_count = 0;
  milliseconds first_cut{0};
  milliseconds last_cut{0};
  for (std::size_t i = 0; cut_count < kSlow && Clock::now() - opened < milliseconds(5000); ++i) {
    for (int c = 0; c < kSlow; ++c) {
      if (cut[c] || slow[c].send(std::string_view(head).substr(i % head.size(), 1))) continue;
      cut[c] = true;
      ++cut_count;
      last_cut = std::chrono::duration_cast<milliseconds>(Clock::now() - opened);
      if (cut_count == 1) first_cut = last_cut;
    }
    if (i % 10 == 5) {  // meanwhile another client checks health
      const auto asked = Clock::now();
      EXPECT_EQ(testing::http_get("127.0.0.1", server.port(), "/healthz").status, 200);
      // A kubelet probe gives up after 1 s by default.
      EXPECT_LT(Clock::now() - asked, milliseconds(1000)) << "/healthz slow under slowloris";
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(cut_count, kSlow) << "slow heads still open after 5 s (request timeout 1 s)";
  EXPECT_GE(first_cut, milliseconds(990)) << "cut before the request timeout";
  std::printf("%d slow connections, the last one cut after %lld ms\n", cut_count,
              static_cast<long long>(last_cut.count()));
}

TEST(HttpServerLimits, IdleKeepAliveConnectionsAreClosed) {
  HttpServerLimits limits;
  limits.idle_timeout = milliseconds(500);
  HttpServer server(ok, limits);
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  RawSocket client;
  client.connect(server.port());
  ASSERT_TRUE(client.send(kHealthz));
  bool closed = false;
  const auto sent = Clock::now();
  const std::string answer = client.read_for(milliseconds(3000), &closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_TRUE(closed) << "an idle keep-alive connection must not stay open";
  EXPECT_GE(Clock::now() - sent, milliseconds(450));
}

TEST(HttpServerLimits, ConnectionsBeyondTheCapWaitUntilOneCloses) {
  HttpServerLimits limits;
  limits.max_connections = 3;
  HttpServer server(ok, limits);
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  std::vector<std::unique_ptr<testing::HttpConnection>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<testing::HttpConnection>("127.0.0.1", server.port()));
    ASSERT_EQ(held.back()->request("GET", "/healthz").status, 200);
  }
  RawSocket extra;
  extra.connect(server.port());
  ASSERT_TRUE(extra.send(kHealthzClose));
  bool closed = false;
  EXPECT_EQ(extra.read_for(milliseconds(500), &closed), "") << "served beyond the cap of 3";
  EXPECT_FALSE(closed);
  held.pop_back();  // a slot frees up: the waiting client is served
  const std::string answer = extra.read_for(milliseconds(3000), &closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_EQ(held.front()->request("GET", "/healthz").status, 200) << "kept connections still work";
}

TEST(HttpServerLimits, OversizedBodiesAre413AndHeads431) {
  HttpServer server(ok);
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  const std::size_t limit = HttpServerLimits{}.max_body;
  EXPECT_EQ(testing::http_post("127.0.0.1", server.port(), "/", std::string(limit, 'x')).status,
            200);
  EXPECT_EQ(testing::http_post("127.0.0.1", server.port(), "/", std::string(limit + 1, 'x')).status,
            413);
  const std::string big_head =
      "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(HttpServerLimits{}.max_head, 'h') +
      "\r\n\r\n";
  const auto refused = testing::raw_exchange("127.0.0.1", server.port(), big_head);
  EXPECT_EQ(refused.received.rfind("HTTP/1.1 431", 0), 0u) << refused.received;
}

}  // namespace
}  // namespace stampede
