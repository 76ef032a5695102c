// The inventory's host record, StarlingX sysinv's ihost: identity, personality, the three states
// (administrative / operational / availability) maintenance drives, the board management (BMC)
// settings, install parameters, and the machine inventory its agent last reported.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/hardware.h"
#include "platform/core/machine.h"

namespace roost::inv {

enum class Personality : std::uint8_t { Controller, Worker, Storage };
enum class AdminState : std::uint8_t { Locked, Unlocked };
enum class OperState : std::uint8_t { Disabled, Enabled };
enum class AvailState : std::uint8_t {
  NotInstalled, Available, Degraded, Failed, Intest, PowerOff, Offline, Online, Offduty
};
enum class BmType : std::uint8_t { None, Dynamic, Ipmi, Redfish };
enum class InvProvision : std::uint8_t { Unprovisioned, Inventoried, Configured, Provisioning, Provisioned };
enum class ClockSync : std::uint8_t { Ntp, Ptp };

// StarlingX's spellings: "controller", "locked", "enabled", "not-installed", "power-off", "ipmi", ...
std::string_view to_string(Personality v);
std::string_view to_string(AdminState v);
std::string_view to_string(OperState v);
std::string_view to_string(AvailState v);
std::string_view to_string(BmType v);
std::string_view to_string(InvProvision v);
std::string_view to_string(ClockSync v);
std::optional<Personality> parse_personality(std::string_view s);
std::optional<AdminState> parse_admin(std::string_view s);
std::optional<OperState> parse_oper(std::string_view s);
std::optional<AvailState> parse_avail(std::string_view s);
std::optional<BmType> parse_bm_type(std::string_view s);
std::optional<ClockSync> parse_clock_sync(std::string_view s);

struct Host {
  std::uint64_t id = 0;          // server-assigned, increasing
  std::string uuid;              // server-assigned
  std::string hostname;          // unique; also the name of the host's agent node
  Personality personality = Personality::Worker;
  std::vector<std::string> subfunctions;  // "controller", "worker", "lowlatency"...; default: the personality
  AdminState administrative = AdminState::Locked;
  OperState operational = OperState::Disabled;
  AvailState availability = AvailState::Offline;
  InvProvision invprovision = InvProvision::Unprovisioned;
  std::string task;              // what maintenance is doing now ("Rebooting", "Enabling", ...), "" when idle
  std::string mgmt_mac;          // "08:00:27:aa:bb:cc" (lower case)
  std::string mgmt_ip;
  std::string bm_ip;             // the BMC's address
  std::uint16_t bm_port = 623;
  BmType bm_type = BmType::None;
  std::string bm_username;
  std::string bm_password;       // write-only: never in to_json / exports / logs
  std::string boot_device;       // install parameters
  std::string rootfs_device;
  std::string console;
  std::string install_output;    // "text" | "graphical"
  nlohmann::json location = nlohmann::json::object();  // {"locality": "rack 3"}
  ClockSync clock_synchronization = ClockSync::Ntp;
  std::string config_status;     // "" | "Config out-of-date"
  std::int64_t uptime_s = 0;     // from the agent's last mtcAlive
  std::int64_t created_at_us = 0;
  std::int64_t updated_at_us = 0;
  std::optional<core::MachineInventory> inventory;  // the agent's last report

  bool has_bmc() const { return bm_type != BmType::None && !bm_ip.empty(); }
  bool unlocked_enabled() const { return administrative == AdminState::Unlocked && operational == OperState::Enabled; }
};

// Where the host's BMC is and how to log in (for Env::hardware().bmc()).
inline core::BmcEndpoint bmc_endpoint(const Host& h) {
  core::BmcEndpoint e;
  e.host = h.hostname;
  e.address = h.bm_ip;
  e.port = h.bm_port;
  e.user = h.bm_username;
  e.password = h.bm_password;
  // "dynamic" lets StarlingX pick the protocol the BMC speaks; IPMI is what every BMC here speaks.
  e.protocol = h.bm_type == BmType::Redfish ? "redfish" : "ipmi";
  return e;
}

// The REST shape (sysinv's field names; bm_password never appears; "inventory" only when asked).
nlohmann::json to_json(const Host& h, bool with_inventory = false);

// What an operator gives to add a host (REST POST, bulk XML/JSON). Only hostname and personality are
// required; the rest default as in Host. `administrative` lets a lab or scenario add hosts already
// unlocked (StarlingX adds them locked; so does the default).
struct HostInput {
  std::string hostname;
  Personality personality = Personality::Worker;
  std::vector<std::string> subfunctions;
  std::string mgmt_mac, mgmt_ip, bm_ip, bm_username, bm_password;
  std::uint16_t bm_port = 623;
  BmType bm_type = BmType::None;
  std::string boot_device, rootfs_device, console, install_output;
  nlohmann::json location = nlohmann::json::object();
  ClockSync clock_synchronization = ClockSync::Ntp;
  AdminState administrative = AdminState::Locked;
  bool power_on = false;         // bulk XML <power_on/>: power the host on through its BMC once added
};

// Reads one host from JSON (the REST body, a bulk JSON entry, a scenario). Throws std::invalid_argument
// whose text names the field: "bm_type: 'ipmx' is not one of none, dynamic, ipmi, redfish".
HostInput host_input_from_json(const nlohmann::json& j);

struct System {
  std::string uuid;
  std::string name = "roost";
  std::string system_type = "Standard";       // "All-in-one" | "Standard"
  std::string system_mode = "duplex";         // "simplex" | "duplex" | "duplex-direct"
  std::string distributed_cloud_role;         // "" | "systemcontroller" | "subcloud"
  std::string description;
  std::string location;
  std::string contact;
  std::string software_version = "roost-1";
  std::int64_t created_at_us = 0;
};
nlohmann::json to_json(const System& s);
// Throws std::invalid_argument naming the bad field; unknown keys are errors too.
System system_from_json(const nlohmann::json& j, System base = {});

}  // namespace roost::inv
