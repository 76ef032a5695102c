#include "platform/inv/host.h"

#include <stdexcept>
#include <type_traits>
#include <utility>

#include "platform/inv/host_fields.h"

namespace roost::inv {
namespace {

using fields::Field;

[[noreturn]] void bad(std::string_view field, const std::string& why) {
  throw std::invalid_argument(std::string(field) + ": " + why);
}

// A string field; null reads as absent (StarlingX clients send None for unset fields).
std::optional<std::string> opt_string(const nlohmann::json& j, std::string_view field) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_string()) bad(field, "expected a string, got " + std::string(j.type_name()));
  return j.get<std::string>();
}

template <class E>
E enum_field(const nlohmann::json& j, std::string_view field) {
  if (!j.is_string()) bad(field, "expected a string (one of " + fields::one_of<E>() + ")");
  const std::string s = j.get<std::string>();
  if (auto v = fields::parse_enum<E>(s)) return *v;
  bad(field, "'" + s + "' is not one of " + fields::one_of<E>());
}

std::vector<std::string> subfunctions_field(const nlohmann::json& j, std::string_view field) {
  std::vector<std::string> out;
  const auto add = [&](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) bad(field, "an empty entry");
    out.emplace_back(s);
  };
  if (j.is_null()) return out;
  if (j.is_string()) {
    // StarlingX's form: "controller,worker,lowlatency".
    const std::string s = j.get<std::string>();
    if (s.empty()) return out;
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = s.find(',', start);
      add(std::string_view(s).substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }
  if (!j.is_array()) bad(field, "expected a list of strings or a comma-separated string");
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) bad(std::string(field) + "[" + std::to_string(i) + "]", "expected a string");
    add(j[i].get<std::string>());
  }
  return out;
}

// "2026-01-01T00:00:00.000000+00:00", sysinv's rendering of its timestamps (UTC).
nlohmann::json utc_text(std::int64_t us) {
  if (us == 0) return nullptr;
  std::int64_t secs = us / 1'000'000;
  std::int64_t frac = us % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  // Howard Hinnant's civil_from_days.
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const auto pad = [](std::int64_t v, int width) {
    std::string s = std::to_string(v);
    return std::string(s.size() < static_cast<std::size_t>(width) ? width - s.size() : 0, '0') + s;
  };
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(sod / 3600, 2) + ":" + pad(sod / 60 % 60, 2) + ":" +
         pad(sod % 60, 2) + "." + pad(frac, 6) + "+00:00";
}

// A field's value in the REST shape.
template <class T>
nlohmann::json rest_value(const Field& f, const T& v) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    if (f.has(fields::kTimeUs)) return utc_text(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (f.has(fields::kNullIsEmpty) && v.empty()) return nullptr;
  }
  return fields::value_json(v, fields::Lists::Text);
}

// Reads one field of an operator's host into `out`, by the member's type. Null reads as absent
// (StarlingX clients send None for unset fields) unless the field is required.
template <class T>
void read_input(const nlohmann::json& v, const Field& f, T& out) {
  const std::string_view key = f.name;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!f.has(fields::kRequired)) {
      out = opt_string(v, key).value_or("");
      return;
    }
    if (!v.is_string()) bad(key, "expected a string");
    out = v.get<std::string>();
  } else if constexpr (std::is_enum_v<T>) {
    // kEmptyIsAbsent: a blank XML <bm_type/> means no BMC, as "none" does.
    const bool absent = v.is_null() || (f.has(fields::kEmptyIsAbsent) && v.is_string() && v.get<std::string>().empty());
    if (absent && !f.has(fields::kRequired)) return;
    out = enum_field<T>(v, key);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    out = subfunctions_field(v, key);
  } else if constexpr (std::is_same_v<T, std::uint16_t>) {
    if (v.is_null()) return;
    if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 65535)
      bad(key, "expected an integer from 1 to 65535, got " + v.dump());
    out = static_cast<std::uint16_t>(v.get<std::int64_t>());
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    if (v.is_null()) return;
    if (v.is_string()) {
      out = {{"locality", v.get<std::string>()}};
    } else if (v.is_object()) {
      out = v;
    } else {
      bad(key, "expected an object ({\"locality\": \"...\"}) or a string");
    }
  } else {
    static_assert(std::is_same_v<T, bool>);
    if (v.is_null()) return;
    if (!v.is_boolean()) bad(key, "expected true or false");
    out = v.get<bool>();
  }
}

