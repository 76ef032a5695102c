#include "platform/inv/host.h"

#include <array>
#include <stdexcept>
#include <utility>

namespace roost::inv {
namespace {

template <class E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<Personality, 3> kPersonality{{
    {Personality::Controller, "controller"}, {Personality::Worker, "worker"}, {Personality::Storage, "storage"}}};
constexpr Names<AdminState, 2> kAdmin{{{AdminState::Locked, "locked"}, {AdminState::Unlocked, "unlocked"}}};
constexpr Names<OperState, 2> kOper{{{OperState::Disabled, "disabled"}, {OperState::Enabled, "enabled"}}};
constexpr Names<AvailState, 9> kAvail{{{AvailState::NotInstalled, "not-installed"},
                                       {AvailState::Available, "available"},
                                       {AvailState::Degraded, "degraded"},
                                       {AvailState::Failed, "failed"},
                                       {AvailState::Intest, "intest"},
                                       {AvailState::PowerOff, "power-off"},
                                       {AvailState::Offline, "offline"},
                                       {AvailState::Online, "online"},
                                       {AvailState::Offduty, "offduty"}}};
constexpr Names<BmType, 4> kBmType{
    {{BmType::None, "none"}, {BmType::Dynamic, "dynamic"}, {BmType::Ipmi, "ipmi"}, {BmType::Redfish, "redfish"}}};
constexpr Names<InvProvision, 5> kProvision{{{InvProvision::Unprovisioned, "unprovisioned"},
                                             {InvProvision::Inventoried, "inventoried"},
                                             {InvProvision::Configured, "configured"},
                                             {InvProvision::Provisioning, "provisioning"},
                                             {InvProvision::Provisioned, "provisioned"}}};
constexpr Names<ClockSync, 2> kClock{{{ClockSync::Ntp, "ntp"}, {ClockSync::Ptp, "ptp"}}};

template <class E, std::size_t N>
std::string_view name_of(const Names<E, N>& names, E v) {
  for (const auto& [e, n] : names)
    if (e == v) return n;
  return "?";
}

template <class E, std::size_t N>
std::optional<E> parse_of(const Names<E, N>& names, std::string_view s) {
  for (const auto& [e, n] : names)
    if (n == s) return e;
  return std::nullopt;
}

template <class E, std::size_t N>
std::string one_of(const Names<E, N>& names) {
  std::string out;
  for (const auto& [e, n] : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

[[noreturn]] void bad(std::string_view field, const std::string& why) {
  throw std::invalid_argument(std::string(field) + ": " + why);
}

// A string field; null reads as absent (StarlingX clients send None for unset fields).
std::optional<std::string> opt_string(const nlohmann::json& j, std::string_view field) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_string()) bad(field, "expected a string, got " + std::string(j.type_name()));
  return j.get<std::string>();
}

template <class E, std::size_t N>
E enum_field(const nlohmann::json& j, std::string_view field, const Names<E, N>& names) {
  if (!j.is_string()) bad(field, "expected a string (one of " + one_of(names) + ")");
  const std::string s = j.get<std::string>();
  if (auto v = parse_of(names, s)) return *v;
  bad(field, "'" + s + "' is not one of " + one_of(names));
}

std::vector<std::string> subfunctions_field(const nlohmann::json& j) {
  std::vector<std::string> out;
  const auto add = [&](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) bad("subfunctions", "an empty entry");
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
  if (!j.is_array()) bad("subfunctions", "expected a list of strings or a comma-separated string");
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) bad("subfunctions[" + std::to_string(i) + "]", "expected a string");
    add(j[i].get<std::string>());
  }
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ',';
    out += p;
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

}  // namespace

std::string_view to_string(Personality v) { return name_of(kPersonality, v); }
std::string_view to_string(AdminState v) { return name_of(kAdmin, v); }
std::string_view to_string(OperState v) { return name_of(kOper, v); }
std::string_view to_string(AvailState v) { return name_of(kAvail, v); }
std::string_view to_string(BmType v) { return name_of(kBmType, v); }
std::string_view to_string(InvProvision v) { return name_of(kProvision, v); }
std::string_view to_string(ClockSync v) { return name_of(kClock, v); }
std::optional<Personality> parse_personality(std::string_view s) { return parse_of(kPersonality, s); }
std::optional<AdminState> parse_admin(std::string_view s) { return parse_of(kAdmin, s); }
std::optional<OperState> parse_oper(std::string_view s) { return parse_of(kOper, s); }
std::optional<AvailState> parse_avail(std::string_view s) { return parse_of(kAvail, s); }
std::optional<BmType> parse_bm_type(std::string_view s) { return parse_of(kBmType, s); }
std::optional<ClockSync> parse_clock_sync(std::string_view s) { return parse_of(kClock, s); }

nlohmann::json to_json(const Host& h, bool with_inventory) {
  nlohmann::json j{
      {"id", h.id},
      {"uuid", h.uuid},
      {"hostname", h.hostname},
      {"personality", to_string(h.personality)},
      {"subfunctions", join(h.subfunctions)},
      {"administrative", to_string(h.administrative)},
      {"operational", to_string(h.operational)},
      {"availability", to_string(h.availability)},
      {"invprovision", to_string(h.invprovision)},
      {"task", h.task},
      {"mgmt_mac", h.mgmt_mac},
      {"mgmt_ip", h.mgmt_ip},
      {"bm_ip", h.bm_ip},
      {"bm_port", h.bm_port},
      {"bm_type", to_string(h.bm_type)},
      {"bm_username", h.bm_username},
      {"boot_device", h.boot_device},
      {"rootfs_device", h.rootfs_device},
      {"console", h.console},
      {"install_output", h.install_output},
      {"location", h.location},
      {"clock_synchronization", to_string(h.clock_synchronization)},
      {"config_status", h.config_status},
      {"uptime", h.uptime_s},
      {"created_at", utc_text(h.created_at_us)},
      {"updated_at", utc_text(h.updated_at_us)},
  };
  if (with_inventory) j["inventory"] = h.inventory ? core::to_json(*h.inventory) : nlohmann::json(nullptr);
  return j;
}

