// The Kubernetes client's pure parts: kubeconfig reading, REST paths, API error mapping.
#include "kube/kube_client.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "kube/api_client.h"
#include "kube/kube_config.h"
#include "kube/resource.h"
#include "server/http_server.h"

namespace stampede::kube {
namespace {

std::string write_file(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::temp_directory_path() / "stampede-kube-test";
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << content;
  return path.string();
}

TEST(KubeConfig, ReadsTheCurrentContextWithInlineData) {
  // "Q0EK" is base64 of "CA\n", "Q0VSVAo=" of "CERT\n", "S0VZCg==" of "KEY\n".
  const std::string path = write_file("inline.yaml", R"(
apiVersion: v1
kind: Config
current-context: b
contexts:
  - name: a
    context: {cluster: one, user: u1}
  - name: b
    context: {cluster: two, user: u2, namespace: load}
clusters:
  - name: one
    cluster: {server: "https://10.0.0.1:6443"}
  - name: two
    cluster: {server: "https://127.0.0.1:46443", certificate-authority-data: Q0EK}
users:
  - name: u1
    user: {token: nope}
  - name: u2
    user: {client-certificate-data: Q0VSVAo=, client-key-data: S0VZCg==}
)");
  std::string error;
  const auto config = load_kubeconfig(path, &error);
  ASSERT_TRUE(config) << error;
  EXPECT_EQ(config->scheme, "https");
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->port, "46443");
  EXPECT_EQ(config->ca_pem, "CA\n");
  EXPECT_EQ(config->client_cert_pem, "CERT\n");
  EXPECT_EQ(config->client_key_pem, "KEY\n");
  EXPECT_EQ(config->token, "");
  EXPECT_EQ(config->default_namespace, "load");
}

TEST(KubeConfig, ReadsFilesRelativeToTheKubeconfigAndTokens) {
  write_file("ca.crt", "FILE-CA");
  const std::string path = write_file("files.yaml", R"(
current-context: c
contexts: [{name: c, context: {cluster: k, user: t}}]
clusters: [{name: k, cluster: {server: "https://[::1]:6443", certificate-authority: ca.crt, insecure-skip-tls-verify: true}}]
users: [{name: t, user: {token: s3cret}}]
)");
  std::string error;
  const auto config = load_kubeconfig(path, &error);
  ASSERT_TRUE(config) << error;
  EXPECT_EQ(config->host, "::1");
  EXPECT_EQ(config->port, "6443");
  EXPECT_EQ(config->ca_pem, "FILE-CA");
  EXPECT_TRUE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->token, "s3cret");
  EXPECT_EQ(config->default_namespace, "default");
}

TEST(KubeConfig, SaysWhatIsWrong) {
  std::string error;
  EXPECT_FALSE(load_kubeconfig("/nonexistent/kubeconfig", &error));
  EXPECT_NE(error.find("cannot read kubeconfig"), std::string::npos);
  const std::string no_context = write_file("nocontext.yaml", "current-context: x\ncontexts: []\n");
  EXPECT_FALSE(load_kubeconfig(no_context, &error));
  EXPECT_NE(error.find("current-context 'x'"), std::string::npos) << error;
  const std::string bad_server = write_file("badserver.yaml", R"(
current-context: c
contexts: [{name: c, context: {cluster: k, user: t}}]
clusters: [{name: k, cluster: {server: "ftp://x"}}]
)");
  EXPECT_FALSE(load_kubeconfig(bad_server, &error));
  EXPECT_NE(error.find("no usable server URL"), std::string::npos) << error;
  const std::string missing_file = write_file("missingfile.yaml", R"(
current-context: c
contexts: [{name: c, context: {cluster: k, user: t}}]
clusters: [{name: k, cluster: {server: "https://x", certificate-authority: /nonexistent/ca}}]
)");
  EXPECT_FALSE(load_kubeconfig(missing_file, &error));
  EXPECT_NE(error.find("/nonexistent/ca"), std::string::npos) << error;
}

// Found by the kubeconfig fuzz target: base64 without its '=' padding decoded up to two bytes
// past the end of the buffer sized for it (a heap or stack overflow), and lost those bytes.
TEST(KubeConfig, UnpaddedBase64DataDecodesWithinItsBuffer) {
  const std::string ca =
      "-----BEGIN CERTIFICATE-----\nMIIBkT";  // 34 bytes: 46 base64 chars, unpadded
  const std::string text = R"(
current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443",
  certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJrVA}}]
)";
  std::string error;
  const auto config = parse_kubeconfig(
      text, "/nowhere/config", [](const std::string&) { return std::nullopt; }, &error);
  ASSERT_TRUE(config) << error;
  EXPECT_EQ(config->ca_pem, ca);
}

