// Runs the real stampede-target binary and checks /api/secure and /api/secure/admin with HS256
// tokens signed here (OpenSSL HMAC), independently of the server's verifier.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using namespace std::chrono_literals;
// Parsed documents stay non-const: a missing key then fails an expectation instead of tripping
// the assertion in nlohmann's const operator[].
using Json = nlohmann::json;

constexpr const char* kBinary = STAMPEDE_TARGET_BIN;
constexpr std::string_view kSecret = "test-secret";

std::string base64url(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                   static_cast<unsigned char>(bytes[i + 2]);
    for (const int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
  if (rest == 2) n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  out += kAlphabet[(n >> 18) & 63];
  out += kAlphabet[(n >> 12) & 63];
  if (rest == 2) out += kAlphabet[(n >> 6) & 63];
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  return {reinterpret_cast<const char*>(mac.data()), length};
}

std::string make_jwt(const Json& claims, std::string_view secret = kSecret,
                     const Json& header = {{"alg", "HS256"}, {"typ", "JWT"}}) {
  const std::string input = base64url(header.dump()) + "." + base64url(claims.dump());
  return input + "." + base64url(hmac_sha256(secret, input));
}

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void expect_clean_stop(TargetProcess& target) {
  const auto status = target.stop();
  EXPECT_EQ(status.code, 0) << status.to_string() << "\n" << target.process().stderr_text();
}

class TargetJwtTest : public ::testing::Test {
 protected:
  void TearDown() override { expect_clean_stop(target_); }
  HttpResponse get(std::string_view path, const std::string& token) {
    return connection_.request("GET", path, {}, {{"Authorization", "Bearer " + token}});
  }
  // Expects a 401 challenge whose JSON body names `reason`.
  void expect_rejected(const HttpResponse& response, std::string_view reason) {
    EXPECT_EQ(response.status, 401) << response.body;
    EXPECT_EQ(response.header("WWW-Authenticate"), R"(Bearer error="invalid_token")");
    Json body = Json::parse(response.body);
    EXPECT_EQ(body["error"], "invalid_token");
    EXPECT_EQ(body["reason"], reason);
  }
  Json api_stats() { return Json::parse(target_.get("/__stats").body)["api"]; }

  TargetProcess target_{kBinary, {"--jwt-secret", std::string(kSecret)}};
  HttpConnection connection_{target_.host(), target_.port()};
};

TEST_F(TargetJwtTest, ValidTokenIsAcceptedAndClaimsEchoed) {
  const Json claims{{"sub", "user-42"}, {"role", "viewer"}, {"exp", unix_now() + 3600}};
  const auto response = get("/api/secure", make_jwt(claims));
  ASSERT_EQ(response.status, 200) << response.body;
  Json body = Json::parse(response.body);
  EXPECT_EQ(body["sub"], "user-42");
  EXPECT_EQ(body["role"], "viewer");
  EXPECT_EQ(body["claims"], claims);
  // Without exp a token does not expire; the scheme name is case-insensitive.
  const auto lower = connection_.request("GET", "/api/secure", {},
                                         {{"Authorization", "bearer " + make_jwt({{"sub", "a"}})}});
  EXPECT_EQ(lower.status, 200);
  EXPECT_EQ(api_stats()["jwt_accepted"], 2);
}

TEST_F(TargetJwtTest, TamperedSignatureIs401) {
  std::string token = make_jwt({{"sub", "u"}, {"role", "viewer"}});
  const auto dot = token.rfind('.');
  token[dot + 1] = token[dot + 1] == 'A' ? 'B' : 'A';
  expect_rejected(get("/api/secure", token), "bad signature");
  // A payload swapped under another token's signature is refused too.
  const std::string admin = make_jwt({{"sub", "u"}, {"role", "admin"}});
  const std::string viewer = make_jwt({{"sub", "u"}, {"role", "viewer"}});
  const std::string forged = admin.substr(0, admin.rfind('.')) + viewer.substr(viewer.rfind('.'));
  expect_rejected(get("/api/secure/admin", forged), "bad signature");
  expect_rejected(get("/api/secure", make_jwt({{"sub", "u"}}, "other-secret")), "bad signature");
}

TEST_F(TargetJwtTest, ExpiredTokenIs401) {
  expect_rejected(get("/api/secure", make_jwt({{"sub", "u"}, {"exp", unix_now() - 10}})),
                  "token expired");
  expect_rejected(get("/api/secure", make_jwt({{"sub", "u"}, {"exp", "tomorrow"}})),
                  "malformed token");
}

TEST_F(TargetJwtTest, WrongAlgIs401) {
  expect_rejected(get("/api/secure", make_jwt({{"sub", "u"}}, kSecret, {{"alg", "HS512"}})),
                  "unsupported alg (only HS256)");
  const std::string none = base64url(R"({"alg":"none"})") + "." + base64url(R"({"sub":"u"})") + ".";
  expect_rejected(get("/api/secure", none), "unsupported alg (only HS256)");
}

TEST_F(TargetJwtTest, MissingOrMalformedTokenIs401) {
  expect_rejected(connection_.request("GET", "/api/secure"), "missing bearer token");
  expect_rejected(connection_.request("GET", "/api/secure", {}, {{"Authorization", "Basic eDp5"}}),
                  "missing bearer token");
  // "WzFd" is "[1]": a header that is JSON but not an object.
  for (const char* token : {"abc", "a.b", "a.b.c.d", "!!.??.**", "WzFd.e30.e30"}) {
    expect_rejected(get("/api/secure", token), "malformed token");
  }
  // Correctly signed, but the payload is not JSON.
  const std::string input = base64url(R"({"alg":"HS256"})") + "." + base64url("not json");
  expect_rejected(get("/api/secure", input + "." + base64url(hmac_sha256(kSecret, input))),
                  "malformed token");
  EXPECT_EQ(api_stats()["jwt_rejected"], 8);
}

TEST_F(TargetJwtTest, AdminEndpointNeedsTheAdminRole) {
  const auto viewer = get("/api/secure/admin", make_jwt({{"sub", "u"}, {"role", "viewer"}}));
  EXPECT_EQ(viewer.status, 403);
  EXPECT_EQ(Json::parse(viewer.body)["error"], "forbidden");
  EXPECT_EQ(get("/api/secure/admin", make_jwt({{"sub", "u"}})).status, 403);
  const auto admin = get("/api/secure/admin", make_jwt({{"sub", "root"}, {"role", "admin"}}));
  EXPECT_EQ(admin.status, 200);
  EXPECT_EQ(Json::parse(admin.body)["role"], "admin");
  expect_rejected(get("/api/secure/admin", "x.y.z"), "malformed token");
  Json api = api_stats();
  EXPECT_EQ(api["jwt_forbidden"], 2);
  EXPECT_EQ(api["jwt_accepted"], 1);
  EXPECT_EQ(api["jwt_rejected"], 1);
}

// The secret comes from --jwt-secret, else the environment, else the documented default.
TEST(TargetJwtSecretTest, FlagThenEnvironmentThenDefault) {
  const auto accepts = [](const Env& env, std::vector<std::string> args, std::string_view secret) {
    std::vector<std::string> argv{kBinary, "--listen", "127.0.0.1:0", "--quiet"};
    argv.insert(argv.end(), args.begin(), args.end());
    Subprocess process(argv, env);
    const auto line = process.wait_for_line("listening on ", 20s);
    if (!line) return -1;
    const auto url = parse_http_url(line->substr(std::string_view("listening on ").size()));
    const auto response =
        http_get(url->first, url->second, "/api/secure",
                 {{"Authorization", "Bearer " + make_jwt({{"sub", "u"}}, secret)}});
    process.terminate();
    return response.status;
  };
  const Env unset{{"STAMPEDE_TARGET_JWT_SECRET", ""}};  // empty counts as unset
  EXPECT_EQ(accepts(unset, {}, "stampede-demo-secret"), 200);
  EXPECT_EQ(accepts(unset, {}, "other"), 401);
  const Env env{{"STAMPEDE_TARGET_JWT_SECRET", "from-env"}};
  EXPECT_EQ(accepts(env, {}, "from-env"), 200);
  EXPECT_EQ(accepts(env, {}, "stampede-demo-secret"), 401);
  EXPECT_EQ(accepts(env, {"--jwt-secret", "from-flag"}, "from-flag"), 200);
  EXPECT_EQ(accepts(env, {"--jwt-secret", "from-flag"}, "from-env"), 401);
}

}  // namespace
}  // namespace stampede::testing
