#include "platform/dc/registry.h"

#include <algorithm>
#include <stdexcept>

namespace roost::dc {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::uint64_t> as_id(std::string_view s) {
  if (!all_digits(s) || s.size() > 18) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

DcError bad(std::string m) { return DcError{400, std::move(m)}; }
DcError conflict(std::string m) { return DcError{409, std::move(m)}; }

// Keys compared with '_' read as '-', so the REST spelling and the config spelling are one key.
std::string canonical_key(std::string k) {
  std::replace(k.begin(), k.end(), '_', '-');
  return k;
}

std::string text(const nlohmann::json& v, const std::string& key, std::size_t max = 255) {
  if (!v.is_string()) throw std::invalid_argument(key + ": must be a string");
  std::string s = v.get<std::string>();
  if (s.size() > max) throw std::invalid_argument(key + ": at most " + std::to_string(max) + " characters");
  return s;
}

// A group given as an id (number or digits) or a name.
std::string group_ref(const nlohmann::json& v, const std::string& key) {
  if (v.is_number_unsigned() || v.is_number_integer()) {
    if (v.get<std::int64_t>() < 1) throw std::invalid_argument(key + ": a group id is 1 or more");
    return std::to_string(v.get<std::int64_t>());
  }
  if (v.is_string() && !v.get<std::string>().empty()) return v.get<std::string>();
  throw std::invalid_argument(key + ": must be a group id or a group name");
}

}  // namespace

std::optional<std::string> check_subcloud_name(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 255) return "at most 255 characters";
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
    return "'" + std::string(name) + "' must start with a letter";
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return "'" + std::string(name) + "' may contain only letters, digits, '-', '_' and '.'";
  return std::nullopt;
}

SubcloudInput subcloud_input_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("a subcloud must be a JSON object");
  SubcloudInput in;
  bool has_subnet = false, has_name = false;
  for (const auto& [raw_key, v] : j.items()) {
    const std::string k = canonical_key(raw_key);
    if (k == "name") {
      in.name = text(v, raw_key), has_name = true;
    } else if (k == "description") {
      in.description = text(v, raw_key);
    } else if (k == "location") {
      in.location = text(v, raw_key);
    } else if (k == "region-name") {
      in.region_name = text(v, raw_key);
      if (in.region_name->empty()) throw std::invalid_argument(raw_key + ": must not be empty");
    } else if (k == "software-version") {
      in.software_version = text(v, raw_key, 32);
    } else if (k == "management-state") {
      const auto s = parse_management_state(text(v, raw_key));
      if (!s) throw std::invalid_argument(raw_key + ": must be managed or unmanaged");
      in.management_state = *s;
    } else if (k == "deploy-status") {
      const auto s = parse_deploy_status(text(v, raw_key));
      if (!s) throw std::invalid_argument(raw_key + ": '" + v.get<std::string>() + "' is not a deploy status (complete, not-deployed, install-failed, ...)");
      in.deploy_status = *s;
    } else if (k == "management-subnet") {
      in.management_subnet = text(v, raw_key), has_subnet = true;
    } else if (k == "management-start-ip") {
      in.management_start_ip = text(v, raw_key);
    } else if (k == "management-end-ip") {
      in.management_end_ip = text(v, raw_key);
    } else if (k == "management-gateway-ip" || k == "management-gateway-address") {
      in.management_gateway_ip = text(v, raw_key);
    } else if (k == "systemcontroller-gateway-ip" || k == "systemcontroller-gateway-address") {
      in.systemcontroller_gateway_ip = text(v, raw_key);
    } else if (k == "group-id" || k == "group") {
      in.group = group_ref(v, raw_key);
    } else if (k == "agent") {
      in.agent = text(v, raw_key);
      if (in.agent->empty()) throw std::invalid_argument(raw_key + ": must be a node name");
    } else if (k == "deploy") {
      if (!v.is_boolean()) throw std::invalid_argument(raw_key + ": must be true or false");
      in.deploy = v.get<bool>();
    } else {
      throw std::invalid_argument(raw_key + ": unknown key (name, description, location, region-name, software-version, "
                                  "management-state, deploy-status, management-subnet, management-start-ip, "
                                  "management-end-ip, management-gateway-ip, systemcontroller-gateway-ip, group_id, "
                                  "agent, deploy)");
    }
  }
  if (!has_name) throw std::invalid_argument("name: required");
  if (!has_subnet) throw std::invalid_argument("management-subnet: required (an IPv4 CIDR such as 10.1.7.0/24)");
  if (in.deploy && in.deploy_status && *in.deploy_status != DeployStatus::PreInstall)
    throw std::invalid_argument("deploy: a subcloud to deploy starts at pre-install; leave deploy-status out");
  return in;
}