TEST(KubeConfig, InClusterNeedsTheServiceEnvironment) {
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  std::string error;
  EXPECT_FALSE(in_cluster_config(&error));
  EXPECT_NE(error.find("not in a cluster"), std::string::npos);
}

TEST(Resource, Paths) {
  EXPECT_EQ(resource_path(kPods, "ns"), "/api/v1/namespaces/ns/pods");
  EXPECT_EQ(resource_path(kPods, ""), "/api/v1/pods");
  EXPECT_EQ(resource_path(kLoadTests, "a", "b", "status"),
            "/apis/stampede.dev/v1alpha1/namespaces/a/loadtests/b/status");
  EXPECT_EQ(resource_path(kJobs, "a", "j"), "/apis/batch/v1/namespaces/a/jobs/j");
  EXPECT_EQ(kLoadTests.api_version(), "stampede.dev/v1alpha1");
  EXPECT_EQ(kPods.api_version(), "v1");
  EXPECT_EQ(query_escape("app=x,stampede.dev/loadtest in (a b)"),
            "app%3Dx%2Cstampede.dev%2Floadtest%20in%20%28a%20b%29");
}

TEST(Result, MapsApiStatusesToTypedErrors) {
  const auto not_found = to_result(
      {404, R"({"kind":"Status","reason":"NotFound","message":"loadtests \"x\" not found"})", ""});
  EXPECT_EQ(not_found.error, ApiError::kNotFound);
  EXPECT_EQ(not_found.message, "loadtests \"x\" not found");
  EXPECT_EQ(to_result({409, R"({"reason":"AlreadyExists"})", ""}).error, ApiError::kAlreadyExists);
  EXPECT_EQ(to_result({409, R"({"reason":"Conflict"})", ""}).error, ApiError::kConflict);
  EXPECT_EQ(to_result({410, "{}", ""}).error, ApiError::kGone);
  EXPECT_EQ(to_result({422, "{}", ""}).error, ApiError::kInvalid);
  EXPECT_EQ(to_result({503, "not json", ""}).error, ApiError::kServerError);
  EXPECT_EQ(to_result({0, "", "connect refused"}).error, ApiError::kTransport);
  const auto ok = to_result({200, R"({"kind":"Pod"})", ""});
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.object["kind"], "Pod");
  EXPECT_EQ(to_result({200, "garbage", ""}).error, ApiError::kOther);
}

}  // namespace
}  // namespace stampede::kube

namespace stampede::kube {
namespace {

// A projected service-account token rotates: the client sends the file's current token.
TEST(ApiClient, RereadsARotatedTokenFile) {
  std::string seen;
  HttpServer server([&](const HttpRequest& r) {
    seen = r.authorization;
    HttpResponse out;
    out.body = "{}";
    return out;
  });
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  const std::string token_file = write_file("token", "first\n");
  KubeConfig config;
  config.scheme = "http";
  config.host = "127.0.0.1";
  config.port = std::to_string(server.port());
  config.token_file = token_file;
  ApiClient client(config);
  ASSERT_TRUE(client.send({"GET", "/api", "", "", Millis(5000)}).ok());
  EXPECT_EQ(seen, "Bearer first");
  std::ofstream(token_file) << "second";
  // The kubelet replaces the file; make its modification time differ as a new file's would.
  const timespec later[2] = {{0, UTIME_OMIT}, {std::time(nullptr) + 5, 0}};
  ::utimensat(AT_FDCWD, token_file.c_str(), later, 0);
  ASSERT_TRUE(client.send({"GET", "/api", "", "", Millis(5000)}).ok());
  EXPECT_EQ(seen, "Bearer second");
}

TEST(ApiClient, ADeadlineEndsACallToAServerThatNeverAnswers) {
  HttpServer server([](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    return HttpResponse{};
  });
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  KubeConfig config;
  config.scheme = "http";
  config.host = "127.0.0.1";
  config.port = std::to_string(server.port());
  ApiClient client(config);
  const auto started = std::chrono::steady_clock::now();
  const ApiResponse r = client.send({"GET", "/slow", "", "", Millis(200)});
  EXPECT_FALSE(r.transport_error.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(700));
}

// A server that misbehaves on cue, one connection at a time: for each request it answers, answers
// and then closes, or closes without answering. It counts what it received, by method.
class ScriptedServer {
 public:
  enum class Reply { kAnswer, kAnswerThenClose, kCloseWithoutAnswer };
  // (request number of this method, counting from 1) -> what to do.
  using Script = std::function<Reply(const std::string& method, int nth)>;

