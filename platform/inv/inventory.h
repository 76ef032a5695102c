// Inventory: the system and its hosts, durable in a HostStore. It validates what operators add and
// change, assigns ids and uuids, keeps state changes durable and logs them ("host.state"), and tells
// its listener what changed. It decides nothing about lifecycle: maintenance (platform/mtce/
// host_maintenance) drives the states and checks actions with lifecycle.h's rules.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "platform/core/log.h"
#include "platform/inv/host.h"
#include "platform/inv/host_store.h"

namespace roost::inv {

// Why a request was refused; http_status is what the REST API answers (400 bad input, 404 unknown
// host, 409 conflict with the current state or another host, 500 the store failed).
struct InvError {
  int http_status = 400;
  std::string message;  // for operators: names the host and the field or rule
};

template <class T>
class Outcome {
 public:
  Outcome(T v) : v_(std::move(v)) {}
  Outcome(InvError e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(v_); }
  const InvError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, InvError> v_;
};

struct BulkResult {
  std::vector<std::string> added;                            // hostnames, in input order
  std::vector<std::pair<std::string, InvError>> failed;      // hostname (or "#<index>") and why
};

class Inventory {
 public:
  struct Listener {
    std::function<void(const Host&)> on_added;
    std::function<void(const Host&)> on_removed;
  };
  struct Deps {
    std::shared_ptr<HostStore> store;
    std::function<std::string()> make_uuid;    // fresh uuid text
    std::function<std::int64_t()> wall_us;     // UTC microseconds, for created_at / updated_at
    core::Logger* log = nullptr;               // "host.added", "host.removed", "host.state", "host.inventory"
  };

  explicit Inventory(Deps deps, Listener listener = {});

  // Reads the store; a store without a system record gets `initial` (written back). Throws StoreError.
  void load(const System& initial);

  const System& system() const { return system_; }
  // Fields a PATCH may change: name, description, location, contact, system_mode (400 naming others).
  Outcome<System> update_system(const nlohmann::json& patch);

  // Validates and adds: hostname [a-z0-9-] 1..63 chars and unique (409), mgmt_mac a MAC and unique
  // (409), bm_type ipmi/redfish needs bm_ip and bm_username (400), bm_ip a valid IPv4/IPv6/DNS name.
  // New hosts are <administrative>-disabled-offline, invprovision unprovisioned.
  Outcome<Host> add(const HostInput& in);
  // Adds each host in order; one host's error does not stop the others (StarlingX's host-bulk-add).
  BulkResult add_bulk(const std::vector<HostInput>& hosts);

  // Changes operator-editable fields (location, bm_ip/bm_type/bm_username/bm_password/bm_port,
  // boot_device, rootfs_device, console, install_output, clock_synchronization, subfunctions,
  // mgmt_mac, mgmt_ip). hostname/personality only while locked. States and "action" are not fields
  // (400 naming them). 404 for an unknown host.
  Outcome<Host> update_fields(std::string_view ref, const nlohmann::json& patch);

  // Removes without asking (maintenance checked the rules). 404 for an unknown host.
  Outcome<Host> remove(std::string_view ref);

  // By hostname, uuid, or decimal id; nullptr if none.
  const Host* find(std::string_view ref) const;
  std::vector<const Host*> hosts() const;  // by id

  // Maintenance's writes. Persist only what changed, stamp updated_at, log "host.state"
  // {host, administrative, operational, availability, task} when a state or the task changed.
  // Unknown hostname: ignored (the host was just deleted).
  void set_states(const std::string& hostname, AdminState admin, OperState oper, AvailState avail,
                  std::string task);
  void set_task(const std::string& hostname, std::string task);
  void set_uptime(const std::string& hostname, std::int64_t uptime_s);  // not persisted on its own
  // Stores the agent's report; an unprovisioned host becomes inventoried. Logs "host.inventory".
  void set_machine_inventory(const std::string& hostname, const core::MachineInventory& m);

 private:
  Host* find_mut(std::string_view ref);
  Host* find_by_name(const std::string& hostname);
  void persist(const Host& h);
  // The add/update rules on a candidate (self_id: the host being updated, 0 for an add); normalizes mgmt_mac.
  std::optional<InvError> validate(Host& h, std::uint64_t self_id) const;
  static bool same_fields(const Host& a, const Host& b);  // the operator-editable fields
  std::string new_uuid();
  std::int64_t wall_us() const;

  Deps deps_;
  Listener listener_;
  System system_;
  std::map<std::uint64_t, Host> hosts_;  // by id
  std::uint64_t next_id_ = 1;
};

}  // namespace roost::inv
