#include "sim/trace.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <openssl/evp.h>

namespace roost::sim {
namespace {

// Canonical bytes: fixed-width little-endian integers, length-prefixed strings, one tag per value type,
// so that no two different records can encode to the same bytes.
void put_u64(std::string& out, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out.append(b, 8);
}
void put_str(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

}  // namespace

struct Trace::Digest {
  EVP_MD_CTX* ctx = nullptr;
  std::string hex;
  Digest() {
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("trace: cannot initialise the SHA-256 digest");
  }
  ~Digest() { EVP_MD_CTX_free(ctx); }
};

Trace::Trace(core::LogLevel level) : level_(level), digest_(std::make_unique<Digest>()) {}
Trace::~Trace() = default;

void Trace::feed(const std::string& bytes) {
  if (!digest_->hex.empty()) throw std::logic_error("trace: fed after the hash was taken");
  EVP_DigestUpdate(digest_->ctx, bytes.data(), bytes.size());
}

void Trace::record(TraceRecord r) {
  scratch_.clear();
  scratch_.push_back('T');
  put_u64(scratch_, static_cast<std::uint64_t>(r.t.time_since_epoch().count()));
  put_str(scratch_, r.node);
  scratch_.push_back(static_cast<char>(r.level));
  put_str(scratch_, r.event);
  put_u64(scratch_, r.fields.size());
  for (const auto& f : r.fields) {
    put_str(scratch_, f.key);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::int64_t>) {
            scratch_.push_back('i');
            put_u64(scratch_, static_cast<std::uint64_t>(v));
          } else if constexpr (std::is_same_v<T, double>) {
            scratch_.push_back('d');
            std::uint64_t bits;
            std::memcpy(&bits, &v, sizeof bits);
            put_u64(scratch_, bits);
          } else if constexpr (std::is_same_v<T, bool>) {
            scratch_.push_back('b');
            scratch_.push_back(v ? 1 : 0);
          } else {
            scratch_.push_back('s');
            put_str(scratch_, v);
          }
        },
        f.value);
  }
  feed(scratch_);
  records_.push_back(std::move(r));
}

void Trace::delivered(std::int64_t t_ns, const std::string& from, const std::string& to, core::Network net,
                      core::MessageTypeId type, std::size_t size) {
  scratch_.clear();
  scratch_.push_back('M');
  put_u64(scratch_, static_cast<std::uint64_t>(t_ns));
  put_str(scratch_, from);
  put_str(scratch_, to);
  scratch_.push_back(static_cast<char>(net));
  put_u64(scratch_, type);
  put_u64(scratch_, size);
  feed(scratch_);
}

std::vector<TraceRecord> Trace::take_records() {
  // Actors woken at the same instant may stamp their records a nanosecond apart in either order
  // (SimGrid's clock is a double); a stable sort gives readers a time-ordered trace.
  std::stable_sort(records_.begin(), records_.end(),
                   [](const TraceRecord& a, const TraceRecord& b) { return a.t < b.t; });
  return std::move(records_);
}

std::string Trace::hash_hex() {
  if (digest_->hex.empty()) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(digest_->ctx, md, &len) != 1) throw std::runtime_error("trace: SHA-256 failed");
    static const char* hex = "0123456789abcdef";
    for (unsigned i = 0; i < len; ++i) {
      digest_->hex.push_back(hex[md[i] >> 4]);
      digest_->hex.push_back(hex[md[i] & 0xf]);
    }
  }
  return digest_->hex;
}

}  // namespace roost::sim
