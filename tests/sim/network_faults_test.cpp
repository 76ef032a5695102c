// Message-level faults: loss takes about its fraction of datagrams and spares calls, delay adds its
// latency, and a site's WAN outage stops traffic (including transfers already in flight) until it heals.
#include <gtest/gtest.h>

#include "tests/sim/fleet_builders.h"

namespace roost::sim::testing {
namespace {

using nlohmann::json;

constexpr int kSent = 4000;

SimConfig spray_fleet(LinkSpec lan) {
  SimConfig c;
  c.seed = 11;
  c.duration = core::seconds(5);
  c.sites = {site("s",
                  {node("sprayer", "test-sprayer", {{"target", "sink"}, {"count", kSent}, {"interval_ms", 1}}),
                   node("sink", "test-sink", {{"report_ms", 500}})},
                  lan)};
  return c;
}

std::int64_t received(const SimResult& r) {
  const auto totals = records(r, "sink", "sink.total");
  if (totals.empty()) return -1;
  return int_field(*totals.back(), "count");
}

TEST(NetworkFaults, MessageLossDropsRoughlyItsFraction) {
  SimConfig c = spray_fleet(link(0.1));
  FaultSpec loss;
  loss.kind = FaultKind::MessageLoss;
  loss.network = core::Network::Management;
  loss.fraction = 0.3;
  c.faults = {loss};
  const SimResult r = run(c);
  const double kept = static_cast<double>(received(r)) / kSent;
  // 4,000 draws: the standard deviation of the kept fraction is ~0.007.
  EXPECT_NEAR(kept, 0.7, 0.04);
  EXPECT_EQ(r.stats.dropped_messages, static_cast<std::uint64_t>(kSent - received(r)));
}

TEST(NetworkFaults, MessageLossOnAnotherNetworkDropsNothing) {
  SimConfig c = spray_fleet(link(0.1));
  FaultSpec loss;
  loss.kind = FaultKind::MessageLoss;
  loss.network = core::Network::ClusterHost;
  loss.fraction = 1.0;
  c.faults = {loss};
  EXPECT_EQ(received(run(c)), kSent);
}

TEST(NetworkFaults, LanLinkLossDropsRoughlyItsFraction) {
  const SimResult r = run(spray_fleet(link(0.1, 1e9, 0.2)));
  EXPECT_NEAR(static_cast<double>(received(r)) / kSent, 0.8, 0.04);
}

TEST(NetworkFaults, LossSparesCallsButDelayAppliesToThem) {
  SimConfig c;
  c.duration = core::seconds(3);
  c.sites = {site("s",
                  {node("caller", "test-caller",
                        {{"target", "echo"}, {"network", "mgmt"}, {"at_ms", {1000, 1200, 1400}}, {"timeout_ms", 1000}}),
                   node("echo", "test-echo")},
                  link(1, 1e12, 0.5))};
  FaultSpec loss;
  loss.kind = FaultKind::MessageLoss;
  loss.fraction = 1.0;
  FaultSpec delay;
  delay.kind = FaultKind::MessageDelay;
  delay.fraction = 1.0;
  delay.delay = core::milliseconds(50);
  delay.nodes = {"echo"};
  c.faults = {loss, delay};
  const SimResult r = run(c);
  const auto done = records(r, "caller", "call.done");
  ASSERT_EQ(done.size(), 3u);
  for (const auto* d : done) {
    EXPECT_TRUE(bool_field(*d, "ok"));
    // 1 ms each way plus 50 ms of fault delay each way (the request to echo, the reply from it).
    EXPECT_NEAR(static_cast<double>(int_field(*d, "rtt_ns")) / 1e9, 0.102, 1e-6);
  }
}

TEST(NetworkFaults, SiteWanDownStopsWanTrafficIncludingTransfersInFlightUntilItHeals) {
  const std::vector<core::Network> with_wan{core::Network::Management, core::Network::Wan};
  std::vector<double> at_ms;
  for (int t = 100; t < 3000; t += 100) at_ms.push_back(t);
  SimConfig c;
  c.duration = core::seconds(4);
  // 1 Mbit requests over 10 Mb/s access links: 100 ms on the wire, so the outage catches some mid-transfer.
  c.sites = {site("a",
                  {node("caller", "test-caller",
                        {{"target", "echo"}, {"network", "wan"}, {"at_ms", at_ms}, {"timeout_ms", 500}, {"pad_bytes", 125000}},
                        with_wan)},
                  link(0.1), link(10, 10e6)),
             site("b", {node("echo", "test-echo", json::object(), with_wan)}, link(0.1), link(10, 10e6))};
  FaultSpec outage;
  outage.kind = FaultKind::SiteWanDown;
  outage.site = "b";
  outage.at = core::at_seconds(1.05);
  outage.until = core::at_seconds(2.0);
  c.faults = {outage};
  const SimResult r = run(c);

  const auto done = records(r, "caller", "call.done");
  ASSERT_EQ(done.size(), at_ms.size());
  for (const auto* d : done) {
    const double sent = seconds(*d) - static_cast<double>(int_field(*d, "rtt_ns")) / 1e9;
    const bool ok = bool_field(*d, "ok");
    if (sent + 0.3 < 1.05 || sent >= 2.0) {
      EXPECT_TRUE(ok) << "call sent at " << sent << " s should have crossed the WAN";
    } else if (sent >= 1.05) {
      EXPECT_FALSE(ok) << "call sent at " << sent << " s went out during the outage";
      EXPECT_EQ(str_field(*d, "error"), "timeout");
    }
  }
  EXPECT_GE(r.stats.link_failures, 1u) << "the request in flight at 1.05 s should fail on the dead link";
  EXPECT_EQ(str_field(*records(r, "sim", "fault.start")[0], "targets"), "b");
}

}  // namespace
}  // namespace roost::sim::testing
