#include "platform/inv/inventory.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "platform/inv/host_fields.h"
#include "platform/inv/validate.h"

namespace roost::inv {
namespace {

InvError bad_request(std::string m) { return InvError{400, std::move(m)}; }
InvError not_found(std::string_view ref) { return InvError{404, "host '" + std::string(ref) + "' not found"}; }
InvError conflict(std::string m) { return InvError{409, std::move(m)}; }

const std::set<std::string, std::less<>> kSubfunctions{"controller", "worker", "storage", "lowlatency"};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What an operator can set, as host_input_from_json reads it: the base update_fields patches.
nlohmann::json input_json(const Host& h) {
  nlohmann::json j = nlohmann::json::object();
  fields::visit_editable(
      [&](const fields::Field& f, const auto& v) { j[f.name] = fields::value_json(v, fields::Lists::Json); }, h);
  return j;
}

void apply_input(Host& h, const HostInput& in) {
  fields::visit_editable([](const fields::Field&, auto& to, const auto& from) { to = from; }, h, in);
  if (h.subfunctions.empty()) h.subfunctions = {std::string(to_string(in.personality))};
}

}  // namespace

Inventory::Inventory(Deps deps, Listener listener) : deps_(std::move(deps)), listener_(std::move(listener)) {
  if (!deps_.store) throw std::invalid_argument("Inventory needs a HostStore");
}

void Inventory::load(const System& initial) {
  std::optional<System> stored = deps_.store->load_system();
  std::vector<Host> loaded = deps_.store->load_hosts();
  if (!stored) {
    System s = initial;
    if (s.uuid.empty()) s.uuid = new_uuid();
    if (s.created_at_us == 0) s.created_at_us = wall_us();
    deps_.store->put_system(s);
    stored = std::move(s);
  }
  system_ = std::move(*stored);
  hosts_.clear();
  next_id_ = 1;
  for (Host& h : loaded) {
    next_id_ = std::max(next_id_, h.id + 1);
    const std::uint64_t id = h.id;
    hosts_[id] = std::move(h);
  }
}

Outcome<System> Inventory::update_system(const nlohmann::json& patch) {
  if (!patch.is_object()) return bad_request("system: expected an object of fields to change");
  for (const auto& [key, _] : patch.items()) {
    const std::optional<fields::Field> field = fields::find_field<System>(key);
    if (field && field->has(fields::kEditable)) continue;
    std::string editable;  // "name, description, ..."
    fields::visit_system(
        [&](const fields::Field& f, const auto&) {
          if (!f.has(fields::kEditable)) return;
          if (!editable.empty()) editable += ", ";
          editable += f.name;
        },
        system_);
    return bad_request("system: " + key + ": cannot be changed (editable: " + editable + ")");
  }
  System next;
  try {
    next = system_from_json(patch, system_);
  } catch (const std::invalid_argument& e) {
    return bad_request(std::string("system: ") + e.what());
  }
  try {
    deps_.store->put_system(next);
  } catch (const StoreError& e) {
    return InvError{500, std::string("system: the inventory store failed: ") + e.what()};
  }
  system_ = std::move(next);
  return system_;
}

std::optional<InvError> Inventory::validate(Host& h, std::uint64_t self_id) const {
  const std::string who = "host " + h.hostname + ": ";
  if (!is_valid_hostname(h.hostname))
    return bad_request("hostname: '" + h.hostname +
                       "' is not a valid host name (dot-separated labels of 1 to 63 characters of a-z, 0-9 and '-', "
                       "not starting or ending with '-', the last not all digits)");
  for (const auto& [id, other] : hosts_)
    if (id != self_id && other.hostname == h.hostname)
      return conflict("hostname: host '" + h.hostname + "' already exists (id " + std::to_string(id) + ")");
  std::set<std::string_view> seen;
  for (const std::string& f : h.subfunctions) {
    if (!kSubfunctions.contains(f))
      return bad_request(who + "subfunctions: '" + f + "' is not one of controller, worker, storage, lowlatency");
    if (!seen.insert(f).second) return bad_request(who + "subfunctions: '" + f + "' is listed twice");
  }
  if (!seen.contains(to_string(h.personality)))
    return bad_request(who + "subfunctions: must include the personality '" + std::string(to_string(h.personality)) +
                       "'");
  if (!h.mgmt_mac.empty()) {
    const auto mac = normalize_mac(h.mgmt_mac);
    if (!mac) return bad_request(who + "mgmt_mac: '" + h.mgmt_mac + "' is not a MAC address (like 08:00:27:aa:bb:cc)");
    h.mgmt_mac = *mac;
    for (const auto& [id, other] : hosts_)
      if (id != self_id && other.mgmt_mac == h.mgmt_mac)
        return conflict(who + "mgmt_mac: " + h.mgmt_mac + " is already used by host '" + other.hostname + "'");
  }
  if (!h.mgmt_ip.empty() && !is_ipv4(h.mgmt_ip) && !is_ipv6(h.mgmt_ip))
    return bad_request(who + "mgmt_ip: '" + h.mgmt_ip + "' is not an IPv4 or IPv6 address");
  if (!h.bm_ip.empty() && !is_ipv4(h.bm_ip) && !is_ipv6(h.bm_ip) && !is_dns_name(h.bm_ip))
    return bad_request(who + "bm_ip: '" + h.bm_ip + "' is not an IPv4 or IPv6 address or a DNS name");
  if (h.bm_type != BmType::None) {
    const std::string type(to_string(h.bm_type));
    if (h.bm_ip.empty()) return bad_request(who + "bm_ip: required when bm_type is " + type);
    if (h.bm_username.empty()) return bad_request(who + "bm_username: required when bm_type is " + type);
  }
  if (h.bm_port == 0) return bad_request(who + "bm_port: must be from 1 to 65535");
  if (!h.install_output.empty() && h.install_output != "text" && h.install_output != "graphical")
    return bad_request(who + "install_output: '" + h.install_output + "' is not one of text, graphical");
  if (!h.location.is_object()) return bad_request(who + "location: expected an object");
  return std::nullopt;
}

Outcome<Host> Inventory::add(const HostInput& in) {
  Host h;
  apply_input(h, in);
  if (auto err = validate(h, 0)) return *err;
  h.id = next_id_;
  h.uuid = new_uuid();
  h.administrative = in.administrative;
  h.operational = OperState::Disabled;
  h.availability = AvailState::Offline;
  h.invprovision = InvProvision::Unprovisioned;
  h.created_at_us = h.updated_at_us = wall_us();
  try {
    deps_.store->put_host(h);
  } catch (const StoreError& e) {
    // Nothing changes in memory: the host was never accepted.
    return InvError{500, "host " + h.hostname + ": the inventory store failed: " + e.what()};
  }
  ++next_id_;
  const Host& added = hosts_[h.id] = std::move(h);
  if (deps_.log)
    deps_.log->info("host.added", {{"host", added.hostname},
                                   {"id", added.id},
                                   {"uuid", added.uuid},
                                   {"personality", to_string(added.personality)},
                                   {"administrative", to_string(added.administrative)}});
  if (listener_.on_added) listener_.on_added(added);
  return added;
}

BulkResult Inventory::add_bulk(const std::vector<HostInput>& hosts) {
  BulkResult result;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const HostInput& in = hosts[i];
    Outcome<Host> r = add(in);
    const std::string name = in.hostname.empty() ? "#" + std::to_string(i) : in.hostname;
    if (r)
      result.added.push_back(name);
    else
      result.failed.emplace_back(name, r.error());
  }
  return result;
}

