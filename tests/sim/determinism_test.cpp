// The same config gives the same run bit for bit; the seed, or anything that changes when a message
// arrives, changes the hash.
#include <gtest/gtest.h>

#include "tests/sim/fleet_builders.h"

namespace roost::sim::testing {
namespace {

using nlohmann::json;

// Pulses over a lossy, jittery LAN, WAN calls between two sites, and a crash: every source of
// nondeterminism the runtime could have is exercised.
SimConfig busy_fleet(std::uint64_t seed) {
  const std::vector<core::Network> with_wan{core::Network::Management, core::Network::ClusterHost, core::Network::Wan};
  SimConfig c;
  c.seed = seed;
  c.duration = core::seconds(4);
  auto edge = pulse_site_nodes("ctl", {"h1", "h2", "h3"}, 100, 3, core::Network::Management);
  edge.push_back(node("caller", "test-caller",
                      {{"target", "echo"}, {"network", "wan"}, {"at_ms", {500, 900, 1300, 1700, 2100}}, {"timeout_ms", 400}},
                      with_wan));
  c.sites = {site("edge", edge, link(0.5, 1e9, 0.2, 2), link(15, 50e6, 0.0, 3)),
             site("core", {node("echo", "test-echo", json::object(), with_wan)}, link(0.1), link(5, 1e9))};
  FaultSpec crash;
  crash.kind = FaultKind::HostCrash;
  crash.at = core::at_seconds(1.0);
  crash.until = core::at_seconds(2.0);
  crash.nodes = {"h2"};
  c.faults = {crash};
  return c;
}

TEST(Determinism, SameConfigGivesTheSameTraceAndHash) {
  const SimResult a = run(busy_fleet(42));
  const SimResult b = run(busy_fleet(42));
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.trace_hash.size(), 64u);
  ASSERT_EQ(a.trace.size(), b.trace.size());
  for (std::size_t i = 0; i < a.trace.size(); ++i) {
    EXPECT_EQ(a.trace[i].t, b.trace[i].t);
    EXPECT_EQ(a.trace[i].node, b.trace[i].node);
    EXPECT_EQ(a.trace[i].event, b.trace[i].event);
    EXPECT_EQ(core::format_fields(a.trace[i].fields), core::format_fields(b.trace[i].fields));
  }
  EXPECT_EQ(a.stats.local_messages, b.stats.local_messages);
  EXPECT_EQ(a.stats.simgrid_messages, b.stats.simgrid_messages);
  EXPECT_EQ(a.stats.dropped_messages, b.stats.dropped_messages);
  EXPECT_GT(a.stats.simgrid_messages, 0u);
  EXPECT_GT(a.stats.dropped_messages, 0u);
}

TEST(Determinism, AnotherSeedWithLanLossAndJitterChangesTheHash) {
  EXPECT_NE(run(busy_fleet(42)).trace_hash, run(busy_fleet(43)).trace_hash);
}

TEST(Determinism, TheHashCoversMessagesNotJustTheTrace) {
  // Only the LAN latency differs: nothing is logged differently (the sink reports counts only, and every
  // message arrives either way), but every delivery time moves.
  auto fleet = [](double lan_ms) {
    SimConfig c;
    c.duration = core::seconds(2);
    c.sites = {site("s",
                    {node("sprayer", "test-sprayer", {{"target", "sink"}, {"count", 50}, {"interval_ms", 10}}),
                     node("sink", "test-sink", {{"report_ms", 1500}})},
                    link(lan_ms))};
    return c;
  };
  const SimResult a = run(fleet(0.1));
  const SimResult b = run(fleet(0.2));
  ASSERT_EQ(a.trace.size(), b.trace.size());
  for (std::size_t i = 0; i < a.trace.size(); ++i)
    EXPECT_EQ(core::format_fields(a.trace[i].fields), core::format_fields(b.trace[i].fields));
  EXPECT_NE(a.trace_hash, b.trace_hash);
}

}  // namespace
}  // namespace roost::sim::testing
