#include "sim/scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include "sim/sim_clock.h"
#include "sim/site_runtime.h"
#include "sim/world.h"

namespace roost::sim {
namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
// SimGrid adds link latencies in double seconds and the transport rounds its clock to the nearest ns:
// a transfer may read up to a fraction of a ns shorter than the exact sum. This margin covers that.
constexpr std::int64_t kClockMarginNs = 16;

}  // namespace

Scheduler::Scheduler(World& world) : world_(world), wake_(simgrid::s4u::Semaphore::create(0)) {}

Scheduler::~Scheduler() = default;

std::int64_t Scheduler::min_transfer_ns(NodeId from, NodeId to) const {
  // Routes (platform_builder.h): between two sites [wan/a, backbone, wan/b]; with LanMode::SimGrid every
  // node has its own LAN link of half its site's LAN latency at each end, also between two nodes of one site.
  const FleetIndex& fleet = world_.fleet;
  const SiteId a = fleet.node(from).site, b = fleet.node(to).site;
  std::int64_t ns = 0;
  if (a != b)
    ns += fleet.site(a).wan.latency.count() + world_.config.backbone.latency.count() + fleet.site(b).wan.latency.count();
  if (world_.config.lan_mode == LanMode::SimGrid)
    ns += fleet.site(a).lan.latency.count() / 2 + fleet.site(b).lan.latency.count() / 2;
  return std::max<std::int64_t>(0, ns - kClockMarginNs);
}

void Scheduler::arrive(SiteId site, std::int64_t t, std::unique_ptr<Packet> p) {
  // SimGrid merges dates closer than its timing precision (1 ns): a transfer that completes a hair before
  // the timeout that woke the scheduler may come in just after it. As with one actor per site, such a
  // packet is delivered at once (at now()). Any other arrival behind now() means the scheduler ran past
  // it without SimGrid: a bug, loud, never silent.
  if (t < now_ && !(t < synced_ns_ && synced_ns_ - t <= kClockMarginNs)) {
    std::ostringstream what;
    what << "internal: a SimGrid transfer arrived at t=" << t << " ns, behind the scheduler's t=" << now_
         << " ns (it took less than its route's latency)";
    world_.fail(what.str());
    return;
  }
  inbox_.push_back(Arrival{t, site, std::move(p)});
  wake();
}

void Scheduler::wake() {
  // At most one outstanding release: every release is matched by exactly one successful acquire below.
  if (wake_pending_) return;
  wake_pending_ = true;
  wake_->release();
}

std::int64_t Scheduler::transfer_starting(NodeId from, NodeId to) {
  if (sim_clock_ns() < now_) simgrid::s4u::this_actor::sleep_until(ns_to_seconds(now_));
  const std::int64_t earliest = now_ + min_transfer_ns(from, to);
  ++in_flight_[earliest];
  return earliest;
}

void Scheduler::transfer_ended(std::int64_t earliest_arrival) {
  auto it = in_flight_.find(earliest_arrival);
  if (it == in_flight_.end()) return;
  if (--it->second == 0) in_flight_.erase(it);
}

std::int64_t Scheduler::horizon() const { return in_flight_.empty() ? kNever : in_flight_.begin()->first; }

void Scheduler::drain_inbox() {
  for (auto& a : inbox_) {
    Event e;
    e.t = a.t;
    e.kind = Event::Kind::Deliver;
    e.packet = std::move(a.packet);
    schedule(a.site, std::move(e));
  }
  inbox_.clear();
}

void Scheduler::run() {
  const std::int64_t end = world_.end_ns;
  for (auto& site : world_.sites) site->start();
  while (!world_.stopping()) {
    drain_inbox();
    while (!queue_.empty() && queue_.next_time() <= now_ && queue_.next_time() < end && !world_.stopping()) {
      Event e = queue_.pop();
      world_.sites[e.site]->run_event(e);
    }
    if (world_.stopping() || now_ >= end) break;

    const std::int64_t next = queue_.empty() ? end : std::min(queue_.next_time(), end);
    if (world_.config.local_run_ahead && next < end && next < control_next_ && next < horizon()) {
      // Nothing SimGrid does can come before `next`: run it without handing control to SimGrid.
      now_ = next;
      continue;
    }
    const double timeout = std::max(0.0, ns_to_seconds(next) - simgrid::s4u::Engine::get_clock());
    const bool timed_out = wake_->acquire_timeout(timeout);
    if (!timed_out) wake_pending_ = false;
    // After a timeout we are at `next` by construction; SimGrid's double clock may read a hair below it.
    std::int64_t c = sim_clock_ns();
    if (timed_out) c = std::max(c, next);
    now_ = std::max(now_, c);
    synced_ns_ = now_;
  }
  for (auto& site : world_.sites) site->shut_down();
  queue_.clear();
  inbox_.clear();
}

}  // namespace roost::sim
