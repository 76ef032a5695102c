// backends::OpenSslCrypto (what both runtimes' Env::crypto() return): HMAC-SHA512 against the test
// vectors of RFC 4231 section 4, and the constant-time comparison.
#include <gtest/gtest.h>

#include <string>

#include "backends/openssl_crypto.h"

namespace roost::backends {
namespace {

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string repeat(unsigned char byte, std::size_t n) { return std::string(n, static_cast<char>(byte)); }

struct Rfc4231Case {
  const char* name;
  std::string key;
  std::string data;
  const char* hmac_sha512;  // hex; test case 5 gives only the first 128 bits
};

TEST(OpenSslCrypto, HmacSha512MatchesRfc4231) {
  std::string key4;
  for (int b = 1; b <= 25; ++b) key4 += static_cast<char>(b);
  const Rfc4231Case cases[] = {
      {"1", repeat(0x0b, 20), "Hi There",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4"
       "be9d914eeb61f1702e696c203a126854"},
      {"2 (key shorter than the length of the HMAC output)", "Jefe", "what do ya want for nothing?",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fd"
       "caeab1a34d4a6b4b636e070a38bce737"},
      {"3 (combined length of key and data larger than 64 bytes)", repeat(0xaa, 20), repeat(0xdd, 50),
       "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807"
       "b946a337bee8942674278859e13292fb"},
      {"4", key4, repeat(0xcd, 50),
       "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063"
       "a5f19741120c4f2de2adebeb10a298dd"},
      {"5 (truncated to 128 bits)", repeat(0x0c, 20), "Test With Truncation", "415fad6271580a531d4179bc891d87a6"},
      {"6 (key larger than the block size)", repeat(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e52"
       "95e64f73f63f0aec8b915a985d786598"},
      {"7 (key and data larger than the block size)", repeat(0xaa, 131),
       "This is a test using a larger than block-size key and a larger than block-size data. The key needs to "
       "be hashed before being used by the HMAC algorithm.",
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15"
       "134676fb6de0446065c97440fa8c6a58"},
  };
  const core::Crypto& crypto = openssl_crypto();
  for (const auto& c : cases) {
    const std::string mac = crypto.hmac_sha512(c.key, c.data);
    ASSERT_EQ(mac.size(), 64u) << "test case " << c.name;
    const std::string want = c.hmac_sha512;
    EXPECT_EQ(hex(mac).substr(0, want.size()), want) << "RFC 4231 test case " << c.name;
  }
}

TEST(OpenSslCrypto, EmptyKeyAndDataAreValid) {
  // An empty key is a key of zeros (RFC 2104), not "no key": the MAC differs from that of a one-byte key.
  EXPECT_EQ(hex(openssl_crypto().hmac_sha512("", "")),
            "b936cee86c9f87aa5d3c6f2e84cb5a4239a5fe50480a6ec66b70ab5b1f4ac6730c6c515421b327ec1d69402e53dfb4"
            "9ad7381eb067b338fd7b0cb22247225d47");
  EXPECT_NE(openssl_crypto().hmac_sha512("", "x"), openssl_crypto().hmac_sha512(std::string(1, 'k'), "x"));
}

TEST(OpenSslCrypto, EqualComparesBytesAndSizes) {
  const core::Crypto& crypto = openssl_crypto();
  const std::string mac = crypto.hmac_sha512("k", "hello");
  EXPECT_TRUE(crypto.equal(mac, crypto.hmac_sha512("k", "hello")));
  std::string flipped = mac;
  flipped.back() = static_cast<char>(flipped.back() ^ 1);
  EXPECT_FALSE(crypto.equal(mac, flipped));
  flipped = mac;
  flipped.front() = static_cast<char>(flipped.front() ^ 0x80);
  EXPECT_FALSE(crypto.equal(mac, flipped));
  EXPECT_FALSE(crypto.equal(mac, mac.substr(0, 63))) << "a prefix is not equal";
  EXPECT_FALSE(crypto.equal("", "a"));
  EXPECT_TRUE(crypto.equal("", ""));
  EXPECT_TRUE(crypto.equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(crypto.equal(std::string("a\0b", 3), std::string("a\0c", 3))) << "bytes after a NUL count";
}

}  // namespace
}  // namespace roost::backends