Outcome<Host> Inventory::update_fields(std::string_view ref, const nlohmann::json& patch) {
  Host* current = find_mut(ref);
  if (!current) return not_found(ref);
  const std::string who = "host " + current->hostname + ": ";
  if (!patch.is_object()) return bad_request(who + "expected an object of fields to change");
  nlohmann::json merged = input_json(*current);
  for (const auto& [key, value] : patch.items()) {
    const std::optional<fields::Field> field = fields::find_field<Host>(key);
    if (field && field->has(fields::kState))
      return bad_request(who + key + ": a state, not a field: maintenance changes it (use an action: lock, unlock, "
                         "reboot, ...)");
    if (key == "action")
      return bad_request(who + "action: not a field: lifecycle actions go through maintenance");
    if (key == "power_on") return bad_request(who + "power_on: not a field: use the power-on action");
    if (field && !field->has(fields::kEditable)) return bad_request(who + key + ": read-only");
    if (!merged.contains(key)) return bad_request(who + "unknown field '" + key + "'");
    if ((key == "hostname" || key == "personality") && current->administrative != AdminState::Locked &&
        value != merged[key])
      return conflict(who + key + ": can only be changed while the host is locked");
    merged[key] = value;
  }
  HostInput in;
  try {
    in = host_input_from_json(merged);
  } catch (const std::invalid_argument& e) {
    return bad_request(who + e.what());
  }
  // A new personality without new subfunctions takes the new personality's default.
  if (in.personality != current->personality && !patch.contains("subfunctions")) in.subfunctions.clear();
  Host next = *current;
  apply_input(next, in);
  if (auto err = validate(next, current->id)) return *err;
  if (same_fields(next, *current)) return *current;
  next.updated_at_us = wall_us();
  try {
    deps_.store->put_host(next);
  } catch (const StoreError& e) {
    return InvError{500, who + "the inventory store failed: " + e.what()};
  }
  const Host before = std::exchange(*current, std::move(next));
  std::string changed;  // names only: the values may be secret
  const nlohmann::json old_fields = input_json(before), new_fields = input_json(*current);
  for (const auto& [key, value] : new_fields.items()) {
    if (value == old_fields[key]) continue;
    if (!changed.empty()) changed += ",";
    changed += key;
  }
  if (deps_.log) deps_.log->info("host.updated", {{"host", current->hostname}, {"fields", changed}});
  // Listeners know hosts by name: a rename is the old host leaving and the new one arriving.
  if (before.hostname != current->hostname) {
    if (listener_.on_removed) listener_.on_removed(before);
    if (listener_.on_added) listener_.on_added(*current);
  }
  return *current;
}

