#include "backends/openssl_crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>
#include <stdexcept>

namespace roost::backends {

std::string OpenSslCrypto::hmac_sha512(std::string_view key, std::string_view data) const {
  if (key.size() > static_cast<std::size_t>(INT_MAX))
    throw std::invalid_argument("HMAC-SHA512: a key of " + std::to_string(key.size()) + " bytes is too long");
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  // HMAC() reads a null key as "no key given": an empty key must still be a valid pointer.
  static const unsigned char kEmpty[1] = {0};
  const void* key_ptr = key.empty() ? static_cast<const void*>(kEmpty) : static_cast<const void*>(key.data());
  const auto* data_ptr = data.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  if (!HMAC(EVP_sha512(), key_ptr, static_cast<int>(key.size()), data_ptr, data.size(), out, &out_len) ||
      out_len != 64)
    throw std::runtime_error("OpenSSL HMAC-SHA512 failed");
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

bool OpenSslCrypto::equal(std::string_view a, std::string_view b) const {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

const core::Crypto& openssl_crypto() {
  static const OpenSslCrypto instance;
  return instance;
}

}  // namespace roost::backends
