// Everything the actors of one run share: the fleet, the fault schedule, the trace, the statistics, each
// node's live incarnation, the site runtimes, the scheduler and the ways out (message path, SimGrid
// transport). SimGrid runs actors one at a time in a fixed order, so plain members are safe and deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <typeindex>
#include <vector>

#include "platform/core/node.h"
#include "sim/config.h"
#include "sim/fault_schedule.h"
#include "sim/fleet_index.h"
#include "sim/message_path.h"
#include "sim/simulation.h"
#include "sim/trace.h"

namespace roost::sim {

class NodeEnv;
class Scheduler;
class SimulatedBmc;
class SiteRuntime;
class Transport;

// One node's place in the run. Only the live incarnation has an Env and a Node; a crash destroys both.
struct NodeSlot {
  enum class State : std::uint8_t { Down, Booting, Up };
  State state = State::Down;
  std::uint32_t incarnation = 0;  // boots so far; when Up, the live node is this incarnation
  std::uint64_t boot_token = 0;   // invalidates a pending boot when the node crashes meanwhile
  std::unique_ptr<NodeEnv> env;
  std::unique_ptr<core::Node> node;
  // Env::resource()s kept across incarnations, as a disk outlives a crash (FM's alarm store, the
  // inventory's host store), by type;
  // each holds a pointer to that type.
  std::map<std::type_index, std::shared_ptr<void>> durable;

  NodeSlot();
  ~NodeSlot();
  NodeSlot(NodeSlot&&) noexcept;
  NodeSlot& operator=(NodeSlot&&) noexcept;
};

class World {
 public:
  World(const SimConfig& config, const core::RoleRegistry& roles);
  ~World();

  const SimConfig& config;
  const core::RoleRegistry& roles;
  FleetIndex fleet;
  FaultSchedule faults;
  Trace trace;
  SimStats stats;
  MessagePath path;
  std::vector<NodeSlot> slots;                       // by NodeId
  std::vector<std::unique_ptr<SimulatedBmc>> bmcs;   // by NodeId; null for a node without a BMC
  std::vector<std::unique_ptr<SiteRuntime>> sites;  // by SiteId
  Scheduler* scheduler = nullptr;                    // runs every site's events
  Transport* transport = nullptr;
  std::int64_t end_ns = 0;
  // Who holds each floating name (by FloatingId): always an Up node of the name's site, or nobody. Only
  // that site's events change an entry (its nodes claim, release, go down); senders anywhere read it.
  std::vector<std::optional<NodeId>> floating_holders;

  // Env::claim_floating of `node` at its site's time t: false if its site has no such floating name or
  // another node holds it; true (recording floating.claim the first time) otherwise.
  bool claim_floating(NodeId node, std::string_view name, std::int64_t t);
  // Env::release_floating: ends `node`'s claim of `name` (recorded), if it holds it.
  void release_floating(NodeId node, std::string_view name, std::int64_t t);
  // `node` went down (`reason`, as in node.down): its claims end, recorded unless `record` is false (the
  // end of the run).
  void release_all_floating(NodeId node, std::int64_t t, std::string_view reason, bool record = true);

  // Set when the run must stop early (a node threw); every actor leaves at its next wake-up.
  bool stopping() const { return stopping_; }
  const std::string& failure() const { return failure_; }
  void fail(std::string what);
  // Lets the control actor be woken by fail().
  void set_on_fail(std::function<void()> fn) { on_fail_ = std::move(fn); }

  // The crashes and restarts the fault schedule holds for the nodes of `site`, in time order.
  const std::vector<FaultSchedule::NodeAction>& node_actions(SiteId site) const { return node_actions_[site]; }

  // What a node sees as the sender of a message `node` sent over `net`. Built on first use and kept for
  // the run, so that a delivery copies no name.
  const core::Peer& peer(NodeId node, core::Network net) {
    core::Peer& p = peers_[node * core::kNetworkCount + static_cast<std::size_t>(net)];
    if (p.node.empty()) p = core::Peer{fleet.node(node).name(), net};
    return p;
  }

  // A record of the simulation itself (node "sim"): fault boundaries, node crashes and boots.
  void sim_record(std::int64_t t, std::string event, core::LogFields fields);

 private:
  std::vector<std::vector<FaultSchedule::NodeAction>> node_actions_;
  std::vector<core::Peer> peers_;  // by node * kNetworkCount + network
  bool stopping_ = false;
  std::string failure_;
  std::function<void()> on_fail_;
};

}  // namespace roost::sim
