#include "platform/fm/uuid.h"

namespace roost::fm {

std::string make_uuid(core::Rng& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t hi = rng.next();
  std::uint64_t lo = rng.next();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                       // version 4
  lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);        // RFC 4122 variant
  std::string out;
  out.reserve(36);
  for (int i = 15; i >= 0; --i) {
    const std::uint64_t word = i >= 8 ? hi : lo;
    const int shift = (i % 8) * 8;
    const auto byte = static_cast<unsigned>((word >> shift) & 0xff);
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xf]);
    const std::size_t n = out.size();
    if (n == 8 || n == 13 || n == 18 || n == 23) out.push_back('-');
  }
  return out;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace roost::fm
