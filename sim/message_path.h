// The way a message takes from a sender to a receiver: can it be routed at all, does a fault or the
// link's loss eat it, how late is it, and does it travel through the sender's site queue (LAN) or through
// SimGrid (WAN, or every hop with LanMode::SimGrid).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sim/packet.h"

namespace roost::sim {

class World;
class SiteRuntime;

class MessagePath {
 public:
  explicit MessagePath(World& world) : world_(world) {}

  // What a destination name means to a sender: a node, or a floating name (FleetIndex::resolve_floating).
  // A name never changes meaning during a run, so a sender may keep the answer (NodeEnv does).
  struct Destination {
    NodeId node = 0;                    // when floating == kNoFloating
    FloatingId floating = kNoFloating;  // else: the floating name
  };
  // Why the name means nothing to `from` (unknown node, a floating name it cannot resolve); nullopt with
  // `dest` set otherwise.
  std::optional<std::string> resolve(NodeId from, std::string_view to, Destination& dest) const;

  // Why `from` cannot reach `to` (resolved to `dest`) over `net` now (a side not attached to the network, a
  // LAN network across sites, a floating name nobody holds now); nullopt when a route exists, with `to_id`
  // set (a floating name's holder now).
  std::optional<std::string> unroutable(NodeId from, std::string_view to, const Destination& dest,
                                        core::Network net, NodeId& to_id) const;
  // The same question without the reason (a datagram's sender is told nothing): builds no string.
  bool routable(NodeId from, const Destination& dest, core::Network net, NodeId& to_id) const;

  // Sends a routable packet from the sender's site at that site's current time. Faults in force now
  // (network down at either end, partition, site WAN down) drop it; datagrams are also subject to link
  // loss and MessageLoss faults; jitter and MessageDelay add latency. Every drop is counted.
  void send(SiteRuntime& from_site, std::unique_ptr<Packet> p);

  // Receiving side, at arrival: the packet's destination must still be up and attached (and its network
  // not cut). A packet sent to a floating name is first handed to the name's holder at that time: false
  // if nobody holds it.
  bool accepts(Packet& p, std::int64_t t) const;

 private:
  World& world_;
};

}  // namespace roost::sim
