#include "platform/inv/host_record.h"

#include <stdexcept>
#include <type_traits>

#include "platform/inv/host_fields.h"

namespace roost::inv {
namespace {

using fields::Field;

[[noreturn]] void bad(std::string_view field, const std::string& why) {
  throw std::invalid_argument(std::string(field) + ": " + why);
}

const nlohmann::json& need(const nlohmann::json& j, std::string_view field) {
  auto it = j.find(field);
  if (it == j.end()) bad(field, "missing");
  return *it;
}

std::string text(const nlohmann::json& j, std::string_view field) {
  const auto& v = need(j, field);
  if (!v.is_string()) bad(field, "expected a string");
  return v.get<std::string>();
}

std::int64_t integer(const nlohmann::json& j, std::string_view field) {
  const auto& v = need(j, field);
  if (!v.is_number_integer()) bad(field, "expected an integer");
  return v.get<std::int64_t>();
}

// Reads the record's `field` into `out`, by the member's type. Every field must be there.
template <class T>
void read(const nlohmann::json& j, std::string_view field, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    out = text(j, field);
  } else if constexpr (std::is_enum_v<T>) {
    const std::string s = text(j, field);
    const auto v = fields::parse_enum<T>(s);
    if (!v) bad(field, "'" + s + "' is not a known value");
    out = *v;
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    const auto& list = need(j, field);
    if (!list.is_array()) bad(field, "expected a list");
    out.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string()) bad(std::string(field) + "[" + std::to_string(i) + "]", "expected a string");
      out.push_back(list[i].get<std::string>());
    }
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    const std::int64_t v = integer(j, field);
    if (v < 0) bad(field, "negative");
    out = static_cast<std::uint64_t>(v);
  } else if constexpr (std::is_same_v<T, std::uint16_t>) {
    const std::int64_t v = integer(j, field);
    if (v < 0 || v > 65535) bad(field, "out of range");
    out = static_cast<std::uint16_t>(v);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    out = integer(j, field);
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    out = need(j, field);
    if (!out.is_object()) bad(field, "expected an object");
  } else {
    static_assert(std::is_same_v<T, std::optional<core::MachineInventory>>);
    const auto& v = need(j, field);
    out.reset();
    if (v.is_null()) return;
    try {
      out = core::machine_inventory_from_json(v);
    } catch (const std::exception& e) {
      bad(field, e.what());
    }
  }
}

template <class T>
nlohmann::json record_of(const T& x) {
  nlohmann::json j = nlohmann::json::object();
  fields::visit_fields(
      [&](const Field& f, const auto& v) { j[f.name] = fields::value_json(v, fields::Lists::Json); }, x);
  return j;
}

template <class T>
T from_record(const nlohmann::json& j, const char* what) {
  if (!j.is_object()) throw std::invalid_argument(std::string("expected an object (") + what + ")");
  T x;
  fields::visit_fields([&](const Field& f, auto& member) { read(j, f.name, member); }, x);
  return x;
}

}  // namespace

nlohmann::json host_record(const Host& h) { return record_of(h); }
Host host_from_record(const nlohmann::json& j) { return from_record<Host>(j, "a host record"); }
nlohmann::json system_record(const System& s) { return record_of(s); }
System system_from_record(const nlohmann::json& j) { return from_record<System>(j, "a system record"); }

bool same_host(const Host& a, const Host& b) { return host_record(a) == host_record(b); }
bool same_system(const System& a, const System& b) { return system_record(a) == system_record(b); }

}  // namespace roost::inv