GroupInput group_input_from_json(const nlohmann::json& j, bool require_name) {
  if (!j.is_object()) throw std::invalid_argument("a subcloud group must be a JSON object");
  GroupInput in;
  bool has_name = false;
  for (const auto& [raw_key, v] : j.items()) {
    const std::string k = canonical_key(raw_key);
    if (k == "name") {
      in.name = text(v, raw_key), has_name = true;
    } else if (k == "description") {
      in.description = text(v, raw_key);
    } else if (k == "update-apply-type") {
      const auto t = parse_apply_type(text(v, raw_key));
      if (!t) throw std::invalid_argument(raw_key + ": must be serial or parallel");
      in.update_apply_type = *t;
    } else if (k == "max-parallel-subclouds") {
      std::int64_t n = 0;
      if (v.is_number_integer()) n = v.get<std::int64_t>();
      else if (v.is_string() && all_digits(v.get<std::string>()) && v.get<std::string>().size() < 10) n = std::stoll(v.get<std::string>());
      else throw std::invalid_argument(raw_key + ": must be an integer in 1.." + std::to_string(kMaxParallelSubclouds));
      if (n < 1 || n > kMaxParallelSubclouds)
        throw std::invalid_argument(raw_key + ": " + std::to_string(n) + " is outside 1.." + std::to_string(kMaxParallelSubclouds));
      in.max_parallel_subclouds = static_cast<std::uint32_t>(n);
    } else {
      throw std::invalid_argument(raw_key + ": unknown key (name, description, update_apply_type, max_parallel_subclouds)");
    }
  }
  if (require_name && !has_name) throw std::invalid_argument("name: required");
  if (has_name && (in.name.empty() || all_digits(in.name)))
    throw std::invalid_argument("name: '" + in.name + "' must be non-empty and not all digits (it would read as an id)");
  return in;
}

SubcloudRegistry::SubcloudRegistry() {
  SubcloudGroup g;
  g.id = kDefaultGroupId;
  g.name = "Default";
  g.description = "Default Subcloud Group";
  groups_.emplace(g.id, g);
}

