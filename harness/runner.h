// Runs a validated scenario through the simulated runtime and checks its expectations.
#pragma once

#include <functional>
#include <vector>

#include "harness/result.h"
#include "harness/scenario.h"
#include "platform/core/node.h"
#include "sim/simulation.h"

namespace roost::harness {

struct RunOptions {
  // Called as simulated time advances (about 100 times per run), for progress displays.
  std::function<void(const sim::Progress&)> on_progress;
  // SimGrid allows one simulation per process (sim/simulation.h). `roost sim run` is one process per
  // run and simulates in-process; anything that runs several scenarios in one process (tests, sweeps)
  // sets this to simulate in a forked child instead.
  bool in_child_process = false;
};

// Throws std::invalid_argument when the simulation refuses the scenario (a role rejects its "config"),
// std::runtime_error when the simulation fails (a node threw, the child process died).
RunOutput run_scenario(const Scenario& scenario, const core::RoleRegistry& roles, const RunOptions& options = {});

// Peak resident set so far, in MiB: of this process, or of its largest finished child if bigger.
double peak_rss_mb();

}  // namespace roost::harness