HostInput host_input_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("expected an object (a host), got " + std::string(j.type_name()));
  HostInput in;
  bool has_hostname = false, has_personality = false;
  for (const auto& [key, v] : j.items()) {
    if (key == "hostname") {
      if (!v.is_string()) bad(key, "expected a string");
      in.hostname = v.get<std::string>();
      has_hostname = true;
    } else if (key == "personality") {
      in.personality = enum_field(v, key, kPersonality);
      has_personality = true;
    } else if (key == "subfunctions") {
      in.subfunctions = subfunctions_field(v);
    } else if (key == "mgmt_mac") {
      in.mgmt_mac = opt_string(v, key).value_or("");
    } else if (key == "mgmt_ip") {
      in.mgmt_ip = opt_string(v, key).value_or("");
    } else if (key == "bm_ip") {
      in.bm_ip = opt_string(v, key).value_or("");
    } else if (key == "bm_username") {
      in.bm_username = opt_string(v, key).value_or("");
    } else if (key == "bm_password") {
      in.bm_password = opt_string(v, key).value_or("");
    } else if (key == "bm_port") {
      if (v.is_null()) continue;
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 65535)
        bad(key, "expected an integer from 1 to 65535, got " + v.dump());
      in.bm_port = static_cast<std::uint16_t>(v.get<std::int64_t>());
    } else if (key == "bm_type") {
      // An empty bm_type (a blank XML element) means no BMC, as "none" does.
      if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) {
        in.bm_type = BmType::None;
      } else {
        in.bm_type = enum_field(v, key, kBmType);
      }
    } else if (key == "boot_device") {
      in.boot_device = opt_string(v, key).value_or("");
    } else if (key == "rootfs_device") {
      in.rootfs_device = opt_string(v, key).value_or("");
    } else if (key == "console") {
      in.console = opt_string(v, key).value_or("");
    } else if (key == "install_output") {
      in.install_output = opt_string(v, key).value_or("");
    } else if (key == "location") {
      if (v.is_null()) continue;
      if (v.is_string()) {
        in.location = {{"locality", v.get<std::string>()}};
      } else if (v.is_object()) {
        in.location = v;
      } else {
        bad(key, "expected an object ({\"locality\": \"...\"}) or a string");
      }
    } else if (key == "clock_synchronization") {
      if (!v.is_null()) in.clock_synchronization = enum_field(v, key, kClock);
    } else if (key == "administrative") {
      if (!v.is_null()) in.administrative = enum_field(v, key, kAdmin);
    } else if (key == "power_on") {
      if (v.is_null()) continue;
      if (!v.is_boolean()) bad(key, "expected true or false");
      in.power_on = v.get<bool>();
    } else {
      throw std::invalid_argument("unknown field '" + key + "'");
    }
  }
  if (!has_hostname) bad("hostname", "required");
  if (!has_personality) bad("personality", "required (one of " + one_of(kPersonality) + ")");
  return in;
}

nlohmann::json to_json(const System& s) {
  return nlohmann::json{
      {"uuid", s.uuid},
      {"name", s.name},
      {"system_type", s.system_type},
      {"system_mode", s.system_mode},
      {"distributed_cloud_role", s.distributed_cloud_role.empty() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(s.distributed_cloud_role)},
      {"description", s.description},
      {"location", s.location},
      {"contact", s.contact},
      {"software_version", s.software_version},
      {"created_at", utc_text(s.created_at_us)},
  };
}

System system_from_json(const nlohmann::json& j, System base) {
  if (!j.is_object()) throw std::invalid_argument("expected an object (the system), got " + std::string(j.type_name()));
  const auto text = [](const nlohmann::json& v, std::string_view field) {
    if (!v.is_string()) bad(field, "expected a string, got " + std::string(v.type_name()));
    return v.get<std::string>();
  };
  const auto choice = [&](const nlohmann::json& v, std::string_view field,
                          std::initializer_list<std::string_view> allowed) {
    const std::string s = text(v, field);
    std::string list;
    for (std::string_view a : allowed) {
      if (s == a) return s;
      if (!list.empty()) list += ", ";
      list += a.empty() ? "\"\"" : std::string(a);
    }
    bad(field, "'" + s + "' is not one of " + list);
  };
  for (const auto& [key, v] : j.items()) {
    if (key == "uuid") {
      base.uuid = text(v, key);
    } else if (key == "name") {
      base.name = text(v, key);
      if (base.name.empty()) bad(key, "must not be empty");
    } else if (key == "system_type") {
      base.system_type = choice(v, key, {"All-in-one", "Standard"});
    } else if (key == "system_mode") {
      base.system_mode = choice(v, key, {"simplex", "duplex", "duplex-direct"});
    } else if (key == "distributed_cloud_role") {
      base.distributed_cloud_role = v.is_null() ? "" : choice(v, key, {"", "systemcontroller", "subcloud"});
    } else if (key == "description") {
      base.description = text(v, key);
    } else if (key == "location") {
      base.location = text(v, key);
    } else if (key == "contact") {
      base.contact = text(v, key);
    } else if (key == "software_version") {
      base.software_version = text(v, key);
    } else if (key == "created_at") {
      // Read-only: to_json() shows it, so a shown system reads back; the record keeps its own time.
    } else {
      throw std::invalid_argument("unknown field '" + key + "'");
    }
  }
  return base;
}

}  // namespace roost::inv
