#include "harness/runner.h"

#include <sys/resource.h>

#include <algorithm>

namespace roost::harness {

double peak_rss_mb() {
  // The larger of this process and its biggest finished child (a simulation run in a child process).
  long kib = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    if (getrusage(who, &usage) == 0) kib = std::max(kib, usage.ru_maxrss);  // Linux reports KiB
  }
  return static_cast<double>(kib) / 1024.0;
}

RunOutput run_scenario(const Scenario& scenario, const core::RoleRegistry& roles, const RunOptions& options) {
  RunOutput out;
  out.scenario = scenario;
  // About a hundred samples per run: enough for a smooth activity chart and a lively progress line,
  // and simulated-time based, so the samples themselves are deterministic.
  const core::Duration every = std::max(scenario.config.duration / 100, core::Duration(core::milliseconds(1)));
  auto on_progress = [&](const sim::Progress& p) {
    out.samples.push_back(p);
    if (options.on_progress) options.on_progress(p);
  };
  if (options.in_child_process) {
    out.sim = sim::run_in_child(scenario.config, roles, on_progress, every);
  } else {
    sim::Simulation simulation(scenario.config, roles);
    out.sim = simulation.run(on_progress, every);
  }
  out.outcomes = evaluate_all(scenario.expectations, scenario.config, out.sim.trace);
  out.peak_rss_mb = peak_rss_mb();
  return out;
}

}  // namespace roost::harness
