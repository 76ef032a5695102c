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

// Bytes buffered before they are digested: large blocks keep OpenSSL's per-call cost out of the hot path.
constexpr std::size_t kDigestBlock = 64 * 1024;

Trace::Trace(core::LogLevel level) : level_(level), digest_(std::make_unique<Digest>()) {
  buffer_.reserve(kDigestBlock + 4096);
}
Trace::~Trace() = default;

void Trace::flush() {
  EVP_DigestUpdate(digest_->ctx, buffer_.data(), buffer_.size());
  buffer_.clear();
}

void Trace::record(TraceRecord r) {
  if (finished_) throw std::logic_error("trace: fed after the hash was taken");
  std::string& out = buffer_;
  out.push_back('T');
  put_u64(out, static_cast<std::uint64_t>(r.t.time_since_epoch().count()));
  put_str(out, r.node);
  out.push_back(static_cast<char>(r.level));
  put_str(out, r.event);
  put_u64(out, r.fields.size());
  for (const auto& f : r.fields) {
    put_str(out, f.key);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::int64_t>) {
            out.push_back('i');
            put_u64(out, static_cast<std::uint64_t>(v));
          } else if constexpr (std::is_same_v<T, double>) {
            out.push_back('d');
            std::uint64_t bits;
            std::memcpy(&bits, &v, sizeof bits);
            put_u64(out, bits);
          } else if constexpr (std::is_same_v<T, bool>) {
            out.push_back('b');
            out.push_back(v ? 1 : 0);
          } else {
            out.push_back('s');
            put_str(out, v);
          }
        },
        f.value);
  }
  if (buffer_.size() >= kDigestBlock) flush();
  records_.push_back(std::move(r));
}

void Trace::delivered(std::int64_t t_ns, std::uint32_t from, std::uint32_t to, core::Network net,
                      core::MessageTypeId type, std::size_t size) {
  if (finished_) throw std::logic_error("trace: fed after the hash was taken");
  // 'M', time, from, to, network, type, size: fixed width, so no two messages share an encoding.
  char b[1 + 8 + 4 + 4 + 1 + 2 + 8];
  char* w = b;
  *w++ = 'M';
  const auto put = [&w](std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) *w++ = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  put(static_cast<std::uint64_t>(t_ns), 8);
  put(from, 4);
  put(to, 4);
  put(static_cast<std::uint8_t>(net), 1);
  put(type, 2);
  put(size, 8);
  buffer_.append(b, sizeof b);
  if (buffer_.size() >= kDigestBlock) flush();
}

std::vector<TraceRecord> Trace::take_records() {
  // Actors woken at the same instant may stamp their records a nanosecond apart in either order
  // (SimGrid's clock is a double); a stable sort gives readers a time-ordered trace.
  std::stable_sort(records_.begin(), records_.end(),
                   [](const TraceRecord& a, const TraceRecord& b) { return a.t < b.t; });
  return std::move(records_);
}

std::string Trace::hash_hex() {
  if (!finished_) {
    flush();
    finished_ = true;
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
