// One site of the fleet: the site's nodes (built through the RoleRegistry) and the process twins of each
// live node (sim_processes.h), and what its events do (timers, LAN deliveries, crashes, restarts, boots,
// BMC power actions and sensor changes, process kills). Every site's events run from one SimGrid actor,
// the Scheduler (sim/scheduler.h), in global time order; a site's time is the scheduler's.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "platform/core/hardware.h"
#include "platform/core/rng.h"
#include "sim/event_queue.h"
#include "sim/fleet_index.h"
#include "sim/scheduler.h"

namespace roost::sim {

class SimProcesses;
class World;

class SiteRuntime {
 public:
  SiteRuntime(World& world, SiteId id);
  ~SiteRuntime();

  SiteId id() const { return id_; }
  World& world() { return world_; }
  // The site's logical time in ns (the scheduler's): never goes backwards.
  std::int64_t now() const { return scheduler_.now(); }
  // Randomness of the site's links (loss, jitter, delays), seeded from the scenario seed and the site name.
  core::Rng& link_rng() { return link_rng_; }

  // From node code of this site: adds an event to the site's agenda.
  void schedule(Event e) { scheduler_.schedule(id_, std::move(e)); }

  // The scheduler's side: boots the nodes at t=0 (a failure stops the run); runs one event of this site
  // (an exception stops the run, naming the site, the event and the node); destroys the nodes at the end.
  void start();
  void run_event(Event& e);
  void shut_down();

  // The process twins of `node`'s live incarnation (made when it comes up, dropped when it goes down,
  // after the node itself is destroyed).
  SimProcesses& processes(NodeId node);

 private:
  void boot_at_start();
  void dispatch(Event& e);
  void deliver(Packet& p);
  void crash(NodeId node, const char* reason);
  void restart(NodeId node);
  void reboot(NodeId node, std::uint32_t incarnation);
  // The node is off (or just went down) and boots: it runs `delay` from now.
  void begin_boot(NodeId node, std::int64_t delay);
  void boot(NodeId node, std::uint64_t token);
  // BMC twin effects (simulated_bmc.h says what each does).
  void bmc_power(NodeId node, core::PowerAction action, NodeId by);
  void bmc_power_on(NodeId node);
  void bmc_sensor(NodeId node, std::size_t change);
  void bring_up(NodeId node);
  void kill_process(NodeId node, std::size_t fault);

  World& world_;
  Scheduler& scheduler_;
  SiteId id_;
  core::Rng link_rng_;
  std::unordered_map<NodeId, std::unique_ptr<SimProcesses>> processes_;  // of the live nodes
};

}  // namespace roost::sim
