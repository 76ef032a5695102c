// The simulation's own actor: at each fault boundary it writes the "fault.start"/"fault.end" trace record
// and switches a site's WAN link off or on (SiteWanDown: SimGrid's Link::turn_off fails the transfers in
// flight; the message path refuses new ones in the same window); it reports progress every
// `progress_every` of simulated time; and at the end of the run it ends the transport actors.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include <simgrid/s4u/Semaphore.hpp>

#include "sim/simulation.h"

namespace roost::sim {

class World;
class Transport;
struct Platform;

class ControlActor {
 public:
  ControlActor(World& world, const Platform& platform, Transport& transport,
               std::function<void(const Progress&)> progress, core::Duration progress_every,
               std::chrono::steady_clock::time_point wall_start);

  void run();
  void wake();

 private:
  void apply(std::size_t fault, bool start, std::int64_t t);
  void report(std::int64_t t);

  World& world_;
  const Platform& platform_;
  Transport& transport_;
  std::function<void(const Progress&)> progress_;
  std::int64_t progress_every_ns_;
  std::chrono::steady_clock::time_point wall_start_;
  simgrid::s4u::SemaphorePtr wake_;
};

}  // namespace roost::sim