Outcome<Host> Inventory::remove(std::string_view ref) {
  Host* h = find_mut(ref);
  if (!h) return not_found(ref);
  try {
    deps_.store->remove_host(h->uuid);
  } catch (const StoreError& e) {
    return InvError{500, "host " + h->hostname + ": the inventory store failed: " + e.what()};
  }
  Host removed = std::move(*h);
  hosts_.erase(removed.id);
  if (deps_.log) deps_.log->info("host.removed", {{"host", removed.hostname}, {"id", removed.id}, {"uuid", removed.uuid}});
  if (listener_.on_removed) listener_.on_removed(removed);
  return removed;
}

const Host* Inventory::find(std::string_view ref) const { return const_cast<Inventory*>(this)->find_mut(ref); }

Host* Inventory::find_mut(std::string_view ref) {
  if (ref.empty()) return nullptr;
  for (auto& [_, h] : hosts_)
    if (h.hostname == ref) return &h;
  for (auto& [_, h] : hosts_)
    if (h.uuid == ref) return &h;
  if (all_digits(ref) && ref.size() <= 19) {
    std::uint64_t id = 0;
    for (char c : ref) id = id * 10 + static_cast<std::uint64_t>(c - '0');
    if (auto it = hosts_.find(id); it != hosts_.end()) return &it->second;
  }
  return nullptr;
}

std::vector<const Host*> Inventory::hosts() const {
  std::vector<const Host*> out;
  out.reserve(hosts_.size());
  for (const auto& [_, h] : hosts_) out.push_back(&h);
  return out;
}

Host* Inventory::find_by_name(const std::string& hostname) {
  for (auto& [_, h] : hosts_)
    if (h.hostname == hostname) return &h;
  return nullptr;
}

void Inventory::set_states(const std::string& hostname, AdminState admin, OperState oper, AvailState avail,
                           std::string task) {
  Host* h = find_by_name(hostname);
  if (!h) return;
  if (h->administrative == admin && h->operational == oper && h->availability == avail && h->task == task) return;
  h->administrative = admin;
  h->operational = oper;
  h->availability = avail;
  h->task = std::move(task);
  h->updated_at_us = wall_us();
  persist(*h);
  if (deps_.log)
    deps_.log->info("host.state", {{"host", h->hostname},
                                   {"administrative", to_string(h->administrative)},
                                   {"operational", to_string(h->operational)},
                                   {"availability", to_string(h->availability)},
                                   {"task", h->task}});
}

void Inventory::set_task(const std::string& hostname, std::string task) {
  const Host* h = find_by_name(hostname);
  if (!h) return;
  set_states(hostname, h->administrative, h->operational, h->availability, std::move(task));
}

void Inventory::set_uptime(const std::string& hostname, std::int64_t uptime_s) {
  if (Host* h = find_by_name(hostname)) h->uptime_s = uptime_s;
}

void Inventory::set_machine_inventory(const std::string& hostname, const core::MachineInventory& m) {
  Host* h = find_by_name(hostname);
  if (!h) return;
  const bool first = h->invprovision == InvProvision::Unprovisioned;
  if (!first && h->inventory && *h->inventory == m) return;  // the agent repeats itself
  h->inventory = m;
  if (first) h->invprovision = InvProvision::Inventoried;
  h->updated_at_us = wall_us();
  persist(*h);
  if (deps_.log)
    deps_.log->info("host.inventory", {{"host", h->hostname},
                                       {"invprovision", to_string(h->invprovision)},
                                       {"cpus", m.cpus.size()},
                                       {"sockets", m.sockets()},
                                       {"cores", m.cores()},
                                       {"memory_kib", m.memory_total_kib()},
                                       {"disks", m.disks.size()},
                                       {"ports", m.ports.size()}});
}

void Inventory::persist(const Host& h) {
  // Maintenance's writes describe what already happened to the machine: memory keeps them even when the
  // disk refuses (the next successful write of this host carries them), and the failure is logged.
  try {
    deps_.store->put_host(h);
  } catch (const StoreError& e) {
    if (deps_.log) deps_.log->error("host.store_failed", {{"host", h.hostname}, {"error", e.what()}});
  }
}

std::string Inventory::new_uuid() {
  if (deps_.make_uuid) return deps_.make_uuid();
  // No generator given (some tests): a stable stand-in that is still unique per id.
  std::string tail = std::to_string(next_id_);
  return "00000000-0000-4000-8000-" + std::string(12 - std::min<std::size_t>(12, tail.size()), '0') + tail;
}

std::int64_t Inventory::wall_us() const { return deps_.wall_us ? deps_.wall_us() : 0; }

bool Inventory::same_fields(const Host& a, const Host& b) {
  return input_json(a) == input_json(b);
}

}  // namespace roost::inv