// Reads one field of a system (REST) into `out`.
template <class T>
void read_system_input(const nlohmann::json& v, const Field& f, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (f.has(fields::kNullIsEmpty) && v.is_null()) {
      out.clear();
      return;
    }
    if (!v.is_string()) bad(f.name, "expected a string, got " + std::string(v.type_name()));
    std::string s = v.get<std::string>();
    if (f.has(fields::kNonEmpty) && s.empty()) bad(f.name, "must not be empty");
    if (!f.choices.empty()) {
      std::string list;
      bool allowed = false;
      for (std::string_view c : f.choices) {
        allowed = allowed || s == c;
        if (!list.empty()) list += ", ";
        list += c.empty() ? "\"\"" : std::string(c);
      }
      if (!allowed) bad(f.name, "'" + s + "' is not one of " + list);
    }
    out = std::move(s);
  } else {
    // Times are read-only (kTimeUs): to_json() shows them, so a shown system reads back; the record
    // keeps its own.
    static_assert(std::is_same_v<T, std::int64_t>);
  }
}

}  // namespace

std::string_view to_string(Personality v) { return fields::name_of(v); }
std::string_view to_string(AdminState v) { return fields::name_of(v); }
std::string_view to_string(OperState v) { return fields::name_of(v); }
std::string_view to_string(AvailState v) { return fields::name_of(v); }
std::string_view to_string(BmType v) { return fields::name_of(v); }
std::string_view to_string(InvProvision v) { return fields::name_of(v); }
std::string_view to_string(ClockSync v) { return fields::name_of(v); }
std::optional<Personality> parse_personality(std::string_view s) { return fields::parse_enum<Personality>(s); }
std::optional<AdminState> parse_admin(std::string_view s) { return fields::parse_enum<AdminState>(s); }
std::optional<OperState> parse_oper(std::string_view s) { return fields::parse_enum<OperState>(s); }
std::optional<AvailState> parse_avail(std::string_view s) { return fields::parse_enum<AvailState>(s); }
std::optional<BmType> parse_bm_type(std::string_view s) { return fields::parse_enum<BmType>(s); }
std::optional<ClockSync> parse_clock_sync(std::string_view s) { return fields::parse_enum<ClockSync>(s); }

nlohmann::json to_json(const Host& h, bool with_inventory) {
  nlohmann::json j = nlohmann::json::object();
  fields::visit_host(
      [&](const Field& f, const auto& v) {
        if (f.has(fields::kSecret)) return;
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::optional<core::MachineInventory>>) {
          if (!with_inventory) return;
        }
        j[f.rest()] = rest_value(f, v);
      },
      h);
  return j;
}

HostInput host_input_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("expected an object (a host), got " + std::string(j.type_name()));
  HostInput in;
  for (const auto& [key, v] : j.items())
    if (!fields::visit_field(key, [&](const Field& f, auto& member) { read_input(v, f, member); }, in))
      throw std::invalid_argument("unknown field '" + key + "'");
  fields::visit_input(
      [&](const Field& f, const auto& member) {
        using T = std::decay_t<decltype(member)>;
        if (!f.has(fields::kRequired) || j.contains(f.name)) return;
        if constexpr (std::is_enum_v<T>)
          bad(f.name, "required (one of " + fields::one_of<T>() + ")");
        else
          bad(f.name, "required");
      },
      in);
  return in;
}

nlohmann::json to_json(const System& s) {
  nlohmann::json j = nlohmann::json::object();
  fields::visit_system([&](const Field& f, const auto& v) { j[f.rest()] = rest_value(f, v); }, s);
  return j;
}

System system_from_json(const nlohmann::json& j, System base) {
  if (!j.is_object()) throw std::invalid_argument("expected an object (the system), got " + std::string(j.type_name()));
  for (const auto& [key, v] : j.items())
    if (!fields::visit_field(key, [&](const Field& f, auto& member) { read_system_input(v, f, member); }, base))
      throw std::invalid_argument("unknown field '" + key + "'");
  return base;
}

}  // namespace roost::inv
