#include "sim/transport.h"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Mailbox.hpp>
#include <simgrid/s4u/Semaphore.hpp>

#include "sim/sim_clock.h"
#include "sim/scheduler.h"
#include "sim/world.h"

namespace roost::sim {
namespace {

namespace sg = simgrid::s4u;

// Transport actors run a few SimGrid calls and nothing else: a small stack is plenty (KiB, SimGrid's unit).
// Not smaller: at 128 KiB glibc served the stacks from the heap, zeroed (resident), measured +60% RSS on
// the 1,000-site benchmark; at 256 KiB they are mmap'ed and only touched pages count.
constexpr unsigned kTransportStackKiB = 256;
// SimGrid moves simulated bytes; the comm itself only carries this address.
int token = 0;

}  // namespace

struct Transport::Sender {
  std::uint32_t home = 0;
  sg::SemaphorePtr wake = sg::Semaphore::create(0);
  sg::Mailbox* to = nullptr;
  std::uint64_t bytes = 0;
  sg::ActorPtr actor;
};

struct Transport::Receiver {
  std::uint32_t home = 0;
  sg::SemaphorePtr wake = sg::Semaphore::create(0);
  sg::Mailbox* box = nullptr;
  std::unique_ptr<Packet> packet;
  std::int64_t extra_ns = 0;
  std::int64_t earliest_arrival = 0;  // for Scheduler::transfer_ended
  sg::ActorPtr actor;
};

Transport::Transport(World& world, const Platform& platform)
    : world_(world), platform_(platform), pools_(platform.endpoints.size()) {}

Transport::~Transport() = default;

Transport::Sender& Transport::sender_at(std::uint32_t endpoint) {
  auto& idle = pools_[endpoint].idle_senders;
  if (!idle.empty()) {
    Sender* s = idle.back();
    idle.pop_back();
    return *s;
  }
  auto& s = *tx_.emplace_back(std::make_unique<Sender>());
  s.home = endpoint;
  sg::Host* host = platform_.endpoints[endpoint];
  s.actor = sg::Actor::init("tx/" + host->get_name(), host)->set_stacksize(kTransportStackKiB);
  s.actor->start([this, &s] { sender_loop(s); });
  return s;
}

Transport::Receiver& Transport::receiver_at(std::uint32_t endpoint) {
  auto& idle = pools_[endpoint].idle_receivers;
  if (!idle.empty()) {
    Receiver* r = idle.back();
    idle.pop_back();
    return *r;
  }
  auto& r = *rx_.emplace_back(std::make_unique<Receiver>());
  r.home = endpoint;
  sg::Host* host = platform_.endpoints[endpoint];
  // One mailbox per receiver: its sender is the only one who ever puts there.
  r.box = sg::Mailbox::by_name("rx/" + std::to_string(rx_.size()));
  r.actor = sg::Actor::init("rx/" + host->get_name(), host)->set_stacksize(kTransportStackKiB);
  r.actor->start([this, &r] { receiver_loop(r); });
  return r;
}

void Transport::sync_site_wan(SiteId site, std::int64_t t) {
  const bool up = !world_.faults.site_wan_down(site, t);
  auto* wan = platform_.site_wan[site];
  if (wan->get_link_up()->is_on() == up) return;
  for (auto* l : {wan->get_link_up(), wan->get_link_down()}) {
    if (up)
      l->turn_on();
    else
      l->turn_off();
  }
}

void Transport::transmit(std::unique_ptr<Packet> p, std::int64_t extra_ns) {
  if (shut_down_) return;
  const SiteId from_site = world_.fleet.node(p->from).site, to_site = world_.fleet.node(p->to).site;
  // SimGrid's clock may lag behind the sites' (sim/scheduler.h): the transfer starts at the send's time.
  const std::int64_t earliest_arrival = world_.scheduler->transfer_starting(p->from, p->to);
  const std::int64_t t = world_.scheduler->now();
  if (from_site != to_site) {
    sync_site_wan(from_site, t);
    sync_site_wan(to_site, t);
  }
  Receiver& r = receiver_at(platform_.endpoint_of_node[p->to]);
  Sender& s = sender_at(platform_.endpoint_of_node[p->from]);
  s.to = r.box;
  s.bytes = p->size;
  r.extra_ns = extra_ns;
  r.earliest_arrival = earliest_arrival;
  r.packet = std::move(p);
  r.wake->release();
  s.wake->release();
}

void Transport::sender_loop(Sender& s) {
  while (true) {
    s.wake->acquire();
    try {
      s.to->put_async(&token, s.bytes)->wait();
    } catch (const simgrid::NetworkFailureException&) {
      // the receiver counts the loss
    } catch (const simgrid::CancelException&) {
    }
    pools_[s.home].idle_senders.push_back(&s);
  }
}

void Transport::receiver_loop(Receiver& r) {
  while (true) {
    r.wake->acquire();
    void* data = nullptr;
    bool arrived = true;
    try {
      r.box->get_async<void>(&data)->wait();
    } catch (const simgrid::NetworkFailureException&) {
      arrived = false;
    } catch (const simgrid::CancelException&) {
      arrived = false;
    }
    auto p = std::move(r.packet);
    if (!shut_down_) world_.scheduler->transfer_ended(r.earliest_arrival);
    if (arrived) {
      const SiteId site = world_.fleet.node(p->to).site;
      world_.scheduler->arrive(site, sim_clock_ns() + r.extra_ns, std::move(p));
    } else if (!shut_down_) {
      ++world_.stats.link_failures;
      ++world_.stats.dropped_messages;
    }
    pools_[r.home].idle_receivers.push_back(&r);
  }
}

void Transport::shut_down() {
  shut_down_ = true;
  for (auto& s : tx_) s->actor->kill();
  for (auto& r : rx_) r->actor->kill();
}

}  // namespace roost::sim
