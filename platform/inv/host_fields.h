// The inventory's records written down once: every field of Host, HostInput and System with its key and
// the rules that set it apart, and the spellings of host.h's enums. The REST shapes (host.cpp), the store
// record (host_record.cpp), Inventory's edits and the bulk files (bulk.cpp) all walk these lists, so a new
// field is one line here; only a value of a type no field has yet needs each shape taught that type.
// Private to roost_inv.
//
// A visit calls `visit(field, x.member...)` with the member of each object passed, so one walk over two
// objects copies or compares them field by field, as core::codec's visit() does for messages.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/machine.h"
#include "platform/inv/host.h"
#include "platform/inv/spellings.h"

namespace roost::inv::fields {

// What sets a field apart; most fields have none of these.
enum Rule : unsigned {
  kRequired = 1u << 0,         // input: must be given, and not as null ("hostname: required")
  kSecret = 1u << 1,           // stored and taken as input, never shown (REST) nor exported (bulk files)
  kEmptyIsAbsent = 1u << 2,    // input: "" reads as absent, as null does (a blank XML element)
  kTimeUs = 1u << 3,           // UTC microseconds: REST shows sysinv's text and never takes it as input
  kState = 1u << 4,            // maintenance drives it: an edit is refused and pointed at the actions
  kEditable = 1u << 5,         // operators may change it (visit_host marks the visit_editable fields)
  kXmlIfNotDefault = 1u << 6,  // Roost's addition to StarlingX's XML: exported only when not the default
  kOption = 1u << 7,           // how to add a host, not a field of it: bulk JSON has it only when not the default
  kNotInXml = 1u << 8,         // not an element of StarlingX's XML <host> (Roost's, for labs: JSON only)
  kNonEmpty = 1u << 9,         // input: "" is refused
  kNullIsEmpty = 1u << 10,     // REST: "" is shown as null, and null reads as ""
};

struct Field {
  std::string_view name;                           // the store record's key, the input's, the XML element's
  unsigned rules = 0;                              // Rule bits
  std::string_view rest_name = {};                 // the REST key when it is not `name`
  std::span<const std::string_view> choices = {};  // input: the only values a text field takes

