// The simulated runtime: runs the nodes of a SimConfig, built through the same RoleRegistry as roostd,
// under SimGrid's clock and network, with the fault schedule applied. Deterministic: the same config
// (seed included) gives the same trace, bit for bit, and so the same trace hash.
//
// One simulation per process. SimGrid 3.32 keeps its clock and part of its configuration in
// process-wide statics: a second s4u::Engine in the same process starts at the first one's final
// date and cannot change the network model, so its run silently does nothing (verified on 3.32).
// Simulation::run() therefore works once per process and throws std::logic_error after that.
// Anything that runs several simulations (tests, sweeps) uses run_in_child(), which forks, runs the
// simulation in the child and brings the result (and progress reports) back over a pipe as JSON.
//
// Timing model:
// - inside a site (LanMode::LocalQueue): latency + uniform jitter + size/bandwidth of the site's LAN,
//   through the event queue of the sites (sim/scheduler.h), never through SimGrid;
// - between sites (Network::Wan only): a SimGrid communication from the source site's host to the
//   destination site's host over [source WAN link, backbone, destination WAN link] (CM02 model with
//   latency and bandwidth factors 1, no cross-traffic: a small message takes the sum of the latencies
//   plus size/bandwidth; links are shared max-min fairly between concurrent transfers);
// - LanMode::SimGrid: every node has its own host with a LAN link of half the site's LAN latency to the
//   site's router, and every message between two different nodes is a SimGrid communication.
//
// Floating names (SiteSpec::floating, Env::claim_floating): a message sent to one travels exactly as if
// sent to the node that holds the name when it is sent (same route, latency, loss and faults); on arrival
// it goes to whoever holds the name then (a moved address), and the receiver sees it as addressed to
// itself. Nobody holding it: a datagram is dropped, a call fails Unreachable at once, as for an unknown
// node (both counted in unroutable_messages).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "platform/core/log.h"
#include "platform/core/node.h"
#include "sim/config.h"

namespace roost::sim {

// One structured log record of a simulated node (or of the simulation itself: node "sim",
// events "fault.*" when a fault starts or heals).
//
// The simulation's own records (node "sim", level Info, kept whatever trace_level says):
//   fault.start / fault.end   {kind: to_string(FaultKind), label, targets: "a,b" | site | "a,b|c,d" | "*"}
//   node.down                 {node, reason, incarnation}: "crash" | "restart" (faults), "power-off" |
//                             "reset" | "power-cycle" (BMC actions); not logged for the boot at t=0
//   node.up                   {node, incarnation}   (a boot after a restart; incarnations count from 1)
//   bmc.power                 {node, action, by}    (a BMC power action takes effect; sim/simulated_bmc.h)
//   bmc.sensor                {node, sensor, value?, status}   (a scheduled sensor reading applies)
//   process.killed            {node, process, pid, cause}      (a process twin killed: "fault" | "crash-loop")
//   process.kill_missed       {node, process}                  (a process-kill fault found no such process)
//   floating.claim            {name, node}          (node claims its site's floating name: Env::claim_floating)
//   floating.release          {name, node, reason}  ("released": Env::release_floating; else the node went
//                                                   down, with node.down's reason just before)
// A run covers [0, duration): nothing scheduled at or after `duration` runs.
struct TraceRecord {
  core::TimePoint t{};
  std::string node;
  core::LogLevel level = core::LogLevel::Info;
  std::string event;
  core::LogFields fields;
};

struct SimStats {
  std::uint64_t timer_events = 0;       // timers fired
  std::uint64_t local_messages = 0;     // LAN messages delivered through the per-site queues
  std::uint64_t simgrid_messages = 0;   // messages delivered through SimGrid communications
  std::uint64_t simgrid_bytes = 0;
  std::uint64_t dropped_messages = 0;   // lost to faults, link loss, down nodes
  std::uint64_t calls = 0;
  std::uint64_t call_failures = 0;
  double sim_seconds = 0;
  double wall_seconds = 0;
  std::uint64_t events() const { return timer_events + local_messages + simgrid_messages; }
  // Included in dropped_messages: sent where no route exists (unknown node, network the node is not
  // attached to, a LAN network across sites, a floating name nobody holds).
  std::uint64_t unroutable_messages = 0;
  // Included in dropped_messages: SimGrid communications that failed because a link went down under them.
  std::uint64_t link_failures = 0;
};

struct SimResult {
  std::vector<TraceRecord> trace;
  // Hex SHA-256 over every trace record (time ns, node, level, event, fields) and every delivered message
  // (time ns, from, to, network, type, size), in the order the simulation produced them.
  std::string trace_hash;
  SimStats stats;
};

struct Progress {
  double sim_seconds = 0;
  double duration_seconds = 0;
  std::uint64_t events = 0;
  double wall_seconds = 0;
};

class Simulation {
 public:
  Simulation(SimConfig config, const core::RoleRegistry& roles);
  ~Simulation();
  // Runs to config.duration. `progress` (if set) is called about every `progress_every` of simulated time.
  // Throws std::invalid_argument on a config that cannot run (unknown role, duplicate node, fault naming an
  // unknown node), with a message naming it.
  SimResult run(std::function<void(const Progress&)> progress = {},
                core::Duration progress_every = core::seconds(10));

  const SimConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs `config` in a forked child process (see the note at the top) and returns its result. The config is
// validated in the calling process first (std::invalid_argument as for Simulation); a failure inside the
// child (a node that threw, a crash) becomes std::runtime_error carrying the child's message. `progress`
// runs in the calling process.
SimResult run_in_child(const SimConfig& config, const core::RoleRegistry& roles,
                       std::function<void(const Progress&)> progress = {},
                       core::Duration progress_every = core::seconds(10));

}  // namespace roost::sim
