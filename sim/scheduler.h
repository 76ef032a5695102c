// Runs the events of every site (timers, LAN deliveries, node lifecycle steps, arrivals of SimGrid
// transfers) from ONE SimGrid actor, in global (time, sequence) order.
//
// Why one actor: with one actor per site, every distinct event time of every site cost a SimGrid context
// switch (the site slept until its next event), which dominated large LAN-heavy fleets. Sites only
// interact through SimGrid transfers (WAN, or every hop with LanMode::SimGrid) and through state that is a
// pure function of time (the fault schedule), so their local events can run back to back without SimGrid
// as long as nothing SimGrid does could come in between. The scheduler therefore lets SimGrid's clock lag
// behind its own and only hands control to SimGrid (sleeps until the next event, or until a transfer wakes
// it) when it must:
// - a transfer is in flight that could complete before the next event: a transfer takes at least the sum
//   of its route's link latencies (CM02 with latency factor 1: sim/simulation.cpp), so none can arrive
//   before the earliest of "start + route latency" over those in flight (the horizon);
// - the control actor's next wake-up (a fault boundary, a progress report) or the end of the run comes;
// - a transfer starts (sync_clock(): SimGrid's clock is brought to the scheduler's time first, so the
//   transfer starts exactly when it was sent).
// Within a site, events run in exactly the order a per-site queue would run them: the sequence numbers
// are global, so their relative order within a site is unchanged.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include <simgrid/s4u/Semaphore.hpp>

#include "sim/config.h"
#include "sim/event_queue.h"
#include "sim/fleet_index.h"

namespace roost::sim {

class World;

class Scheduler {
 public:
  explicit Scheduler(World& world);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // The simulated time of the event being run (ns): never goes backwards.
  std::int64_t now() const { return now_; }
  // From the scheduler's actor (node code): adds an event of `site` to the queue.
  void schedule(SiteId site, Event e) {
    e.site = site;
    queue_.push(std::move(e));
  }
  // From a transport actor: a packet for `site` that arrives at `t` (>= now). Wakes the scheduler.
  void arrive(SiteId site, std::int64_t t, std::unique_ptr<Packet> p);
  // Wakes the scheduler's actor (a packet came in, or the run is stopping).
  void wake();

  // From the scheduler's actor, before a SimGrid transfer from node `from` to node `to` starts: brings
  // SimGrid's clock up to now() and counts the transfer as in flight. Returns the earliest time it can
  // arrive, which the transport hands back to transfer_ended() once it is received or lost.
  std::int64_t transfer_starting(NodeId from, NodeId to);
  void transfer_ended(std::int64_t earliest_arrival);

  // The control actor's next wake-up (ns): the scheduler does not run past it without SimGrid.
  void set_control_next(std::int64_t t) { control_next_ = t; }

  // The actor's body: boots every site's nodes at t=0, runs events until the end of the run, then
  // destroys the nodes.
  void run();

 private:
  // Events strictly before this time cannot be affected by anything SimGrid does meanwhile.
  std::int64_t horizon() const;
  void drain_inbox();

  // The least time a transfer from `from` to `to` takes: its route's latencies (sim/platform_builder.h),
  // less a few ns for SimGrid's double clock.
  std::int64_t min_transfer_ns(NodeId from, NodeId to) const;

  World& world_;
  std::int64_t now_ = 0;
  std::int64_t control_next_ = 0;
  std::int64_t synced_ns_ = 0;  // now() when SimGrid last woke the scheduler
  EventQueue queue_;
  struct Arrival {
    std::int64_t t = 0;
    SiteId site = 0;
    std::unique_ptr<Packet> packet;
  };
  std::vector<Arrival> inbox_;
  std::map<std::int64_t, std::uint32_t> in_flight_;  // earliest arrival of transfers in flight -> how many
  simgrid::s4u::SemaphorePtr wake_;
  bool wake_pending_ = false;
};

}  // namespace roost::sim