Outcome<const Subcloud*> SubcloudRegistry::add(const SubcloudInput& in, std::int64_t now_us) {
  if (auto why = check_subcloud_name(in.name)) return bad("name: " + *why);
  if (by_name_.count(in.name)) return conflict("name: a subcloud named '" + in.name + "' already exists");
  const auto parsed = parse_subnet(in.management_subnet);
  if (const auto* why = std::get_if<std::string>(&parsed)) return bad("management-subnet: " + *why);
  const Subnet net = std::get<Subnet>(parsed);
  // The subnets never overlap, so the one starting last at or before ours' end is the only candidate.
  if (auto it = subnets_.upper_bound(net.last()); it != subnets_.begin()) {
    --it;
    if (it->second.first >= net.first()) {
      const Subcloud* other = by_id(it->second.second);
      return conflict("management-subnet: " + in.management_subnet + " overlaps the management subnet of subcloud '" +
                      (other ? other->name : "?") + "' (" + format_ipv4(it->first) + "-" + format_ipv4(it->second.first) + ")");
    }
  }
  // Defaults: gateway the first usable address, the range the rest of the subnet.
  const std::uint32_t first_usable = net.first() + 1, last_usable = net.last() - 1;
  auto address = [&](const std::optional<std::string>& given, const char* key, std::uint32_t fallback,
                     std::uint32_t& out) -> std::optional<DcError> {
    if (!given) {
      out = fallback;
      return std::nullopt;
    }
    const auto a = parse_ipv4(*given);
    if (!a) return bad(std::string(key) + ": '" + *given + "' is not an IPv4 address");
    if (*a < first_usable || *a > last_usable)
      return bad(std::string(key) + ": " + *given + " is not a usable address of " + in.management_subnet + " (" +
                 format_ipv4(first_usable) + "-" + format_ipv4(last_usable) + ")");
    out = *a;
    return std::nullopt;
  };
  std::uint32_t gateway = 0, start = 0, end = 0;
  if (auto e = address(in.management_gateway_ip, "management-gateway-ip", first_usable, gateway)) return *e;
  if (auto e = address(in.management_start_ip, "management-start-ip", first_usable + 1, start)) return *e;
  if (auto e = address(in.management_end_ip, "management-end-ip", last_usable, end)) return *e;
  if (start > end)
    return bad("management-start-ip: " + format_ipv4(start) + " is after management-end-ip " + format_ipv4(end));
  if (gateway >= start && gateway <= end)
    return bad("management-gateway-ip: " + format_ipv4(gateway) + " lies inside the address range " + format_ipv4(start) +
               "-" + format_ipv4(end));
  if (in.systemcontroller_gateway_ip && !in.systemcontroller_gateway_ip->empty() && !parse_ipv4(*in.systemcontroller_gateway_ip))
    return bad("systemcontroller-gateway-ip: '" + *in.systemcontroller_gateway_ip + "' is not an IPv4 address");
  std::uint64_t group = kDefaultGroupId;
  if (in.group) {
    const SubcloudGroup* g = find_group(*in.group);
    if (!g) return bad("group_id: no subcloud group '" + *in.group + "'");
    group = g->id;
  }

  Subcloud s;
  s.id = next_id_++;
  s.name = in.name;
  s.description = in.description.value_or("");
  s.location = in.location.value_or("");
  s.region_name = in.region_name.value_or(in.name);
  s.software_version = in.software_version.value_or("25.09");
  s.management_state = in.management_state.value_or(ManagementState::Managed);
  s.deploy_status = in.deploy ? DeployStatus::PreInstall : in.deploy_status.value_or(DeployStatus::Complete);
  s.management_subnet = format_ipv4(net.network) + "/" + std::to_string(net.prefix);
  s.management_gateway_ip = format_ipv4(gateway);
  s.management_start_ip = format_ipv4(start);
  s.management_end_ip = format_ipv4(end);
  s.systemcontroller_gateway_ip = in.systemcontroller_gateway_ip.value_or("");
  s.group_id = group;
  s.agent = in.agent.value_or(in.name + ".controller-0");
  s.created_at_us = now_us;
  const std::uint64_t id = s.id;
  insert(std::move(s));  // the checks above leave nothing it could refuse
  return by_id(id);
}

std::optional<std::string> SubcloudRegistry::insert(Subcloud s) {
  if (subclouds_.count(s.id)) return "id " + std::to_string(s.id) + " is taken";
  if (by_name_.count(s.name)) return "name '" + s.name + "' is taken";
  const auto parsed = parse_subnet(s.management_subnet);
  if (const auto* why = std::get_if<std::string>(&parsed)) return "management-subnet: " + *why;
  const Subnet net = std::get<Subnet>(parsed);
  if (auto it = subnets_.upper_bound(net.last()); it != subnets_.begin() && (--it)->second.first >= net.first())
    return "management-subnet: " + s.management_subnet + " overlaps subcloud " + std::to_string(it->second.second) + "'s";
  subnets_.emplace(net.first(), std::make_pair(net.last(), s.id));
  by_name_.emplace(s.name, s.id);
  ++members_[s.group_id];
  next_id_ = std::max(next_id_, s.id + 1);
  subclouds_.emplace(s.id, std::move(s));
  return std::nullopt;
}

