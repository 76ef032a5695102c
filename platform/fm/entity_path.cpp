#include "platform/fm/entity_path.h"

namespace roost::fm {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_key_char(char c) { return is_alpha(c) || is_digit(c) || c == '_' || c == '-'; }
std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }
}  // namespace

std::optional<std::string> check_alarm_id(std::string_view id) {
  const bool ok = id.size() == 7 && is_digit(id[0]) && is_digit(id[1]) && is_digit(id[2]) && id[3] == '.' &&
                  is_digit(id[4]) && is_digit(id[5]) && is_digit(id[6]);
  if (ok) return std::nullopt;
  return "alarm id " + in_quotes(id) + " is not of the form GGG.EEE (three digits, a dot, three digits)";
}

std::optional<std::string> check_entity_instance_id(std::string_view eid) {
  const std::string what = "entity instance id " + in_quotes(eid);
  if (eid.empty()) return "entity instance id is empty";
  if (eid.size() > kMaxEntityIdLength)
    return what + " is longer than " + std::to_string(kMaxEntityIdLength) + " characters";
  for (char c : eid) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '\'' || c == '\\')
      return what + " holds a space, control, quote, backslash or non-ASCII character";
  }
  if (eid.front() == '.' || eid.back() == '.' || eid.find("..") != std::string_view::npos)
    return what + " has an empty path segment (leading, trailing or doubled '.')";
  const std::string_view first = eid.substr(0, eid.find('.'));
  const std::string_view key = first.substr(0, first.find('='));
  if (key.empty() || !is_alpha(key.front()))
    return what + " must start with a key (a letter first), as in host=controller-0";
  for (char c : key)
    if (!is_key_char(c)) return what + ": key " + in_quotes(key) + " may hold only letters, digits, '_' and '-'";
  return std::nullopt;
}

std::optional<std::string> check_entity_type_id(std::string_view type) {
  if (type.size() > kMaxEntityIdLength)
    return "entity type id is longer than " + std::to_string(kMaxEntityIdLength) + " characters";
  for (char c : type)
    if (!is_key_char(c) && c != '.')
      return "entity type id " + in_quotes(type) + " may hold only letters, digits, '_', '-' and '.'";
  return std::nullopt;
}

bool entity_covers(std::string_view prefix, std::string_view eid) {
  if (prefix.empty() || eid.size() < prefix.size() || eid.compare(0, prefix.size(), prefix) != 0) return false;
  return eid.size() == prefix.size() || eid[prefix.size()] == '.';
}

}  // namespace roost::fm