  std::string_view rest() const { return rest_name.empty() ? name : rest_name; }
  bool has(unsigned rule) const { return (rules & rule) != 0; }
};

// What an operator gives to add a host and may change later. Host and HostInput hold each of these
// under the same member name. Ordered as a bulk export writes them.
template <class Visit, class... X>
void visit_editable(Visit&& visit, X&... x) {
  visit(Field{"hostname", kRequired}, x.hostname...);
  visit(Field{"personality", kRequired}, x.personality...);
  visit(Field{"subfunctions"}, x.subfunctions...);
  visit(Field{"mgmt_mac"}, x.mgmt_mac...);
  visit(Field{"mgmt_ip"}, x.mgmt_ip...);
  visit(Field{"bm_ip"}, x.bm_ip...);
  visit(Field{"bm_type", kEmptyIsAbsent}, x.bm_type...);
  visit(Field{"bm_username"}, x.bm_username...);
  visit(Field{"bm_password", kSecret}, x.bm_password...);
  visit(Field{"bm_port", kXmlIfNotDefault}, x.bm_port...);
  visit(Field{"boot_device"}, x.boot_device...);
  visit(Field{"rootfs_device"}, x.rootfs_device...);
  visit(Field{"console"}, x.console...);
  visit(Field{"install_output"}, x.install_output...);
  visit(Field{"location"}, x.location...);
  visit(Field{"clock_synchronization", kXmlIfNotDefault}, x.clock_synchronization...);
}

// All of HostInput: the editable fields, then how to add the host.
template <class Visit, class... In>
void visit_input(Visit&& visit, In&... in) {
  visit_editable(visit, in...);
  visit(Field{"administrative", kOption | kNotInXml}, in.administrative...);
  visit(Field{"power_on", kOption}, in.power_on...);
}

// All of Host.
template <class Visit, class H>
void visit_host(Visit&& visit, H& h) {
  visit(Field{"id"}, h.id);
  visit(Field{"uuid"}, h.uuid);
  visit_editable(
      [&](Field f, auto& member) {
        f.rules |= kEditable;
        visit(f, member);
      },
      h);
  visit(Field{"administrative", kState}, h.administrative);
  visit(Field{"operational", kState}, h.operational);
  visit(Field{"availability", kState}, h.availability);
  visit(Field{"invprovision", kState}, h.invprovision);
  visit(Field{"task", kState}, h.task);
  visit(Field{"config_status"}, h.config_status);
  visit(Field{"uptime_s", 0, "uptime"}, h.uptime_s);
  visit(Field{"created_at_us", kTimeUs, "created_at"}, h.created_at_us);
  visit(Field{"updated_at_us", kTimeUs, "updated_at"}, h.updated_at_us);
  visit(Field{"inventory"}, h.inventory);
}

inline constexpr std::string_view kSystemModes[] = {"simplex", "duplex", "duplex-direct"};
inline constexpr std::string_view kSystemTypes[] = {"All-in-one", "Standard"};
inline constexpr std::string_view kCloudRoles[] = {"", "systemcontroller", "subcloud"};

// All of System. The editable ones first, in the order a refusal lists them.
template <class Visit, class S>
void visit_system(Visit&& visit, S& s) {
  visit(Field{"uuid"}, s.uuid);
  visit(Field{"name", kEditable | kNonEmpty}, s.name);
  visit(Field{"description", kEditable}, s.description);
  visit(Field{"location", kEditable}, s.location);
  visit(Field{"contact", kEditable}, s.contact);
  visit(Field{"system_mode", kEditable, {}, kSystemModes}, s.system_mode);
  visit(Field{"system_type", 0, {}, kSystemTypes}, s.system_type);
  visit(Field{"distributed_cloud_role", kNullIsEmpty, {}, kCloudRoles}, s.distributed_cloud_role);
  visit(Field{"software_version"}, s.software_version);
  visit(Field{"created_at_us", kTimeUs, "created_at"}, s.created_at_us);
}

// visit_host, visit_input or visit_system, by the type of `x`.
template <class Visit, class T>
void visit_fields(Visit&& visit, T& x) {
  using U = std::remove_const_t<T>;
  if constexpr (std::is_same_v<U, Host>) {
    visit_host(visit, x);
  } else if constexpr (std::is_same_v<U, HostInput>) {
    visit_input(visit, x);
  } else {
    static_assert(std::is_same_v<U, System>);
    visit_system(visit, x);
  }
}

// Calls `visit(field, member)` for the member of `x` whose REST key is `rest_key`; false if none is.
template <class Visit, class T>
bool visit_field(std::string_view rest_key, Visit&& visit, T& x) {
  bool found = false;
  visit_fields(
      [&](const Field& f, auto& member) {
        if (f.rest() != rest_key) return;
        found = true;
        visit(f, member);
      },
      x);
  return found;
}

// The field of a T (Host, HostInput or System) whose REST key is `rest_key`, if any.
template <class T>
std::optional<Field> find_field(std::string_view rest_key) {
  static const T kShape;
  std::optional<Field> found;
  visit_field(rest_key, [&](const Field& f, const auto&) { found = f; }, kShape);
  return found;
}

// ---- Enum spellings (StarlingX's), by enum type: names_for(value).

inline constexpr Spellings<Personality, 3> kPersonality{
    {{Personality::Controller, "controller"}, {Personality::Worker, "worker"}, {Personality::Storage, "storage"}}};
inline constexpr Spellings<AdminState, 2> kAdmin{{{AdminState::Locked, "locked"}, {AdminState::Unlocked, "unlocked"}}};
inline constexpr Spellings<OperState, 2> kOper{{{OperState::Disabled, "disabled"}, {OperState::Enabled, "enabled"}}};
inline constexpr Spellings<AvailState, 9> kAvail{{{AvailState::NotInstalled, "not-installed"},
                                                  {AvailState::Available, "available"},
                                                  {AvailState::Degraded, "degraded"},
                                                  {AvailState::Failed, "failed"},
                                                  {AvailState::Intest, "intest"},
                                                  {AvailState::PowerOff, "power-off"},
                                                  {AvailState::Offline, "offline"},
                                                  {AvailState::Online, "online"},
                                                  {AvailState::Offduty, "offduty"}}};
inline constexpr Spellings<BmType, 4> kBmType{
    {{BmType::None, "none"}, {BmType::Dynamic, "dynamic"}, {BmType::Ipmi, "ipmi"}, {BmType::Redfish, "redfish"}}};
inline constexpr Spellings<InvProvision, 5> kProvision{{{InvProvision::Unprovisioned, "unprovisioned"},
                                                        {InvProvision::Inventoried, "inventoried"},
                                                        {InvProvision::Configured, "configured"},
                                                        {InvProvision::Provisioning, "provisioning"},
                                                        {InvProvision::Provisioned, "provisioned"}}};
inline constexpr Spellings<ClockSync, 2> kClock{{{ClockSync::Ntp, "ntp"}, {ClockSync::Ptp, "ptp"}}};

constexpr const auto& names_for(Personality) { return kPersonality; }
constexpr const auto& names_for(AdminState) { return kAdmin; }
constexpr const auto& names_for(OperState) { return kOper; }
constexpr const auto& names_for(AvailState) { return kAvail; }
constexpr const auto& names_for(BmType) { return kBmType; }
constexpr const auto& names_for(InvProvision) { return kProvision; }
constexpr const auto& names_for(ClockSync) { return kClock; }

template <class E>
std::string_view name_of(E v) {
  return spelling(names_for(v), v);
}

template <class E>
std::optional<E> parse_enum(std::string_view s) {
  return parse_spelling(names_for(E{}), s);
}

// "none, dynamic, ipmi, redfish": E's spellings, for messages.
template <class E>
std::string one_of() {
  return list_spellings(names_for(E{}));
}

// ---- Values as JSON.

// "controller,worker": StarlingX's text for a list of subfunctions.
inline std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ',';
    out += p;
  }
  return out;
}

// How a list of strings is written: a JSON list (store records, update_fields' merge) or StarlingX's
// comma-separated text (REST, bulk files).
enum class Lists : std::uint8_t { Json, Text };

template <class T>
nlohmann::json value_json(const T& v, Lists lists) {
  if constexpr (std::is_enum_v<T>) {
    return name_of(v);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return lists == Lists::Text ? nlohmann::json(join(v)) : nlohmann::json(v);
  } else if constexpr (std::is_same_v<T, std::optional<core::MachineInventory>>) {
    return v ? core::to_json(*v) : nlohmann::json(nullptr);
  } else {
    return v;
  }
}

}  // namespace roost::inv::fields
