// Moves packets between hosts through SimGrid communications, so that WAN traffic (and, with
// LanMode::SimGrid, all traffic) takes its latency and its share of bandwidth from SimGrid's network model.
//
// Each transfer is a mailbox communication between two short-lived roles, both pooled per host: a sender
// actor on the source host does put + wait, a receiver actor on the destination host does get + wait, and on
// completion hands the packet to the destination site's inbox. Why not the obvious alternatives (measured on
// SimGrid 3.32):
// - one receiving actor per site with one pending get: rendezvous semantics serialise a site's incoming
//   messages (the next transfer only starts when the previous one is received), so a hub receiving from
//   1,000 sites would take 1,000 latencies;
// - permanent receivers (Mailbox::set_receiver): transfers start at once but are received in send order,
//   so a far site's message holds back a near site's later one;
// - one-sided Comm::sendto_async: detached, and SimGrid keeps detached comms in one global list that it
//   scans on every completion (cost grows with the number of messages in flight);
// - waiting on many comms with wait_any_for: cost grows with the number waited on.
// With one put and one get per transfer, each actor waits on one comm, nothing is scanned, and no
// wait ever times out (a timed-out wait would cancel the comm).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/packet.h"
#include "sim/platform_builder.h"

namespace roost::sim {

class World;

class Transport {
 public:
  Transport(World& world, const Platform& platform);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // From the scheduler's actor (sim/scheduler.h): sends p->size bytes from p->from's host to p->to's host; the packet reaches the
  // destination site at the transfer's completion plus `extra_ns` (jitter, MessageDelay). A transfer that
  // fails because a link went down is counted as dropped.
  void transmit(std::unique_ptr<Packet> p, std::int64_t extra_ns);

  // Puts site's WAN link in the state the fault schedule gives for time t (SiteWanDown: off). Called by the
  // control actor at each boundary and before every transfer that crosses a WAN, so that within one instant
  // the link's state does not depend on which actor SimGrid happens to run first.
  void sync_site_wan(SiteId site, std::int64_t t);

  // From an actor, at the end of the run: ends every transport actor (transfers still in flight are lost).
  void shut_down();

  std::size_t actor_count() const { return tx_.size() + rx_.size(); }

 private:
  struct Sender;
  struct Receiver;
  struct Pools {
    std::vector<Sender*> idle_senders;
    std::vector<Receiver*> idle_receivers;
  };
  Sender& sender_at(std::uint32_t endpoint);
  Receiver& receiver_at(std::uint32_t endpoint);
  void sender_loop(Sender& s);
  void receiver_loop(Receiver& r);

  World& world_;
  const Platform& platform_;
  std::vector<Pools> pools_;  // per endpoint
  std::vector<std::unique_ptr<Sender>> tx_;
  std::vector<std::unique_ptr<Receiver>> rx_;
  bool shut_down_ = false;
};

}  // namespace roost::sim
