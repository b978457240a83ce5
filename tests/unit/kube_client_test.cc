// The Kubernetes client's pure parts: kubeconfig reading, REST paths, API error mapping.
#include "kube/kube_client.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
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

}  // namespace
}  // namespace stampede::kube
