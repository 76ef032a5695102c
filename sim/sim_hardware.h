// The hardware a simulated node reaches: the BMC twins (simulated_bmc.h) of the nodes of its own site,
// found by the endpoint's host name. BMC networks are site-local, so a BMC in another site is
// unreachable, as is a host the scenario gives no BMC.
//
// An operation is admitted when it starts (is the BMC reachable, are the credentials right: if not, it
// fails after `unreachable_after` or `latency`), reaches the BMC half its latency later (a read is taken
// then, a power action takes effect then, whatever becomes of the caller) and is answered at its full
// latency through a timer of the caller's Env, so it dies with the caller's incarnation: a node that
// resets its own host goes down before it hears the answer, as it would on a real machine.
//
// processes(): the node's process twins, which the site runtime keeps per live node (sim_processes.h).
#pragma once

#include <memory>

#include "platform/core/hardware.h"
#include "sim/fleet_index.h"

namespace roost::sim {

class NodeEnv;
class SiteRuntime;

// How long an operation to a BMC that nobody can reach (unknown host, other site) takes to fail: the
// default of BmcSpec::unreachable_after, ipmitool's retries.
inline constexpr core::Duration kNoBmcUnreachableAfter = core::seconds(6);

class SimHardware final : public core::HardwareAccess {
 public:
  SimHardware(NodeEnv& env, SiteRuntime& site, NodeId self) : env_(env), site_(site), self_(self) {}
  std::shared_ptr<core::Bmc> bmc(const core::BmcEndpoint& endpoint) override;
  core::ProcessControl& processes() override;
  // The scenario's "inventory" of the node, or its default (default_inventory.h).
  std::variant<core::MachineInventory, std::string> machine_inventory() override;

 private:
  NodeEnv& env_;
  SiteRuntime& site_;
  NodeId self_;
};

}  // namespace roost::sim
