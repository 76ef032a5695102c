// One site of the fleet, run by one SimGrid actor: the site's nodes (built through the RoleRegistry) and
// the process twins of each live node (sim_processes.h), its event queue (timers, LAN deliveries,
// crashes, restarts, boots, BMC power actions and sensor changes, process kills) and its logical clock.
// The actor sleeps until its next event, or until a SimGrid transfer delivers a packet into its inbox
// and wakes it.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include <simgrid/s4u/Semaphore.hpp>

#include "platform/core/hardware.h"
#include "platform/core/rng.h"
#include "sim/event_queue.h"
#include "sim/fleet_index.h"

namespace roost::sim {

class SimProcesses;
class World;

class SiteRuntime {
 public:
  SiteRuntime(World& world, SiteId id);
  ~SiteRuntime();

  SiteId id() const { return id_; }
  World& world() { return world_; }
  // The site's logical time in ns: never goes backwards; SimGrid's clock rounded to the nanosecond.
  std::int64_t now() const { return now_; }
  // Randomness of the site's links (loss, jitter, delays), seeded from the scenario seed and the site name.
  core::Rng& link_rng() { return link_rng_; }

  // From this site's own actor: adds an event to the queue.
  void schedule(Event e) { queue_.push(std::move(e)); }
  // From a transport actor: a packet that arrives at `t` (>= now). Wakes the site.
  void arrive(std::int64_t t, std::unique_ptr<Packet> p);
  // Wakes the site's actor (a packet came in, or the run is stopping).
  void wake();

  // The actor's body: boots the nodes at t=0, runs events until the end of the run, then destroys the nodes.
  void run();

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
  void shut_down_all();

  World& world_;
  SiteId id_;
  std::int64_t now_ = 0;
  EventQueue queue_;
  std::vector<std::pair<std::int64_t, std::unique_ptr<Packet>>> inbox_;
  simgrid::s4u::SemaphorePtr wake_;
  bool wake_pending_ = false;
  core::Rng link_rng_;
  std::unordered_map<NodeId, std::unique_ptr<SimProcesses>> processes_;  // of the live nodes
};

}  // namespace roost::sim
