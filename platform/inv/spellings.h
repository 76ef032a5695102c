// Tables of an enum's spellings (StarlingX's: "power-off", "force-lock"), looked up both ways.
// Private to roost_inv.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace roost::inv {

template <class E, std::size_t N>
using Spellings = std::array<std::pair<E, std::string_view>, N>;

// "?" for a value the table lacks.
template <class E, std::size_t N>
std::string_view spelling(const Spellings<E, N>& table, E v) {
  for (const auto& [e, s] : table)
    if (e == v) return s;
  return "?";
}

template <class E, std::size_t N>
std::optional<E> parse_spelling(const Spellings<E, N>& table, std::string_view s) {
  for (const auto& [e, text] : table)
    if (text == s) return e;
  return std::nullopt;
}

// "none, dynamic, ipmi, redfish", for messages.
template <class E, std::size_t N>
std::string list_spellings(const Spellings<E, N>& table) {
  std::string out;
  for (const auto& [e, s] : table) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace roost::inv
