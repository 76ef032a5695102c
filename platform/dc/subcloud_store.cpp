#include "platform/dc/subcloud_store.h"

#include <string>

namespace roost::dc {
namespace {

using nlohmann::json;

const json& field(const json& j, const char* key) {
  if (!j.is_object()) throw std::invalid_argument("a record must be a JSON object");
  auto it = j.find(key);
  if (it == j.end()) throw std::invalid_argument(std::string(key) + ": missing");
  return *it;
}

std::string text(const json& j, const char* key) {
  const json& v = field(j, key);
  if (!v.is_string()) throw std::invalid_argument(std::string(key) + ": must be a string");
  return v.get<std::string>();
}

std::int64_t integer(const json& j, const char* key) {
  const json& v = field(j, key);
  if (!v.is_number_integer()) throw std::invalid_argument(std::string(key) + ": must be an integer");
  return v.get<std::int64_t>();
}

std::uint64_t id(const json& j, const char* key) {
  const std::int64_t v = integer(j, key);
  if (v < 1) throw std::invalid_argument(std::string(key) + ": must be 1 or more");
  return static_cast<std::uint64_t>(v);
}

template <class T>
T parsed(const json& j, const char* key, std::optional<T> (*parse)(std::string_view)) {
  const std::string s = text(j, key);
  const auto v = parse(s);
  if (!v) throw std::invalid_argument(std::string(key) + ": '" + s + "' is not a valid value");
  return *v;
}

}  // namespace

json subcloud_record(const Subcloud& s) {
  return json{{"id", s.id},
              {"name", s.name},
              {"description", s.description},
              {"location", s.location},
              {"region-name", s.region_name},
              {"software-version", s.software_version},
              {"management-state", to_string(s.management_state)},
              {"deploy-status", to_string(s.deploy_status)},
              {"management-subnet", s.management_subnet},
              {"management-gateway-ip", s.management_gateway_ip},
              {"management-start-ip", s.management_start_ip},
              {"management-end-ip", s.management_end_ip},
              {"systemcontroller-gateway-ip", s.systemcontroller_gateway_ip},
              {"group-id", s.group_id},
              {"error-description", s.error_description},
              {"agent", s.agent},
              {"created-at-us", s.created_at_us},
              {"updated-at-us", s.updated_at_us}};
}

Subcloud subcloud_from_record(const json& j) {
  Subcloud s;
  s.id = id(j, "id");
  s.name = text(j, "name");
  s.description = text(j, "description");
  s.location = text(j, "location");
  s.region_name = text(j, "region-name");
  s.software_version = text(j, "software-version");
  s.management_state = parsed(j, "management-state", &parse_management_state);
  s.deploy_status = parsed(j, "deploy-status", &parse_deploy_status);
  s.management_subnet = text(j, "management-subnet");
  s.management_gateway_ip = text(j, "management-gateway-ip");
  s.management_start_ip = text(j, "management-start-ip");
  s.management_end_ip = text(j, "management-end-ip");
  s.systemcontroller_gateway_ip = text(j, "systemcontroller-gateway-ip");
  s.group_id = id(j, "group-id");
  s.error_description = text(j, "error-description");
  s.agent = text(j, "agent");
  s.created_at_us = integer(j, "created-at-us");
  s.updated_at_us = integer(j, "updated-at-us");
  return s;
}

json group_record(const SubcloudGroup& g) {
  return json{{"id", g.id},
              {"name", g.name},
              {"description", g.description},
              {"update-apply-type", to_string(g.update_apply_type)},
              {"max-parallel-subclouds", g.max_parallel_subclouds},
              {"created-at-us", g.created_at_us},
              {"updated-at-us", g.updated_at_us}};
}

SubcloudGroup group_from_record(const json& j) {
  SubcloudGroup g;
  g.id = id(j, "id");
  g.name = text(j, "name");
  g.description = text(j, "description");
  g.update_apply_type = parsed(j, "update-apply-type", &parse_apply_type);
  const std::int64_t n = integer(j, "max-parallel-subclouds");
  if (n < 1 || n > kMaxParallelSubclouds)
    throw std::invalid_argument("max-parallel-subclouds: " + std::to_string(n) + " is outside 1.." +
                                std::to_string(kMaxParallelSubclouds));
  g.max_parallel_subclouds = static_cast<std::uint32_t>(n);
  g.created_at_us = integer(j, "created-at-us");
  g.updated_at_us = integer(j, "updated-at-us");
  return g;
}

std::vector<SubcloudGroup> MemorySubcloudStore::load_groups() {
  std::vector<SubcloudGroup> out;
  out.reserve(groups_.size());
  for (const auto& [_, g] : groups_) out.push_back(g);
  return out;
}

std::vector<Subcloud> MemorySubcloudStore::load_subclouds() {
  std::vector<Subcloud> out;
  out.reserve(subclouds_.size());
  for (const auto& [_, s] : subclouds_) out.push_back(s);
  return out;
}

Subcloud MemorySubcloudStore::stored(const Subcloud& s) { return subcloud_from_record(subcloud_record(s)); }

}  // namespace roost::dc