void SubcloudRegistry::restore(const std::vector<SubcloudGroup>& groups, const std::vector<Subcloud>& subclouds) {
  if (!subclouds_.empty() || groups_.size() != 1)
    throw std::logic_error("subcloud registry: restore into a registry that is not empty");
  for (const SubcloudGroup& g : groups) {
    const std::string what = "stored subcloud group " + std::to_string(g.id) + " ('" + g.name + "')";
    if (g.id == 0) throw std::invalid_argument(what + ": id 0");
    if (g.id != kDefaultGroupId && groups_.count(g.id)) throw std::invalid_argument(what + ": a second group with this id");
    for (const auto& [id, other] : groups_)
      if (id != g.id && other.name == g.name) throw std::invalid_argument(what + ": a second group with this name");
    if (g.id == kDefaultGroupId && g.name != "Default") throw std::invalid_argument(what + ": group 1 must be 'Default'");
    groups_[g.id] = g;
    next_group_id_ = std::max(next_group_id_, g.id + 1);
  }
  for (Subcloud s : subclouds) {
    const std::string what = "stored subcloud " + std::to_string(s.id) + " ('" + s.name + "')";
    if (s.id == 0) throw std::invalid_argument(what + ": id 0");
    if (auto why = check_subcloud_name(s.name)) throw std::invalid_argument(what + ": name: " + *why);
    if (!groups_.count(s.group_id))
      throw std::invalid_argument(what + ": group-id " + std::to_string(s.group_id) + " is not a stored group");
    s.availability = Availability::Offline;
    s.audit_fail_count = 0;
    s.sync.fill(SyncStatus::Unknown);
    s.alarms = AlarmSummary{};
    if (auto why = insert(std::move(s))) throw std::invalid_argument(what + ": " + *why);
  }
}

void SubcloudRegistry::put_back(const Subcloud& before) {
  if (Subcloud* now = mutable_by_id(before.id)) {
    // Name and subnet never change after an add: only the group count needs moving.
    --members_[now->group_id];
    ++members_[before.group_id];
    *now = before;
    return;
  }
  insert(before);
}

void SubcloudRegistry::erase(std::uint64_t id) {
  const Subcloud* s = by_id(id);
  if (!s) return;
  subnets_.erase(std::get<Subnet>(parse_subnet(s->management_subnet)).first());
  by_name_.erase(s->name);
  --members_[s->group_id];
  subclouds_.erase(id);
}

void SubcloudRegistry::put_back(const SubcloudGroup& before) {
  groups_[before.id] = before;
  next_group_id_ = std::max(next_group_id_, before.id + 1);
}

void SubcloudRegistry::erase_group(std::uint64_t id) {
  if (id == kDefaultGroupId || member_count(id) > 0) return;
  groups_.erase(id);
  members_.erase(id);
}

Outcome<std::uint64_t> SubcloudRegistry::remove(std::string_view ref) {
  const Subcloud* s = find(ref);
  if (!s) return DcError{404, "subcloud '" + std::string(ref) + "' not found (give a name or an id)"};
  if (s->management_state != ManagementState::Unmanaged)
    return conflict("subcloud '" + s->name + "' is managed: unmanage it before deleting it");
  if (s->availability != Availability::Offline)
    return conflict("subcloud '" + s->name + "' is online: only an offline subcloud can be deleted");
  const std::uint64_t id = s->id;
  erase(id);
  return id;
}

const Subcloud* SubcloudRegistry::find(std::string_view ref) const {
  if (auto it = by_name_.find(std::string(ref)); it != by_name_.end()) return by_id(it->second);
  if (auto id = as_id(ref)) return by_id(*id);
  return nullptr;
}

const Subcloud* SubcloudRegistry::by_id(std::uint64_t id) const {
  auto it = subclouds_.find(id);
  return it == subclouds_.end() ? nullptr : &it->second;
}

Subcloud* SubcloudRegistry::mutable_by_id(std::uint64_t id) {
  auto it = subclouds_.find(id);
  return it == subclouds_.end() ? nullptr : &it->second;
}

std::vector<const Subcloud*> SubcloudRegistry::subclouds() const {
  std::vector<const Subcloud*> out;
  out.reserve(subclouds_.size());
  for (const auto& [id, s] : subclouds_) out.push_back(&s);
  return out;
}

std::vector<const Subcloud*> SubcloudRegistry::members(std::uint64_t group_id) const {
  std::vector<const Subcloud*> out;
  for (const auto& [id, s] : subclouds_)
    if (s.group_id == group_id) out.push_back(&s);
  return out;
}

