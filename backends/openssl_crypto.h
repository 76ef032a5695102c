// core::Crypto over OpenSSL (libcrypto): what both runtimes' Env::crypto() return. A library of its own,
// so that the simulation can link it without the rest of the real runtime (Boost.Asio, Beast, SQLite).
#pragma once

#include <string>
#include <string_view>

#include "platform/core/crypto.h"

namespace roost::backends {

class OpenSslCrypto final : public core::Crypto {
 public:
  // HMAC-SHA512 (RFC 2104 over SHA-512): 64 raw bytes. Throws std::runtime_error if OpenSSL fails
  // (it does not for any key or data size, short of running out of memory).
  std::string hmac_sha512(std::string_view key, std::string_view data) const override;
  // CRYPTO_memcmp: the time taken depends on the length only, never on where the bytes differ.
  bool equal(std::string_view a, std::string_view b) const override;
};

// The process's one instance (the computations are stateless and thread-safe).
const core::Crypto& openssl_crypto();

}  // namespace roost::backends
