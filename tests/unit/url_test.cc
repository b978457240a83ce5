#include "plan/url.h"

#include <gtest/gtest.h>

namespace stampede {
namespace {

Url url_ok(std::string_view text) {
  std::string error;
  std::optional<Url> url = parse_url(text, &error);
  EXPECT_TRUE(url.has_value()) << text << ": " << error;
  return url.value_or(Url{});
}

std::string url_error(std::string_view text) {
  std::string error;
  std::optional<Url> url = parse_url(text, &error);
  EXPECT_FALSE(url.has_value()) << text << " parsed unexpectedly";
  return error;
}

TEST(UrlTest, HttpWithDefaultPort) {
  Url url = url_ok("http://example.com");
  EXPECT_EQ(url.scheme, "http");
  EXPECT_EQ(url.host, "example.com");
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.base_path, "");
  EXPECT_FALSE(url.tls());
  EXPECT_EQ(url.authority(), "example.com");
}

TEST(UrlTest, HttpsWithDefaultPort) {
  Url url = url_ok("https://api.example.com/");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.port, 443);
  EXPECT_TRUE(url.tls());
  EXPECT_EQ(url.base_path, "");
  EXPECT_EQ(url.authority(), "api.example.com");
}

TEST(UrlTest, ExplicitPortAppearsInAuthority) {
  Url url = url_ok("http://localhost:8080");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.authority(), "localhost:8080");
  EXPECT_EQ(url_ok("https://h:80").authority(), "h:80");
  EXPECT_EQ(url_ok("http://h:80").authority(), "h");
  EXPECT_EQ(url_ok("https://h:443").authority(), "h");
}

TEST(UrlTest, SchemeAndHostAreCaseInsensitive) {
  Url url = url_ok("HTTPS://Example.COM");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.host, "example.com");
}

TEST(UrlTest, Ipv6Literal) {
  Url url = url_ok("http://[::1]:8080/v1");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.base_path, "/v1");
  EXPECT_EQ(url.authority(), "[::1]:8080");
  EXPECT_EQ(url_ok("https://[2001:db8::2]").authority(), "[2001:db8::2]");
}

TEST(UrlTest, BasePathWithoutTrailingSlash) {
  EXPECT_EQ(url_ok("http://h/api/v2/").base_path, "/api/v2");
  EXPECT_EQ(url_ok("http://h/api//").base_path, "/api");
  EXPECT_EQ(url_ok("http://h:81/api").base_path, "/api");
}

TEST(UrlTest, JoinPaths) {
  Url root = url_ok("http://h");
  EXPECT_EQ(root.join("/x"), "/x");
  EXPECT_EQ(root.join("x"), "/x");
  EXPECT_EQ(root.join(""), "/");
  EXPECT_EQ(root.join("/search?q=a b"), "/search?q=a b");
  Url based = url_ok("http://h/api/");
  EXPECT_EQ(based.join("/users?page=2"), "/api/users?page=2");
  EXPECT_EQ(based.join("users"), "/api/users");
  EXPECT_EQ(based.join("/"), "/api/");
  EXPECT_EQ(based.join(""), "/api");
  EXPECT_EQ(based.join("?q=1"), "/api?q=1");
}

TEST(UrlTest, RejectsOtherSchemes) {
  EXPECT_NE(url_error("ftp://example.com").find("unsupported scheme 'ftp'"), std::string::npos);
  EXPECT_NE(url_error("example.com").find("http:// or https://"), std::string::npos);
  EXPECT_NE(url_error("").find("empty"), std::string::npos);
}

TEST(UrlTest, RejectsMissingHost) {
  EXPECT_EQ(url_error("http://"), "missing host");
  EXPECT_EQ(url_error("http://:8080"), "missing host");
  EXPECT_EQ(url_error("http:///path"), "missing host");
}

TEST(UrlTest, RejectsBadPorts) {
  EXPECT_NE(url_error("http://h:0").find("invalid port '0'"), std::string::npos);
  EXPECT_NE(url_error("http://h:70000").find("invalid port '70000'"), std::string::npos);
  EXPECT_NE(url_error("http://h:abc").find("invalid port 'abc'"), std::string::npos);
  EXPECT_NE(url_error("http://h:-1").find("invalid port"), std::string::npos);
  EXPECT_EQ(url_error("http://h:"), "empty port");
  EXPECT_EQ(url_ok("http://h:65535").port, 65535);
  EXPECT_EQ(url_ok("http://h:1").port, 1);
}

TEST(UrlTest, RejectsSpacesAndOtherMistakes) {
  EXPECT_NE(url_error("http://exa mple.com").find("spaces"), std::string::npos);
  EXPECT_NE(url_error(" http://h").find("spaces"), std::string::npos);
  EXPECT_NE(url_error("http://h/a b").find("spaces"), std::string::npos);
  EXPECT_NE(url_error("http://h/?q=1").find("query"), std::string::npos);
  EXPECT_NE(url_error("http://user:pw@h").find("credentials"), std::string::npos);
  EXPECT_NE(url_error("http://[::1").find(']'), std::string::npos);
  EXPECT_NE(url_error("http://[zz]").find("IPv6"), std::string::npos);
  EXPECT_NE(url_error("http://h_%/").find("invalid host"), std::string::npos);
}

TEST(UrlTest, NullErrorPointerIsAllowed) {
  EXPECT_FALSE(parse_url("ftp://h", nullptr));
}

}  // namespace
}  // namespace stampede
