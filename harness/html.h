// Tiny helpers for writing HTML and SVG by hand: escaping and number formatting. Every piece of text
// that comes from a scenario or a trace goes through escape() before it reaches the page.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace roost::harness::html {

// Escapes &, <, >, " and ' — safe in element content and in quoted attribute values.
std::string escape(std::string_view text);

// A number with at most `decimals` decimals, trailing zeros trimmed ("1.25", "3", "0.001").
std::string num(double v, int decimals = 3);

// Exactly `decimals` decimals: fixed(1, 3) == "1.000".
std::string fixed(double v, int decimals);

// 1234567 -> "1,234,567".
std::string grouped(std::uint64_t n);

// A JSON scalar as plain text (strings without quotes), escaped.
std::string text(const nlohmann::json& v);

// obj[key] if present, else null (which iterates as empty); never a temporary, so `.items()` on it is safe.
const nlohmann::json& member(const nlohmann::json& obj, std::string_view key);

// At most `max_bytes` bytes of UTF-8 text, cut at a character boundary and ending in "…" when cut.
std::string shorten(std::string_view text, std::size_t max_bytes);

// The i-th colour of a palette that stays distinguishable for ~10 series.
std::string_view colour(std::size_t i);

}  // namespace roost::harness::html
