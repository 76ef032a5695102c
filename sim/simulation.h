// The simulated runtime: runs the nodes of a SimConfig, built through the same RoleRegistry as roostd,
// under SimGrid's clock and network, with the fault schedule applied. Deterministic: the same config
// (seed included) gives the same trace, bit for bit, and so the same trace hash.
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
};

struct SimResult {
  std::vector<TraceRecord> trace;
  std::string trace_hash;  // hex SHA-256 of the canonical trace (time ns, node, level, event, fields)
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace roost::sim
