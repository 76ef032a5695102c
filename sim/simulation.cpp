#include "sim/simulation.h"

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include "sim/control_actor.h"
#include "sim/platform_builder.h"
#include "sim/scheduler.h"
#include "sim/site_runtime.h"
#include "sim/transport.h"
#include "sim/validate.h"
#include "sim/world.h"

namespace roost::sim {
namespace {

namespace sg = simgrid::s4u;

// All node logic runs on the scheduler actor's stack (in KiB, SimGrid's unit); it is mmap'ed, so only the
// pages actually touched cost memory.
constexpr unsigned kSchedulerStackKiB = 8192;

std::atomic<bool> g_engine_used{false};

// SimGrid configuration. CM02 with latency and bandwidth factors of 1 and no cross-traffic makes a transfer
// take exactly the route's latency plus size/bandwidth (the default LV08 model multiplies latency ~13x for
// small messages). TCP-gamma would cap a flow's rate at gamma/(2*latency): set out of reach. Stack guard
// pages are off because each costs the process two memory mappings and large fleets run tens of thousands
// of actors (the kernel's default limit is 65,530 mappings).
std::vector<std::string> engine_args() {
  return {"roost-sim",
          "--log=root.thresh:warning",
          "--cfg=network/model:CM02",
          "--cfg=network/crosstraffic:0",
          "--cfg=network/TCP-gamma:1e18",
          "--cfg=contexts/guard-size:0"};
}

}  // namespace

struct Simulation::Impl {
  SimConfig config;
  const core::RoleRegistry& roles;
  Impl(SimConfig c, const core::RoleRegistry& r) : config(std::move(c)), roles(r) {}
};

Simulation::Simulation(SimConfig config, const core::RoleRegistry& roles)
    : impl_(std::make_unique<Impl>(std::move(config), roles)) {
  normalize_and_validate(impl_->config, roles);
}

Simulation::~Simulation() = default;

const SimConfig& Simulation::config() const { return impl_->config; }

SimResult Simulation::run(std::function<void(const Progress&)> progress, core::Duration progress_every) {
  if (g_engine_used.exchange(true))
    throw std::logic_error(
        "SimGrid 3.32 runs one simulation per process and this process already ran one: use run_in_child()");
  const auto wall_start = std::chrono::steady_clock::now();
  // Actor stacks (256 KiB and more) are then always mmap'ed, lazily backed, rather than carved from the heap
  // and zeroed: glibc would otherwise raise its threshold as large blocks are freed during the run.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);

  auto args = engine_args();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  argv.push_back(nullptr);
  auto* engine = new sg::Engine(&argc, argv.data());

  SimResult result;
  std::string failure;
  {
    World world(impl_->config, impl_->roles);
    const Platform platform = build_platform(impl_->config, world.fleet);
    Transport transport(world, platform);
    world.transport = &transport;
    Scheduler scheduler(world);
    world.scheduler = &scheduler;
    ControlActor control(world, platform, transport, std::move(progress), progress_every, wall_start);
    world.set_on_fail([&control] { control.wake(); });

    // The control actor is created first so that, at t=0, faults starting at 0 are in the trace before
    // anything the nodes log.
    sg::Actor::create("roost/control", platform.control, [&control] { control.run(); });
    for (SiteId s = 0; s < world.fleet.site_count(); ++s)
      world.sites.emplace_back(std::make_unique<SiteRuntime>(world, s));
    sg::Actor::init("roost/sites", platform.control)->set_stacksize(kSchedulerStackKiB)->start([&scheduler] {
      scheduler.run();
    });
    engine->run();

    failure = world.failure();
    result.stats = world.stats;
    result.stats.sim_seconds = sg::Engine::get_clock();
    result.trace = world.trace.take_records();
    result.trace_hash = world.trace.hash_hex();
  }
  delete engine;
  if (!failure.empty()) throw std::runtime_error("simulation failed: " + failure);
  result.stats.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace roost::sim
