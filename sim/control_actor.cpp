#include "sim/control_actor.h"

#include <algorithm>
#include <limits>

#include "sim/platform_builder.h"
#include "sim/scheduler.h"
#include "sim/sim_clock.h"
#include "sim/transport.h"
#include "sim/world.h"

namespace roost::sim {

ControlActor::ControlActor(World& world, const Platform& platform, Transport& transport,
                           std::function<void(const Progress&)> progress, core::Duration progress_every,
                           std::chrono::steady_clock::time_point wall_start)
    : world_(world),
      platform_(platform),
      transport_(transport),
      progress_(std::move(progress)),
      progress_every_ns_(progress_every.count()),
      wall_start_(wall_start),
      wake_(simgrid::s4u::Semaphore::create(0)) {}

void ControlActor::wake() { wake_->release(); }

void ControlActor::run() {
  constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
  const std::int64_t end = world_.end_ns;
  const auto boundaries = world_.faults.boundaries();
  std::size_t next_boundary = 0;
  std::int64_t next_report = progress_ && progress_every_ns_ > 0 ? progress_every_ns_ : kNever;
  std::int64_t now = 0;

  try {
    while (!world_.stopping()) {
      while (next_boundary < boundaries.size() && boundaries[next_boundary].t <= now &&
             boundaries[next_boundary].t < end) {
        const auto& b = boundaries[next_boundary++];
        apply(b.fault, b.start, b.t);
      }
      if (next_report <= now && next_report < end) {
        report(next_report);
        next_report += progress_every_ns_;
      }
      if (now >= end) break;
      std::int64_t next = std::min(end, next_report);
      if (next_boundary < boundaries.size()) next = std::min(next, boundaries[next_boundary].t);
      world_.scheduler->set_control_next(next);
      const bool timed_out = wake_->acquire_timeout(std::max(0.0, ns_to_seconds(next) - simgrid::s4u::Engine::get_clock()));
      now = std::max(now, timed_out ? std::max(sim_clock_ns(), next) : sim_clock_ns());
    }
    if (!world_.stopping() && progress_) report(end);
  } catch (const std::exception& e) {
    world_.fail(std::string("progress callback threw: ") + e.what());
  }
  transport_.shut_down();
}

void ControlActor::apply(std::size_t fault, bool start, std::int64_t t) {
  const FaultSpec& f = world_.faults.spec(fault);
  world_.sim_record(t, start ? "fault.start" : "fault.end",
                    {{"kind", std::string(to_string(f.kind))},
                     {"label", f.label},
                     {"targets", FaultSchedule::describe_targets(f)}});
  if (f.kind == FaultKind::SiteWanDown) transport_.sync_site_wan(*world_.fleet.find_site(f.site), t);
}

void ControlActor::report(std::int64_t t) {
  Progress p;
  p.sim_seconds = ns_to_seconds(t);
  p.duration_seconds = core::to_seconds(world_.config.duration);
  p.events = world_.stats.events();
  p.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
  progress_(p);
}

}  // namespace roost::sim
