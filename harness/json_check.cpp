#include "harness/json_check.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace roost::harness {

using nlohmann::json;

std::string format_error(std::string_view file, const DocumentError& e) {
  std::string out(file);
  if (e.line > 0) return out + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
  if (!out.empty()) out += ": ";
  if (!e.path.empty()) out += e.path + ": ";
  return out + e.message;
}

std::string json_type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::string: return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::boolean: return "boolean";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::null: return "null";
    default: return "something else";
  }
}

bool has_type(const json& j, unsigned types) {
  if ((types & kString) && j.is_string()) return true;
  if ((types & kNumber) && j.is_number()) return true;
  if ((types & kInteger) && j.is_number_integer()) return true;
  if ((types & kBool) && j.is_boolean()) return true;
  if ((types & kObject) && j.is_object()) return true;
  if ((types & kArray) && j.is_array()) return true;
  return false;
}

namespace {

std::string describe_types(unsigned types) {
  std::vector<std::string> names;
  if (types & kString) names.push_back("a string");
  if (types & kNumber) names.push_back("a number");
  else if (types & kInteger) names.push_back("an integer");
  if (types & kBool) names.push_back("a boolean");
  if (types & kObject) names.push_back("an object");
  if (types & kArray) names.push_back("an array");
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions
// ("lba" -> "lab" is one edit), ignoring case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word, std::span<const std::string> candidates) {
  // A typo is a few edits away; allow more for longer words, never so many that anything matches.
  const std::size_t allowed = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3));
  std::optional<std::string> best;
  std::size_t best_distance = allowed + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  auto m = closest_match(word, candidates);
  return m ? " (did you mean \"" + *m + "\"?)" : "";
}

std::string child(const std::string& path, std::string_view key) {
  if (is_identifier(key)) return path + "." + std::string(key);
  return path + "[" + json(key).dump() + "]";
}

std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::string literal(const json& j) {
  if (j.is_number_float()) {
    // Shortest form that reads back the same: 45.0 -> "45", 1.2 -> "1.2".
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, j.get<double>());
    return std::string(buf, r.ptr);
  }
  if (j.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < j.size(); ++i) out += (i ? ", " : "") + literal(j[i]);
    return out + "]";
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void JsonChecker::error(std::string path, std::string message) {
  errors_.push_back(DocumentError{std::move(path), std::move(message)});
}

void JsonChecker::syntax_error(int line, int column, std::string message) {
  errors_.push_back(DocumentError{"", std::move(message), line, column});
}

bool JsonChecker::check_type(const json& j, const std::string& path, unsigned types) {
  if (has_type(j, types)) return true;
  error(path, "expected " + describe_types(types) + ", got " + json_type_name(j));
  return false;
}

bool JsonChecker::check_object(const json& j, const std::string& path, std::span<const FieldRule> rules,
                               std::span<const FieldRule> not_here, std::string_view not_here_reason) {
  if (!check_type(j, path, kObject)) return false;
  std::vector<std::string> names;
  for (const auto& r : rules) names.emplace_back(r.name);
  for (const auto& [key, value] : j.items()) {
    const auto rule = std::find_if(rules.begin(), rules.end(), [&](const FieldRule& r) { return r.name == key; });
    if (rule != rules.end()) {
      check_type(value, child(path, key), rule->types);
      continue;
    }
    const bool elsewhere =
        std::any_of(not_here.begin(), not_here.end(), [&](const FieldRule& r) { return r.name == key; });
    if (elsewhere)
      error(child(path, key), std::string(not_here_reason));
    else
      error(child(path, key), "unknown field" + did_you_mean(key, names));
  }
  for (const auto& r : rules)
    if (r.required && !j.contains(r.name)) error(path, "missing required field \"" + std::string(r.name) + "\"");
  return true;
}

const json* get_field(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<std::string> get_string(const json& obj, std::string_view key) {
  const json* v = get_field(obj, key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<double> get_number(const json& obj, std::string_view key) {
  const json* v = get_field(obj, key);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

std::optional<std::int64_t> get_integer(const json& obj, std::string_view key) {
  const json* v = get_field(obj, key);
  if (!v || !v->is_number_integer()) return std::nullopt;
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return INT64_MAX;
  return v->get<std::int64_t>();
}

std::optional<std::uint64_t> get_unsigned(const json& obj, std::string_view key) {
  const json* v = get_field(obj, key);
  if (!v || !v->is_number_unsigned()) return std::nullopt;
  return v->get<std::uint64_t>();
}

std::optional<bool> get_bool(const json& obj, std::string_view key) {
  const json* v = get_field(obj, key);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

}  // namespace roost::harness
