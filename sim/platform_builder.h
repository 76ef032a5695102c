// Builds the SimGrid platform of a SimConfig in code (no XML), in a star zone so that routing costs O(1)
// per pair whatever the number of sites:
//
//   LocalQueue:  root star zone ── host "site/<s>" per site, route [wan/<s> (split duplex), backbone]
//   SimGrid:     root star zone ── star zone "zone/<s>" per site, gateway "router/<s>", route
//                [wan/<s>, backbone]; inside, host "node/<n>" per node with route [lan/<n>] whose latency
//                is half the site's LAN latency (two hops make one LAN crossing), and host "runtime/<s>"
//                (unused since all sites run from one actor on "roost/control": sim/scheduler.h).
//
// The backbone link sits in every site's up and down route; StarZone keeps a link once per route, so a
// message between two sites crosses [wan/a, backbone, wan/b]. Bandwidths are converted from bits to bytes
// per second (SimGrid's unit).
#pragma once

#include <cstdint>
#include <vector>

#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Link.hpp>

#include "sim/config.h"
#include "sim/fleet_index.h"

namespace roost::sim {

struct Platform {
  simgrid::s4u::Host* control = nullptr;                  // the simulation's own actors
  std::vector<simgrid::s4u::Host*> site_runtime;          // per site: a host of its own (runs no actor now)
  std::vector<simgrid::s4u::Host*> endpoints;             // hosts that send and receive SimGrid transfers
  std::vector<std::uint32_t> endpoint_of_node;            // NodeId -> index into `endpoints`
  std::vector<simgrid::s4u::SplitDuplexLink*> site_wan;   // per site
  simgrid::s4u::Link* backbone = nullptr;
};

// Requires a live s4u::Engine configured by the caller, and a validated config.
Platform build_platform(const SimConfig& config, const FleetIndex& fleet);

}  // namespace roost::sim
