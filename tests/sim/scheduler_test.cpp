// The scheduler (sim/scheduler.h) runs every site's events from one actor and lets them run ahead of
// SimGrid's clock while no transfer in flight can arrive first. Running ahead must change nothing: the
// same fleet run with and without it gives the same trace, message for message (the hash covers every
// delivery's time), and a transfer never lands behind the sites' time (the run would fail loudly).
#include <gtest/gtest.h>

#include "tests/sim/fleet_builders.h"

namespace roost::sim::testing {
namespace {

using nlohmann::json;

// Several edge sites, each with LAN pulses (lossy, jittery) and a caller that calls the core's echo over
// WAN links of different latencies, plus sprayed WAN datagrams, a WAN outage of one site that cuts
// transfers in flight, and a host crash: local events interleave with transfers of every length.
SimConfig mixed_fleet(bool run_ahead, LanMode lan_mode) {
  const std::vector<core::Network> with_wan{core::Network::Management, core::Network::ClusterHost, core::Network::Wan};
  SimConfig c;
  c.seed = 7;
  c.duration = core::seconds(5);
  c.lan_mode = lan_mode;
  c.local_run_ahead = run_ahead;
  for (int s = 0; s < 4; ++s) {
    const std::string p = "edge" + std::to_string(s) + ".";
    auto nodes = pulse_site_nodes(p + "ctl", {p + "h1", p + "h2"}, 100, 3, core::Network::Management);
    json at = json::array();
    for (int k = 0; k < 40; ++k) at.push_back(100 + 97 * k + 13 * s);
    nodes.push_back(node(p + "caller", "test-caller",
                         {{"target", "echo"}, {"network", "wan"}, {"at_ms", at}, {"timeout_ms", 300}, {"pad_bytes", 3000}},
                         with_wan));
    nodes.push_back(node(p + "sprayer", "test-sprayer",
                         {{"target", "sink"}, {"network", "wan"}, {"count", 200}, {"interval_ms", 23 + s}}, with_wan));
    c.sites.push_back(site("edge" + std::to_string(s), nodes, link(0.3, 1e9, 0.05, 0.2),
                           link(4 + 11 * s, 20e6, 0.01, 1)));
  }
  c.sites.push_back(site("core",
                         {node("echo", "test-echo", {{"reply_after_ms", 2}}, with_wan),
                          node("sink", "test-sink", {{"report_ms", 500}}, with_wan)},
                         link(0.1), link(1, 1e9)));
  FaultSpec outage;
  outage.kind = FaultKind::SiteWanDown;
  outage.site = "edge2";
  outage.at = core::at_seconds(1.5);
  outage.until = core::at_seconds(2.5);
  FaultSpec crash;
  crash.kind = FaultKind::HostCrash;
  crash.nodes = {"edge1.h2"};
  crash.at = core::at_seconds(0.75);
  crash.until = core::at_seconds(3.0);
  c.faults = {outage, crash};
  return c;
}

void expect_same_run(const SimResult& a, const SimResult& b) {
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  ASSERT_EQ(a.trace.size(), b.trace.size());
  for (std::size_t i = 0; i < a.trace.size(); ++i) {
    EXPECT_EQ(a.trace[i].t, b.trace[i].t) << i;
    EXPECT_EQ(a.trace[i].node, b.trace[i].node) << i;
    EXPECT_EQ(a.trace[i].event, b.trace[i].event) << i;
    EXPECT_EQ(core::format_fields(a.trace[i].fields), core::format_fields(b.trace[i].fields)) << i;
  }
  EXPECT_EQ(a.stats.timer_events, b.stats.timer_events);
  EXPECT_EQ(a.stats.local_messages, b.stats.local_messages);
  EXPECT_EQ(a.stats.simgrid_messages, b.stats.simgrid_messages);
  EXPECT_EQ(a.stats.dropped_messages, b.stats.dropped_messages);
  EXPECT_EQ(a.stats.link_failures, b.stats.link_failures);
  EXPECT_EQ(a.stats.call_failures, b.stats.call_failures);
}

TEST(Scheduler, RunningAheadOfSimGridChangesNothing) {
  const SimResult ahead = run(mixed_fleet(true, LanMode::LocalQueue));
  const SimResult lockstep = run(mixed_fleet(false, LanMode::LocalQueue));
  expect_same_run(ahead, lockstep);
  // The fleet did exercise what it is meant to: WAN calls and datagrams, LAN pulses, the outage.
  EXPECT_GT(ahead.stats.simgrid_messages, 1000u);
  EXPECT_GT(ahead.stats.local_messages, 500u);
  EXPECT_GT(ahead.stats.call_failures, 0u);
  EXPECT_FALSE(records(ahead, "call.done").empty());
}

TEST(Scheduler, RunningAheadChangesNothingWhenTheLanGoesThroughSimGridToo) {
  expect_same_run(run(mixed_fleet(true, LanMode::SimGrid)), run(mixed_fleet(false, LanMode::SimGrid)));
}

}  // namespace
}  // namespace roost::sim::testing
