// The first nodes (pulse controller and hosts) under host and network faults: who is declared lost,
// when, and when it comes back.
#include <gtest/gtest.h>

#include "tests/sim/fleet_builders.h"

namespace roost::sim::testing {
namespace {

constexpr double kPeriod = 0.1;  // s
constexpr int kMisses = 5;
constexpr double kLanLatency = 0.0001;

SimConfig pulse_fleet(std::vector<std::string> hosts, core::Network net = core::Network::Management) {
  SimConfig c;
  c.seed = 7;
  c.duration = core::seconds(7);
  c.sites = {site("edge", pulse_site_nodes("ctl", hosts, kPeriod * 1000, kMisses, net), link(kLanLatency * 1000))};
  return c;
}

FaultSpec fault(FaultKind kind, double at, std::optional<double> until, std::vector<std::string> nodes = {}) {
  FaultSpec f;
  f.kind = kind;
  f.at = core::at_seconds(at);
  if (until) f.until = core::at_seconds(*until);
  f.nodes = std::move(nodes);
  f.label = "test fault";
  return f;
}

// The detection delay is K periods counted from the first unanswered pulse, which goes out within one
// period after the failure: between K and K+1 periods, plus a LAN latency.
void expect_detected_within_bounds(const TraceRecord& lost, double failure_at) {
  const double delay = seconds(lost) - failure_at;
  EXPECT_GE(delay, kMisses * kPeriod) << "detected too early";
  EXPECT_LE(delay, (kMisses + 1) * kPeriod + 2 * kLanLatency) << "detected too late";
}

TEST(PulseFaults, HostCrashIsDetectedForThatHostOnlyAndRecoveryFollowsTheRestart) {
  SimConfig c = pulse_fleet({"h1", "h2", "h3"});
  c.sites[0].nodes[2].boot_time = core::milliseconds(500);  // h2
  c.faults = {fault(FaultKind::HostCrash, 2.05, 4.0, {"h2"})};
  const SimResult r = run(c);

  const auto lost = records(r, "ctl", "pulse.host_lost");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(str_field(*lost[0], "host"), "h2");
  expect_detected_within_bounds(*lost[0], 2.05);

  const auto recovered = records(r, "ctl", "pulse.host_recovered");
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(str_field(*recovered[0], "host"), "h2");
  // Restart at 4.0 plus 0.5 s of boot: the first pulse after that is answered.
  EXPECT_GE(seconds(*recovered[0]), 4.5);
  EXPECT_LE(seconds(*recovered[0]), 4.5 + kPeriod + 2 * kLanLatency);

  const auto down = records(r, "sim", "node.down");
  const auto up = records(r, "sim", "node.up");
  ASSERT_EQ(down.size(), 1u);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_DOUBLE_EQ(seconds(*down[0]), 2.05);
  EXPECT_DOUBLE_EQ(seconds(*up[0]), 4.5);
  EXPECT_EQ(int_field(*up[0], "incarnation"), 2);

  const auto start = records(r, "sim", "fault.start");
  const auto end = records(r, "sim", "fault.end");
  ASSERT_EQ(start.size(), 1u);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(str_field(*start[0], "kind"), "host-crash");
  EXPECT_EQ(str_field(*start[0], "targets"), "h2");
  EXPECT_EQ(str_field(*start[0], "label"), "test fault");
  EXPECT_DOUBLE_EQ(seconds(*start[0]), 2.05);
  EXPECT_DOUBLE_EQ(seconds(*end[0]), 4.0);
}

TEST(PulseFaults, NetworkDownOfThePulseNetworkLosesTheHostWhileOtherNetworksStillWork) {
  SimConfig c;
  c.seed = 3;
  c.duration = core::seconds(7);
  auto nodes = pulse_site_nodes("ctl-mgmt", {"h1", "h2"}, kPeriod * 1000, kMisses, core::Network::Management);
  auto second = pulse_site_nodes("ctl-ch", {"h1", "h2"}, kPeriod * 1000, kMisses, core::Network::ClusterHost);
  nodes.push_back(second[0]);  // a second controller pulsing the same hosts on cluster-host
  c.sites = {site("edge", nodes, link(kLanLatency * 1000))};
  FaultSpec f = fault(FaultKind::NetworkDown, 2.05, 4.0, {"h2"});
  f.network = core::Network::Management;
  c.faults = {f};
  const SimResult r = run(c);

  const auto lost = records(r, "ctl-mgmt", "pulse.host_lost");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(str_field(*lost[0], "host"), "h2");
  expect_detected_within_bounds(*lost[0], 2.05);
  const auto recovered = records(r, "ctl-mgmt", "pulse.host_recovered");
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_GE(seconds(*recovered[0]), 4.0);
  EXPECT_LE(seconds(*recovered[0]), 4.0 + kPeriod + 2 * kLanLatency);

  EXPECT_TRUE(records(r, "ctl-ch", "pulse.host_lost").empty()) << "cluster-host must be unaffected";
  EXPECT_TRUE(records(r, "sim", "node.down").empty()) << "no node went down";
}

TEST(PulseFaults, PartitionCutsTheGroupsApartUntilItHeals) {
  SimConfig c = pulse_fleet({"h1", "h2"});
  FaultSpec f = fault(FaultKind::Partition, 1.03, 3.0);
  f.groups = {{"ctl"}, {"h1"}};
  c.faults = {f};
  const SimResult r = run(c);

  const auto lost = records(r, "ctl", "pulse.host_lost");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(str_field(*lost[0], "host"), "h1");
  expect_detected_within_bounds(*lost[0], 1.03);
  const auto recovered = records(r, "ctl", "pulse.host_recovered");
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(str_field(*recovered[0], "host"), "h1");
  EXPECT_GE(seconds(*recovered[0]), 3.0);
  EXPECT_LE(seconds(*recovered[0]), 3.0 + kPeriod + 2 * kLanLatency);
  EXPECT_EQ(str_field(*records(r, "sim", "fault.start")[0], "targets"), "ctl|h1");
}

TEST(PulseFaults, HostCrashWithoutUntilStaysLost) {
  SimConfig c = pulse_fleet({"h1", "h2"});
  c.faults = {fault(FaultKind::HostCrash, 1.0, std::nullopt, {"h1"})};
  const SimResult r = run(c);
  ASSERT_EQ(records(r, "ctl", "pulse.host_lost").size(), 1u);
  EXPECT_TRUE(records(r, "ctl", "pulse.host_recovered").empty());
  EXPECT_TRUE(records(r, "sim", "fault.end").empty());
}

TEST(PulseFaults, LanModeSimGridDetectsTheSameCrashWithinTheSameBounds) {
  SimConfig c = pulse_fleet({"h1", "h2", "h3"});
  c.lan_mode = LanMode::SimGrid;
  c.faults = {fault(FaultKind::HostCrash, 2.05, 4.0, {"h2"})};
  const SimResult r = run(c);
  const auto lost = records(r, "ctl", "pulse.host_lost");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(str_field(*lost[0], "host"), "h2");
  expect_detected_within_bounds(*lost[0], 2.05);
  ASSERT_EQ(records(r, "ctl", "pulse.host_recovered").size(), 1u);
  EXPECT_EQ(r.stats.local_messages, 0u) << "with LanMode::SimGrid every hop is a SimGrid communication";
  EXPECT_GT(r.stats.simgrid_messages, 100u);
}

}  // namespace
}  // namespace roost::sim::testing
