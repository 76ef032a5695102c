// lifecycle.h's rules, each allowed and refused.
#include <gtest/gtest.h>

#include "platform/inv/lifecycle.h"

namespace roost::inv {
namespace {

Host host(std::string name, Personality p, AdminState a, OperState o, AvailState v) {
  Host h;
  h.hostname = std::move(name);
  h.personality = p;
  h.administrative = a;
  h.operational = o;
  h.availability = v;
  return h;
}

Host with_bmc(Host h) {
  h.bm_type = BmType::Ipmi;
  h.bm_ip = "10.0.0.1";
  h.bm_username = "admin";
  return h;
}

struct World {
  System system;
  std::vector<Host> hosts;
  std::string self;

  std::optional<InvError> check(const std::string& name, HostAction a) const {
    LifecycleContext ctx{system, {}, self};
    const Host* target = nullptr;
    for (const Host& h : hosts) {
      ctx.hosts.push_back(&h);
      if (h.hostname == name) target = &h;
    }
    if (!target) throw std::logic_error("no host " + name);
    return check_action(*target, a, ctx);
  }
  Host& operator[](const std::string& name) {
    for (Host& h : hosts)
      if (h.hostname == name) return h;
    throw std::logic_error("no host " + name);
  }
};

// Two controllers (controller-0 active, running maintenance) and two workers, all unlocked-enabled-available.
World standard() {
  World w;
  w.self = "controller-0";
  for (const char* c : {"controller-0", "controller-1"})
    w.hosts.push_back(
        with_bmc(host(c, Personality::Controller, AdminState::Unlocked, OperState::Enabled, AvailState::Available)));
  for (const char* c : {"worker-0", "worker-1"})
    w.hosts.push_back(
        with_bmc(host(c, Personality::Worker, AdminState::Unlocked, OperState::Enabled, AvailState::Available)));
  return w;
}

void expect_refused(const std::optional<InvError>& e, int status, const std::string& message) {
  ASSERT_TRUE(e.has_value()) << "allowed, expected: " << message;
  EXPECT_EQ(e->http_status, status);
  EXPECT_EQ(e->message, message);
}

void expect_allowed(const std::optional<InvError>& e) { EXPECT_FALSE(e.has_value()) << e->message; }

TEST(HostActionNames, RoundTripAndAcceptStarlingXsUnderscores) {
  const std::vector<std::pair<HostAction, std::string>> names{
      {HostAction::Lock, "lock"},           {HostAction::ForceLock, "force-lock"}, {HostAction::Unlock, "unlock"},
      {HostAction::Reboot, "reboot"},       {HostAction::Reset, "reset"},          {HostAction::PowerOn, "power-on"},
      {HostAction::PowerOff, "power-off"},  {HostAction::PowerCycle, "power-cycle"}, {HostAction::Delete, "delete"}};
  for (const auto& [a, s] : names) {
    EXPECT_EQ(to_string(a), s);
    EXPECT_EQ(parse_host_action(s), a);
  }
  EXPECT_EQ(parse_host_action("force_lock"), HostAction::ForceLock);
  EXPECT_EQ(parse_host_action("power_on"), HostAction::PowerOn);
  EXPECT_FALSE(parse_host_action("swact"));
  EXPECT_FALSE(parse_host_action("Lock"));
}

TEST(Lifecycle, LockAnUnlockedWorker) {
  World w = standard();
  expect_allowed(w.check("worker-0", HostAction::Lock));
  w["worker-0"].administrative = AdminState::Locked;
  expect_refused(w.check("worker-0", HostAction::Lock), 409, "host worker-0: lock: the host is already locked");
}

TEST(Lifecycle, LockRefusesTheActiveController) {
  World w = standard();
  expect_refused(w.check("controller-0", HostAction::Lock), 409,
                 "host controller-0: lock: the host is the active controller: swact to the other controller first");
  expect_allowed(w.check("controller-1", HostAction::Lock));
}

TEST(Lifecycle, LockRefusesTheLastUnlockedEnabledControllerUnlessSimplex) {
  World w = standard();
  w.self = "";
  w["controller-0"].operational = OperState::Disabled;
  w["controller-0"].availability = AvailState::Failed;
  expect_refused(w.check("controller-1", HostAction::Lock), 409,
                 "host controller-1: lock: the host is the last unlocked-enabled controller");
  // A failed controller is not the last enabled one: locking it is fine.
  expect_allowed(w.check("controller-0", HostAction::Lock));
  w.system.system_mode = "simplex";
  expect_allowed(w.check("controller-1", HostAction::Lock));
  w.system.system_mode = "duplex";
  w["controller-0"].operational = OperState::Enabled;
  expect_allowed(w.check("controller-1", HostAction::Lock));
  // Workers do not count as controllers.
  w["controller-0"].administrative = AdminState::Locked;
  expect_refused(w.check("controller-1", HostAction::Lock), 409,
                 "host controller-1: lock: the host is the last unlocked-enabled controller");
}

TEST(Lifecycle, LockWaitsForATaskButForceLockDoesNot) {
  World w = standard();
  for (const char* task : {"Rebooting", "Resetting", "Powering-on", "Powering-off"}) {
    w["worker-0"].task = task;
    expect_refused(w.check("worker-0", HostAction::Lock), 409,
                   std::string("host worker-0: lock: the host is busy (") + task + "): wait for it to finish or force-lock");
    expect_allowed(w.check("worker-0", HostAction::ForceLock));
  }
  w["worker-0"].task = "Enabling";
  expect_allowed(w.check("worker-0", HostAction::Lock));
}

TEST(Lifecycle, ForceLock) {
  World w = standard();
  w["worker-1"].operational = OperState::Disabled;
  w["worker-1"].availability = AvailState::Failed;
  expect_allowed(w.check("worker-1", HostAction::ForceLock));
  w["worker-1"].availability = AvailState::Degraded;
  expect_allowed(w.check("worker-1", HostAction::ForceLock));
  expect_refused(w.check("controller-0", HostAction::ForceLock), 409,
                 "host controller-0: force-lock: the host is the active controller: swact to the other controller "
                 "first");
  w["worker-1"].administrative = AdminState::Locked;
  expect_refused(w.check("worker-1", HostAction::ForceLock), 409,
                 "host worker-1: force-lock: the host is already locked");
}

TEST(Lifecycle, UnlockNeedsALockedHostWhoseAgentIsHeard) {
  World w = standard();
  expect_refused(w.check("worker-0", HostAction::Unlock), 409, "host worker-0: unlock: the host is already unlocked");
  w["worker-0"].administrative = AdminState::Locked;
  w["worker-0"].operational = OperState::Disabled;
  for (AvailState ok : {AvailState::Online, AvailState::Available, AvailState::Degraded}) {
    w["worker-0"].availability = ok;
    expect_allowed(w.check("worker-0", HostAction::Unlock));
  }
  w["worker-0"].availability = AvailState::Offline;
  expect_refused(w.check("worker-0", HostAction::Unlock), 409,
                 "host worker-0: unlock: the host is offline: power it on first");
  w["worker-0"].availability = AvailState::PowerOff;
  expect_refused(w.check("worker-0", HostAction::Unlock), 409,
                 "host worker-0: unlock: the host is power-off: power it on first");
}

TEST(Lifecycle, RebootOnlyLockedHostsThatAnswer) {
  World w = standard();
  expect_refused(w.check("worker-0", HostAction::Reboot), 409,
                 "host worker-0: reboot: the host is unlocked: lock it first");
  w["worker-0"].administrative = AdminState::Locked;
  w["worker-0"].availability = AvailState::Online;
  expect_allowed(w.check("worker-0", HostAction::Reboot));
  w["worker-0"].availability = AvailState::Offline;
  expect_refused(w.check("worker-0", HostAction::Reboot), 409,
                 "host worker-0: reboot: the host is offline: nothing answers a reboot request (use power-on or reset)");
}

TEST(Lifecycle, ResetAndPowerCycleNeedLockedAndABmc) {
  for (HostAction a : {HostAction::Reset, HostAction::PowerCycle}) {
    const std::string name(to_string(a));
    World w = standard();
    expect_refused(w.check("worker-0", a), 409, "host worker-0: " + name + ": the host is unlocked: lock it first");
    w["worker-0"].administrative = AdminState::Locked;
    w["worker-0"].availability = AvailState::Offline;  // a hung host: exactly when a reset is wanted
    expect_allowed(w.check("worker-0", a));
    w["worker-0"].bm_type = BmType::None;
    expect_refused(w.check("worker-0", a), 400,
                   "host worker-0: " + name + ": the host has no board management controller (set bm_type and bm_ip)");
    w["worker-0"].bm_type = BmType::Redfish;
    w["worker-0"].bm_ip = "";
    expect_refused(w.check("worker-0", a), 400,
                   "host worker-0: " + name + ": the host has no board management controller (set bm_type and bm_ip)");
  }
}

TEST(Lifecycle, PowerOnOnlyAnOffHost) {
  World w = standard();
  expect_refused(w.check("worker-0", HostAction::PowerOn), 409,
                 "host worker-0: power-on: the host is unlocked: lock it first");
  w["worker-0"].administrative = AdminState::Locked;
  w["worker-0"].availability = AvailState::Online;
  expect_refused(w.check("worker-0", HostAction::PowerOn), 409,
                 "host worker-0: power-on: the host is online, not offline or powered off");
  for (AvailState off : {AvailState::Offline, AvailState::PowerOff}) {
    w["worker-0"].availability = off;
    expect_allowed(w.check("worker-0", HostAction::PowerOn));
  }
  w["worker-0"].bm_type = BmType::None;
  expect_refused(w.check("worker-0", HostAction::PowerOn), 400,
                 "host worker-0: power-on: the host has no board management controller (set bm_type and bm_ip)");
}

TEST(Lifecycle, PowerOffNotTwice) {
  World w = standard();
  expect_refused(w.check("worker-0", HostAction::PowerOff), 409,
                 "host worker-0: power-off: the host is unlocked: lock it first");
  w["worker-0"].administrative = AdminState::Locked;
  w["worker-0"].availability = AvailState::Online;
  expect_allowed(w.check("worker-0", HostAction::PowerOff));
  w["worker-0"].availability = AvailState::PowerOff;
  expect_refused(w.check("worker-0", HostAction::PowerOff), 409,
                 "host worker-0: power-off: the host is already powered off");
  w["worker-0"].availability = AvailState::Online;
  w["worker-0"].bm_type = BmType::None;
  expect_refused(w.check("worker-0", HostAction::PowerOff), 400,
                 "host worker-0: power-off: the host has no board management controller (set bm_type and bm_ip)");
}

TEST(Lifecycle, DeleteOnlyLockedHostsOtherThanSelf) {
  World w = standard();
  expect_refused(w.check("worker-0", HostAction::Delete), 409,
                 "host worker-0: delete: the host is unlocked: lock it first");
  w["worker-0"].administrative = AdminState::Locked;
  expect_allowed(w.check("worker-0", HostAction::Delete));
  // Whatever state maintenance believes it is in, the controller running maintenance cannot delete itself.
  w["controller-0"].administrative = AdminState::Locked;
  expect_refused(w.check("controller-0", HostAction::Delete), 409,
                 "host controller-0: delete: the host is the active controller");
}

}  // namespace
}  // namespace roost::inv