  explicit ScriptedServer(Script script)
      : script_(std::move(script)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        thread_([this] { serve(); }) {}
  ~ScriptedServer() {
    stopping_ = true;
    boost::asio::ip::tcp::socket poke(io_);  // wakes the blocking accept
    boost::system::error_code ignored;
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int received(const std::string& method) const {
    const std::lock_guard lock(mutex_);
    const auto it = counts_.find(method);
    return it == counts_.end() ? 0 : it->second;
  }
  int connections() const { return connections_; }
  int closed() const { return closed_; }

 private:
  void serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++connections_;
      boost::beast::flat_buffer buffer;
      for (;;) {
        http::request<http::string_body> request;
        http::read(socket, buffer, request, ec);
        if (ec) break;
        const std::string method(request.method_string());
        int nth = 0;
        {
          const std::lock_guard lock(mutex_);
          nth = ++counts_[method];
        }
        const Reply reply = script_(method, nth);
        if (reply == Reply::kCloseWithoutAnswer) break;
        http::response<http::string_body> response{http::status::ok, 11};
        response.set(http::field::content_type, "application/json");
        response.body() = "{}";
        response.keep_alive(true);  // even when it closes next: as an idle timeout would
        response.prepare_payload();
        http::write(socket, response, ec);
        if (ec || reply == Reply::kAnswerThenClose) break;
      }
      socket.close(ec);
      ++closed_;
    }
  }

  Script script_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  mutable std::mutex mutex_;
  std::map<std::string, int> counts_;
  std::atomic<int> connections_{0};
  std::atomic<int> closed_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

KubeConfig plain_http(std::uint16_t port) {
  KubeConfig config;
  config.scheme = "http";
  config.host = "127.0.0.1";
  config.port = std::to_string(port);
  return config;
}

using Reply = ScriptedServer::Reply;

// The POST reached the server, which closed before answering: it may have been carried out,
// so the client reports the failure instead of sending it again (an Event created twice).
TEST(ApiClient, APostWhoseAnswerWasLostIsNotSentAgain) {
  ScriptedServer server([](const std::string& method, int) {
    return method == "POST" ? Reply::kCloseWithoutAnswer : Reply::kAnswer;
  });
  ApiClient client(plain_http(server.port()));
  ASSERT_TRUE(client.send({"GET", "/api", "", "", Millis(5000)}).ok());
  const ApiResponse r = client.send({"POST", "/api/v1/namespaces/ns/events", R"({"kind":"Event"})",
                                     "application/json", Millis(5000)});
  EXPECT_FALSE(r.transport_error.empty()) << "the answer never came";
  EXPECT_EQ(server.received("POST"), 1) << "the POST was sent twice";
}

// The same for a GET is harmless: one more try on a fresh connection.
TEST(ApiClient, AGetWhoseAnswerWasLostIsRetriedOnce) {
  ScriptedServer server([](const std::string&, int nth) {
    return nth == 2 ? Reply::kCloseWithoutAnswer : Reply::kAnswer;
  });
  ApiClient client(plain_http(server.port()));
  ASSERT_TRUE(client.send({"GET", "/api", "", "", Millis(5000)}).ok());
  const ApiResponse r = client.send({"GET", "/api", "", "", Millis(5000)});
  EXPECT_TRUE(r.ok()) << r.transport_error;
  EXPECT_EQ(server.received("GET"), 3);
  EXPECT_EQ(server.connections(), 2);
}

// A kept-alive connection the server closed while idle is not used: the POST goes out once, on
// a fresh connection, and succeeds.
TEST(ApiClient, AConnectionClosedWhileIdleIsNotUsedForAPost) {
  ScriptedServer server([](const std::string& method, int) {
    return method == "GET" ? Reply::kAnswerThenClose : Reply::kAnswer;
  });
  ApiClient client(plain_http(server.port()));
  ASSERT_TRUE(client.send({"GET", "/api", "", "", Millis(5000)}).ok());
  for (int i = 0; i < 500 && server.closed() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(server.closed(), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // its FIN reaches the client
  const ApiResponse r =
      client.send({"POST", "/api/v1/namespaces/ns/events", "{}", "application/json", Millis(5000)});
  EXPECT_TRUE(r.ok()) << r.transport_error;
  EXPECT_EQ(server.received("POST"), 1);
}

// A host name that does not resolve fails within the call, with the name in the message.
TEST(ApiClient, AnUnresolvableHostFailsWithItsName) {
  KubeConfig config = plain_http(80);
  config.host = "no-such-host.invalid";
  ApiClient client(config);
  const auto started = std::chrono::steady_clock::now();
  const ApiResponse r = client.send({"GET", "/api", "", "", Millis(3000)});
  EXPECT_NE(r.transport_error.find("cannot resolve no-such-host.invalid"), std::string::npos)
      << r.transport_error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(3500));
}

}  // namespace
}  // namespace stampede::kube
