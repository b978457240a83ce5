// Against Debian's nginx: the runner's counts equal the server's access log, over HTTP and TLS.
#include "support/nginx.h"

#include <gtest/gtest.h>

#include "support/stampede_run.h"

namespace stampede::testing {
namespace {

std::string plan(const std::string& target_block, const std::string& load) {
  return "target:\n" + target_block + "load: " + load + R"(
scenarios:
  - name: web
    tasks:
      - {weight: 4, steps: [{get: /, name: home}]}
      - {steps: [{get: /notfound, name: missing, expect: {status: [404]}}]}
)";
}

TEST(Nginx, CountsEqualTheAccessLog) {
  ASSERT_TRUE(nginx_available()) << "nginx-light is not installed (scripts/install-deps test)";
  NginxProcess nginx;
  const auto run =
      run_stampede("run", plan("  url: " + nginx.url() + "\n", "{users: 20, duration: 2s}"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto requests = run.result["totals"]["requests"].get<std::uint64_t>();
  EXPECT_GT(requests, 2000u);
  EXPECT_EQ(run.result["totals"]["failures"], 0);
  EXPECT_EQ(requests, nginx.requests());
}

TEST(Nginx, OpenModelRateAgainstNginx) {
  ASSERT_TRUE(nginx_available());
  NginxProcess nginx;
  const auto run =
      run_stampede("run", plan("  url: " + nginx.url() + "\n", "{rate: 1000, duration: 3s}"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const double requests = run.result["totals"]["requests"].get<double>();
  EXPECT_NEAR(requests, 3000, 3000 * 0.02);
  EXPECT_EQ(static_cast<std::uint64_t>(requests), nginx.requests());
}

TEST(Nginx, TlsVerifiesCertificates) {
  ASSERT_TRUE(nginx_available());
  NginxProcess nginx({.tls = true});
  const std::string load = "{users: 2, duration: 1s}";
  // Without the CA the self-signed certificate is refused: every request is a TLS error.
  const auto untrusted = run_stampede("run", plan("  url: " + nginx.url() + "\n", load));
  ASSERT_EQ(untrusted.exit_code, 0) << untrusted.describe();
  const auto total = untrusted.result["totals"]["requests"].get<std::uint64_t>();
  EXPECT_GT(total, 0u);
  EXPECT_EQ(untrusted.result["errors"]["tls"].get<std::uint64_t>(), total);
  // With the CA file it verifies, and also when verification is switched off.
  for (const std::string& tls : {"  tls: {caFile: " + nginx.certificate() + "}\n",
                                 std::string("  tls: {insecureSkipVerify: true}\n")}) {
    const std::uint64_t before = nginx.requests();
    const auto run = run_stampede("run", plan("  url: " + nginx.url() + "\n" + tls, load));
    ASSERT_EQ(run.exit_code, 0) << run.describe();
    const auto requests = run.result["totals"]["requests"].get<std::uint64_t>();
    EXPECT_GT(requests, 100u) << tls;
    EXPECT_EQ(run.result["totals"]["failures"], 0) << tls;
    EXPECT_EQ(requests, nginx.requests() - before) << tls;
  }
}

}  // namespace
}  // namespace stampede::testing
