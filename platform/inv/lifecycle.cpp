#include "platform/inv/lifecycle.h"

#include "platform/inv/spellings.h"

namespace roost::inv {
namespace {

constexpr Spellings<HostAction, 9> kActions{{
    {HostAction::Lock, "lock"},
    {HostAction::ForceLock, "force-lock"},
    {HostAction::Unlock, "unlock"},
    {HostAction::Reboot, "reboot"},
    {HostAction::Reset, "reset"},
    {HostAction::PowerOn, "power-on"},
    {HostAction::PowerOff, "power-off"},
    {HostAction::PowerCycle, "power-cycle"},
    {HostAction::Delete, "delete"},
}};

// Tasks during which a plain lock must wait (force-lock does not).
bool task_in_progress(const std::string& task) {
  return task == "Rebooting" || task == "Resetting" || task == "Powering-on" || task == "Powering-off";
}

bool agent_heard(AvailState a) {
  return a == AvailState::Online || a == AvailState::Available || a == AvailState::Degraded;
}

}  // namespace

std::string_view to_string(HostAction a) { return spelling(kActions, a); }

std::optional<HostAction> parse_host_action(std::string_view s) {
  // StarlingX's API spells some actions with '_' ("force_lock", "power_on").
  std::string norm(s);
  for (char& c : norm)
    if (c == '_') c = '-';
  return parse_spelling(kActions, norm);
}

std::optional<InvError> check_action(const Host& host, HostAction action, const LifecycleContext& ctx) {
  const std::string who = "host " + host.hostname + ": " + std::string(to_string(action)) + ": ";
  const auto refuse = [&](std::string why, int status = 409) { return InvError{status, who + why}; };
  const bool locked = host.administrative == AdminState::Locked;
  const bool is_self = !ctx.self.empty() && host.hostname == ctx.self;
  const auto must_be_locked = [&]() -> std::optional<InvError> {
    if (!locked) return refuse("the host is unlocked: lock it first");
    return std::nullopt;
  };
  const auto needs_bmc = [&]() -> std::optional<InvError> {
    if (!host.has_bmc()) return refuse("the host has no board management controller (set bm_type and bm_ip)", 400);
    return std::nullopt;
  };

  switch (action) {
    case HostAction::Lock: {
      if (locked) return refuse("the host is already locked");
      if (is_self) return refuse("the host is the active controller: swact to the other controller first");
      if (task_in_progress(host.task))
        return refuse("the host is busy (" + host.task + "): wait for it to finish or force-lock");
      if (host.personality == Personality::Controller && host.unlocked_enabled() &&
          ctx.system.system_mode != "simplex") {
        bool another = false;
        for (const Host* h : ctx.hosts)
          if (h && h != &host && h->hostname != host.hostname && h->personality == Personality::Controller &&
              h->unlocked_enabled())
            another = true;
        if (!another) return refuse("the host is the last unlocked-enabled controller");
      }
      return std::nullopt;
    }
    case HostAction::ForceLock:
      if (locked) return refuse("the host is already locked");
      if (is_self) return refuse("the host is the active controller: swact to the other controller first");
      return std::nullopt;
    case HostAction::Unlock:
      if (!locked) return refuse("the host is already unlocked");
      if (!agent_heard(host.availability))
        return refuse("the host is " + std::string(to_string(host.availability)) + ": power it on first");
      return std::nullopt;
    case HostAction::Reboot:
      if (auto e = must_be_locked()) return e;
      if (!agent_heard(host.availability))
        return refuse("the host is " + std::string(to_string(host.availability)) +
                      ": nothing answers a reboot request (use power-on or reset)");
      return std::nullopt;
    case HostAction::Reset:
    case HostAction::PowerCycle:
      if (auto e = must_be_locked()) return e;
      return needs_bmc();
    case HostAction::PowerOn:
      if (auto e = must_be_locked()) return e;
      if (auto e = needs_bmc()) return e;
      if (host.availability != AvailState::Offline && host.availability != AvailState::PowerOff)
        return refuse("the host is " + std::string(to_string(host.availability)) + ", not offline or powered off");
      return std::nullopt;
    case HostAction::PowerOff:
      if (auto e = must_be_locked()) return e;
      if (auto e = needs_bmc()) return e;
      if (host.availability == AvailState::PowerOff) return refuse("the host is already powered off");
      return std::nullopt;
    case HostAction::Delete:
      if (auto e = must_be_locked()) return e;
      if (is_self) return refuse("the host is the active controller");
      return std::nullopt;
  }
  return refuse("unknown action", 400);
}

}  // namespace roost::inv
