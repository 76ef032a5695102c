// Fidelity of the fleet twin: scenarios/fleet-20.json (20 subclouds; a WAN outage of four, a worker crash, a
// controller failover) run with LAN traffic through the per-site queues (lan_mode local-queue) and through
// SimGrid communications (simgrid) must raise and clear the same alarms in the same order, and notice
// every fault instance with detection (and recovery) times within 10% of each other.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/fleet.h"
#include "harness/result.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "platform/roles.h"

namespace roost::harness {
namespace {

const std::filesystem::path kSource = ROOST_SOURCE_DIR;

struct Observed {
  std::vector<std::string> alarms;  // "280.001 subcloud=subcloud-0004 critical", in trace order
  std::vector<InstanceOutcome> outcomes;
  std::string hash;
};

std::string field(const core::LogFields& fields, std::string_view key) {
  for (const auto& f : fields)
    if (f.key == key)
      if (const auto* s = std::get_if<std::string>(&f.value)) return *s;
  return "";
}

Observed run(sim::LanMode mode) {
  auto loaded = load_scenario(kSource / "scenarios/fleet-20.json", platform::roles());
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.messages()[0]);
  Scenario s = *loaded.scenario;
  s.config.lan_mode = mode;
  RunOptions options;
  options.in_child_process = true;
  const RunOutput out = run_scenario(s, platform::roles(), options);
  EXPECT_TRUE(out.passed()) << "fleet-20 misses an expectation with lan_mode " << lan_mode_name(mode);
  Observed o;
  o.hash = out.sim.trace_hash;
  for (const auto& r : out.sim.trace) {
    if (r.event == "dc.alarm")
      o.alarms.push_back(field(r.fields, "alarm_id") + " " + field(r.fields, "entity") + " " + field(r.fields, "severity"));
    else if (r.event == "mtce.alarm")
      o.alarms.push_back(field(r.fields, "alarm_id") + " host=" + field(r.fields, "host") + " " + field(r.fields, "severity"));
  }
  o.outcomes = fleet_outcomes(*s.fleet, out.sim.trace, core::TimePoint(s.config.duration));
  return o;
}

void expect_within_10_percent(const std::optional<double>& queue, const std::optional<double>& simgrid, const std::string& what) {
  ASSERT_TRUE(queue.has_value()) << what << ": not seen with local-queue";
  ASSERT_TRUE(simgrid.has_value()) << what << ": not seen with simgrid";
  EXPECT_LE(std::abs(*queue - *simgrid), 0.1 * std::max(*queue, *simgrid))
      << what << ": local-queue " << *queue << " s, simgrid " << *simgrid << " s";
}

TEST(FleetContract, LocalQueueAndSimGridAgree) {
  const Observed queue = run(sim::LanMode::LocalQueue);
  const Observed simgrid = run(sim::LanMode::SimGrid);
  EXPECT_NE(queue.hash, simgrid.hash) << "the two modes should not be the very same run";
  // The scenario raises 280.001 for four subclouds and the host alarms of a crash and a failover.
  ASSERT_GE(queue.alarms.size(), 8u);
  EXPECT_EQ(queue.alarms, simgrid.alarms);
  ASSERT_EQ(queue.outcomes.size(), simgrid.outcomes.size());
  ASSERT_EQ(queue.outcomes.size(), 6u);
  for (std::size_t i = 0; i < queue.outcomes.size(); ++i) {
    const std::string what = "fault instance " + std::to_string(i) + " (" + queue.outcomes[i].detector + ")";
    expect_within_10_percent(queue.outcomes[i].detection_s, simgrid.outcomes[i].detection_s, what + " detection");
    expect_within_10_percent(queue.outcomes[i].recovery_s, simgrid.outcomes[i].recovery_s, what + " recovery");
  }
}

}  // namespace
}  // namespace roost::harness
