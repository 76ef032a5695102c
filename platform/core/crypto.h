// Pure cryptographic computations platform code needs and the standard library lacks. Both runtimes
// implement it with OpenSSL (backends/openssl_crypto); platform code reaches it through Env::crypto(),
// because the sans-I/O rule keeps OpenSSL's headers out of platform/.
#pragma once

#include <string>
#include <string_view>

namespace roost::core {

class Crypto {
 public:
  virtual ~Crypto() = default;
  // HMAC-SHA512 of `data` under `key`: 64 raw bytes.
  virtual std::string hmac_sha512(std::string_view key, std::string_view data) const = 0;
  // Constant-time comparison of two byte strings (false when the sizes differ).
  virtual bool equal(std::string_view a, std::string_view b) const = 0;
};

}  // namespace roost::core