Outcome<const Subcloud*> SubcloudRegistry::set_group(std::uint64_t id, std::string_view group_ref, std::int64_t now_us) {
  Subcloud* s = mutable_by_id(id);
  if (!s) return DcError{404, "subcloud " + std::to_string(id) + " not found"};
  const SubcloudGroup* g = find_group(group_ref);
  if (!g) return bad("group_id: no subcloud group '" + std::string(group_ref) + "'");
  if (g->id != s->group_id) {
    --members_[s->group_id];
    ++members_[g->id];
    s->group_id = g->id;
    s->updated_at_us = now_us;
  }
  return s;
}

Outcome<const Subcloud*> SubcloudRegistry::set_text(std::uint64_t id, const std::string& field, const std::string& value,
                                                    std::int64_t now_us) {
  Subcloud* s = mutable_by_id(id);
  if (!s) return DcError{404, "subcloud " + std::to_string(id) + " not found"};
  if (value.size() > 255) return bad(field + ": at most 255 characters");
  if (field == "description") s->description = value;
  else if (field == "location") s->location = value;
  else return bad(field + ": not a text field of a subcloud (description, location)");
  s->updated_at_us = now_us;
  return s;
}

Outcome<const SubcloudGroup*> SubcloudRegistry::add_group(const GroupInput& in, std::int64_t now_us) {
  if (in.name.empty() || all_digits(in.name)) return bad("name: '" + in.name + "' must be non-empty and not all digits");
  if (in.name.size() > 255) return bad("name: at most 255 characters");
  if (find_group(in.name)) return conflict("name: a subcloud group named '" + in.name + "' already exists");
  SubcloudGroup g;
  g.id = next_group_id_++;
  g.name = in.name;
  g.description = in.description.value_or("");
  g.update_apply_type = in.update_apply_type.value_or(ApplyType::Parallel);
  g.max_parallel_subclouds = in.max_parallel_subclouds.value_or(2);
  g.created_at_us = now_us;
  auto [it, _] = groups_.emplace(g.id, std::move(g));
  return &it->second;
}

Outcome<const SubcloudGroup*> SubcloudRegistry::update_group(std::string_view ref, const GroupInput& in,
                                                             std::int64_t now_us) {
  const SubcloudGroup* found = find_group(ref);
  if (!found) return DcError{404, "subcloud group '" + std::string(ref) + "' not found (give a name or an id)"};
  SubcloudGroup& g = groups_.at(found->id);
  if (!in.name.empty() && in.name != g.name) {
    if (g.id == kDefaultGroupId) return conflict("name: the Default group cannot be renamed");
    if (all_digits(in.name)) return bad("name: '" + in.name + "' must not be all digits");
    if (find_group(in.name)) return conflict("name: a subcloud group named '" + in.name + "' already exists");
    g.name = in.name;
  }
  if (in.description) g.description = *in.description;
  if (in.update_apply_type) g.update_apply_type = *in.update_apply_type;
  if (in.max_parallel_subclouds) g.max_parallel_subclouds = *in.max_parallel_subclouds;
  g.updated_at_us = now_us;
  return &g;
}

Outcome<std::uint64_t> SubcloudRegistry::remove_group(std::string_view ref) {
  const SubcloudGroup* g = find_group(ref);
  if (!g) return DcError{404, "subcloud group '" + std::string(ref) + "' not found (give a name or an id)"};
  if (g->id == kDefaultGroupId) return conflict("the Default subcloud group cannot be deleted");
  if (const auto n = member_count(g->id); n > 0)
    return conflict("subcloud group '" + g->name + "' has " + std::to_string(n) +
                    " subcloud(s): move them to another group before deleting it");
  const std::uint64_t id = g->id;
  groups_.erase(id);
  members_.erase(id);
  return id;
}

const SubcloudGroup* SubcloudRegistry::find_group(std::string_view ref) const {
  for (const auto& [id, g] : groups_)
    if (g.name == ref) return &g;
  if (auto id = as_id(ref)) {
    auto it = groups_.find(*id);
    if (it != groups_.end()) return &it->second;
  }
  return nullptr;
}

std::vector<const SubcloudGroup*> SubcloudRegistry::groups() const {
  std::vector<const SubcloudGroup*> out;
  for (const auto& [id, g] : groups_) out.push_back(&g);
  return out;
}

std::size_t SubcloudRegistry::member_count(std::uint64_t group_id) const {
  auto it = members_.find(group_id);
  return it == members_.end() ? 0 : it->second;
}

}  // namespace roost::dc
