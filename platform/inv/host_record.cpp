#include "platform/inv/host_record.h"

#include <stdexcept>

namespace roost::inv {
namespace {

[[noreturn]] void bad(std::string_view field, const std::string& why) {
  throw std::invalid_argument(std::string(field) + ": " + why);
}

const nlohmann::json& need(const nlohmann::json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end()) bad(field, "missing");
  return *it;
}

std::string text(const nlohmann::json& j, const char* field) {
  const auto& v = need(j, field);
  if (!v.is_string()) bad(field, "expected a string");
  return v.get<std::string>();
}

std::int64_t integer(const nlohmann::json& j, const char* field) {
  const auto& v = need(j, field);
  if (!v.is_number_integer()) bad(field, "expected an integer");
  return v.get<std::int64_t>();
}

template <class E, class Parse>
E choice(const nlohmann::json& j, const char* field, Parse parse) {
  const std::string s = text(j, field);
  if (auto v = parse(s)) return *v;
  bad(field, "'" + s + "' is not a known value");
}

std::optional<InvProvision> parse_provision(std::string_view s) {
  for (auto v : {InvProvision::Unprovisioned, InvProvision::Inventoried, InvProvision::Configured,
                 InvProvision::Provisioning, InvProvision::Provisioned})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

}  // namespace

nlohmann::json host_record(const Host& h) {
  return nlohmann::json{
      {"id", h.id},
      {"uuid", h.uuid},
      {"hostname", h.hostname},
      {"personality", to_string(h.personality)},
      {"subfunctions", h.subfunctions},
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
      {"bm_password", h.bm_password},
      {"boot_device", h.boot_device},
      {"rootfs_device", h.rootfs_device},
      {"console", h.console},
      {"install_output", h.install_output},
      {"location", h.location},
      {"clock_synchronization", to_string(h.clock_synchronization)},
      {"config_status", h.config_status},
      {"uptime_s", h.uptime_s},
      {"created_at_us", h.created_at_us},
      {"updated_at_us", h.updated_at_us},
      {"inventory", h.inventory ? core::to_json(*h.inventory) : nlohmann::json(nullptr)},
  };
}

Host host_from_record(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("expected an object (a host record)");
  Host h;
  const std::int64_t id = integer(j, "id");
  if (id < 0) bad("id", "negative");
  h.id = static_cast<std::uint64_t>(id);
  h.uuid = text(j, "uuid");
  h.hostname = text(j, "hostname");
  h.personality = choice<Personality>(j, "personality", parse_personality);
  const auto& subs = need(j, "subfunctions");
  if (!subs.is_array()) bad("subfunctions", "expected a list");
  for (std::size_t i = 0; i < subs.size(); ++i) {
    if (!subs[i].is_string()) bad("subfunctions[" + std::to_string(i) + "]", "expected a string");
    h.subfunctions.push_back(subs[i].get<std::string>());
  }
  h.administrative = choice<AdminState>(j, "administrative", parse_admin);
  h.operational = choice<OperState>(j, "operational", parse_oper);
  h.availability = choice<AvailState>(j, "availability", parse_avail);
  h.invprovision = choice<InvProvision>(j, "invprovision", parse_provision);
  h.task = text(j, "task");
  h.mgmt_mac = text(j, "mgmt_mac");
  h.mgmt_ip = text(j, "mgmt_ip");
  h.bm_ip = text(j, "bm_ip");
  const std::int64_t port = integer(j, "bm_port");
  if (port < 0 || port > 65535) bad("bm_port", "out of range");
  h.bm_port = static_cast<std::uint16_t>(port);
  h.bm_type = choice<BmType>(j, "bm_type", parse_bm_type);
  h.bm_username = text(j, "bm_username");
  h.bm_password = text(j, "bm_password");
  h.boot_device = text(j, "boot_device");
  h.rootfs_device = text(j, "rootfs_device");
  h.console = text(j, "console");
  h.install_output = text(j, "install_output");
  h.location = need(j, "location");
  if (!h.location.is_object()) bad("location", "expected an object");
  h.clock_synchronization = choice<ClockSync>(j, "clock_synchronization", parse_clock_sync);
  h.config_status = text(j, "config_status");
  h.uptime_s = integer(j, "uptime_s");
  h.created_at_us = integer(j, "created_at_us");
  h.updated_at_us = integer(j, "updated_at_us");
  const auto& inv = need(j, "inventory");
  if (!inv.is_null()) {
    try {
      h.inventory = core::machine_inventory_from_json(inv);
    } catch (const std::exception& e) {
      bad("inventory", e.what());
    }
  }
  return h;
}

nlohmann::json system_record(const System& s) {
  return nlohmann::json{
      {"uuid", s.uuid},
      {"name", s.name},
      {"system_type", s.system_type},
      {"system_mode", s.system_mode},
      {"distributed_cloud_role", s.distributed_cloud_role},
      {"description", s.description},
      {"location", s.location},
      {"contact", s.contact},
      {"software_version", s.software_version},
      {"created_at_us", s.created_at_us},
  };
}

System system_from_record(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("expected an object (a system record)");
  System s;
  s.uuid = text(j, "uuid");
  s.name = text(j, "name");
  s.system_type = text(j, "system_type");
  s.system_mode = text(j, "system_mode");
  s.distributed_cloud_role = text(j, "distributed_cloud_role");
  s.description = text(j, "description");
  s.location = text(j, "location");
  s.contact = text(j, "contact");
  s.software_version = text(j, "software_version");
  s.created_at_us = integer(j, "created_at_us");
  return s;
}

bool same_host(const Host& a, const Host& b) { return host_record(a) == host_record(b); }
bool same_system(const System& a, const System& b) { return system_record(a) == system_record(b); }

}  // namespace roost::inv
