// StarlingX's host lifecycle rules: whether an action may be taken on a host now. Pure functions of the
// inventory; maintenance (platform/mtce/host_maintenance) asks before acting, the REST API answers the
// refusal (409 with the message).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/inv/host.h"
#include "platform/inv/inventory.h"

namespace roost::inv {

enum class HostAction : std::uint8_t {
  Lock, ForceLock, Unlock, Reboot, Reset, PowerOn, PowerOff, PowerCycle, Delete
};
std::string_view to_string(HostAction a);   // "lock", "force-lock", "unlock", "reboot", "reset", "power-on", ...
std::optional<HostAction> parse_host_action(std::string_view s);  // also accepts StarlingX's "force_lock"

struct LifecycleContext {
  const System& system;
  std::vector<const Host*> hosts;   // every host, the target included
  std::string self;                 // the hostname of the controller running maintenance ("" if none)
};

// Refusal (http_status 409, or 400 for an action that needs a BMC the host lacks), or nullopt if the
// action is allowed now. Rules:
//  lock:       host unlocked; not `self` (the active controller: swact first); not the last unlocked-
//              enabled controller unless the system is simplex; not a host whose task is in progress
//              ("Rebooting", "Resetting", "Powering-on", "Powering-off"): wait or force-lock.
//  force-lock: host unlocked; not `self`; allowed on a failed/degraded host and while a task runs.
//  unlock:     host locked; availability online, available or degraded (the agent is heard): an
//              offline or power-off host must be powered on first.
//  reboot:     host locked (StarlingX reboots only locked hosts); agent heard (not offline/power-off).
//  reset, power-cycle: host locked; has a BMC (bm_type ipmi/redfish with bm_ip) else 400.
//  power-on:   host locked; has a BMC; availability offline or power-off.
//  power-off:  host locked; has a BMC; not already power-off.
//  delete:     host locked; not `self`.
std::optional<InvError> check_action(const Host& host, HostAction action, const LifecycleContext& ctx);

}  // namespace roost::inv
