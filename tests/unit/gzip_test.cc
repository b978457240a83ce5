#include "base/gzip.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace stampede {
namespace {

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

TEST(Gzip, RoundTripsTextBinaryAndNothing) {
  std::string error;
  for (const std::string& data :
       {std::string(), std::string("{\"schema\":\"stampede.result/v1\"}"),
        random_bytes(std::size_t{300} * 1024, 1), std::string(5 << 20, 'x')}) {
    const std::string packed = gzip(data);
    EXPECT_TRUE(is_gzip(packed));
    const auto back = gunzip(packed, data.size(), &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(*back, data);
  }
}

TEST(Gzip, CompressesJsonSeveralFold) {
  std::string text = "[";
  for (int i = 0; i < 20000; ++i) text += "{\"t\":" + std::to_string(i) + ",\"requests\":1000},";
  text += "{}]";
  EXPECT_LT(gzip(text).size() * 5, text.size());
}

// Members written one after another read as their contents one after another (gzip(1)).
TEST(Gzip, ConcatenatedMembersReadAsOne) {
  std::string error;
  const auto back = gunzip(gzip("first ") + gzip("second"), 100, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, "first second");
}

TEST(Gzip, RefusesWhatIsNotGzipCutOrCorrupt) {
  std::string error;
  EXPECT_FALSE(is_gzip("{}"));
  EXPECT_FALSE(gunzip("{}", 100, &error));
  EXPECT_EQ(error, "not gzip data");
  const std::string packed = gzip(random_bytes(10000, 2));
  EXPECT_FALSE(gunzip(packed.substr(0, packed.size() - 9), 1 << 20, &error));
  EXPECT_EQ(error, "gzip data cut short");
  std::string corrupt = packed;
  corrupt[packed.size() - 5] = static_cast<char>(corrupt[packed.size() - 5] ^ 0x01);  // the CRC
  EXPECT_FALSE(gunzip(corrupt, 1 << 20, &error));
  EXPECT_EQ(error, "corrupt gzip data");
  EXPECT_FALSE(gunzip(packed + "trailing garbage", 1 << 20, &error));
  EXPECT_EQ(error, "corrupt gzip data");
}

// A small input may expand a thousandfold: the limit holds, whatever the input says.
TEST(Gzip, StopsAtTheLimit) {
  std::string error;
  const std::string bomb = gzip(std::string(std::size_t{64} << 20, '\0'));
  EXPECT_LT(bomb.size(), 100u * 1024);
  EXPECT_FALSE(gunzip(bomb, std::size_t{1} << 20, &error));
  EXPECT_EQ(error, "larger than 1048576 bytes uncompressed");
  EXPECT_TRUE(gunzip(bomb, std::size_t{64} << 20, &error)) << error;
}

}  // namespace
}  // namespace stampede
