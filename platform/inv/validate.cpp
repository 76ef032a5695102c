#include "platform/inv/validate.h"

#include <cstddef>
#include <vector>

namespace roost::inv {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!is_digit(c)) return false;
  return !s.empty();
}

}  // namespace

// A DNS host name (RFC 1123): dot-separated labels of 1..63 characters of a-z, 0-9 and '-', not starting or
// ending with '-', at most 253 in all, the last label not all digits. Dots let a fleet name a subcloud's
// hosts uniquely ("subcloud-0007.controller-0") while each subcloud still says controller-0.
bool is_valid_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::string_view last;
  for (std::size_t start = 0;;) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!(is_digit(c) || (c >= 'a' && c <= 'z') || c == '-')) return false;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return !all_digits(last);
}

std::optional<std::string> normalize_mac(std::string_view s) {
  const auto parts = split(s, ':');
  if (parts.size() != 6) return std::nullopt;
  std::string out;
  for (std::string_view p : parts) {
    if (p.size() != 2 || !is_hex(p[0]) || !is_hex(p[1])) return std::nullopt;
    if (!out.empty()) out.push_back(':');
    for (char c : p) out.push_back(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool is_ipv4(std::string_view s) {
  const auto parts = split(s, '.');
  if (parts.size() != 4) return false;
  for (std::string_view p : parts) {
    if (!all_digits(p) || p.size() > 3 || (p.size() > 1 && p[0] == '0')) return false;
    int v = 0;
    for (char c : p) v = v * 10 + (c - '0');
    if (v > 255) return false;
  }
  return true;
}

bool is_ipv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  // At most one "::"; it stands for one or more zero groups.
  const std::size_t gap = s.find("::");
  if (gap != std::string_view::npos && s.find("::", gap + 1) != std::string_view::npos) return false;
  const auto groups_of = [](std::string_view part, int& count, bool allow_v4_tail) -> bool {
    count = 0;
    if (part.empty()) return true;
    const auto groups = split(part, ':');
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const std::string_view g = groups[i];
      if (allow_v4_tail && i + 1 == groups.size() && g.find('.') != std::string_view::npos) {
        if (!is_ipv4(g)) return false;
        count += 2;
        continue;
      }
      if (g.empty() || g.size() > 4) return false;
      for (char c : g)
        if (!is_hex(c)) return false;
      ++count;
    }
    return true;
  };
  int head = 0, tail = 0;
  if (gap == std::string_view::npos) {
    if (!groups_of(s, head, true)) return false;
    return head == 8;
  }
  if (!groups_of(s.substr(0, gap), head, false) || !groups_of(s.substr(gap + 2), tail, true)) return false;
  return head + tail <= 7;
}

bool is_dns_name(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return false;
  const auto labels = split(s, '.');
  for (std::string_view l : labels) {
    if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
    for (char c : l)
      if (!(is_alnum(c) || c == '-')) return false;
  }
  return !all_digits(labels.back());
}

}  // namespace roost::inv
