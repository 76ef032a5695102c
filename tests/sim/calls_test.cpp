// Calls between simulated nodes: round trips over LAN and WAN match the configured latencies and
// bandwidths, a timeout answers exactly once, and unroutable destinations fail at once.
#include <gtest/gtest.h>

#include "platform/core/message.h"
#include "tests/sim/fleet_builders.h"
#include "tests/sim/test_roles.h"

namespace roost::sim::testing {
namespace {

using nlohmann::json;

json caller_config(const std::string& target, const std::string& net, std::vector<double> at_ms, double timeout_ms,
                   std::size_t pad = 0) {
  return {{"target", target}, {"network", net}, {"at_ms", at_ms}, {"timeout_ms", timeout_ms}, {"pad_bytes", pad}};
}

const std::vector<core::Network> kWithWan{core::Network::Management, core::Network::ClusterHost, core::Network::Oam,
                                          core::Network::Wan};

// Two sites joined over the WAN: "a" (20 ms, 100 Mb/s access) holds the caller, "b" (30 ms, 100 Mb/s) the
// echo server; the backbone adds 1 ms.
SimConfig wan_pair(std::size_t pad, LanMode mode = LanMode::LocalQueue) {
  SimConfig c;
  c.duration = core::seconds(3);
  c.lan_mode = mode;
  c.backbone = link(1, 10e9);
  c.sites = {site("a", {node("caller", "test-caller", caller_config("echo", "wan", {1000}, 2000, pad), kWithWan)},
                  link(0.2), link(20, 100e6)),
             site("b", {node("echo", "test-echo", json::object(), kWithWan)}, link(0.2), link(30, 100e6))};
  return c;
}

double request_bytes(std::size_t pad) {
  return static_cast<double>(core::frame_size("caller", "echo", core::envelope(Echo{1, std::string(pad, 'x')})));
}
double reply_bytes() {
  return static_cast<double>(core::frame_size("echo", "caller", core::envelope(Echo::Response{1})));
}

double only_rtt(const SimResult& r) {
  const auto done = records(r, "caller", "call.done");
  if (done.size() != 1u) ADD_FAILURE() << "expected one call.done, got " << done.size();
  if (done.empty()) return -1;
  EXPECT_TRUE(bool_field(*done[0], "ok")) << str_field(*done[0], "error");
  return static_cast<double>(int_field(*done[0], "rtt_ns")) / 1e9;
}

TEST(Calls, WanRoundTripIsTheSumOfTheLatenciesBothWays) {
  const SimResult r = run(wan_pair(0));
  const double one_way_latency = 0.020 + 0.001 + 0.030;
  const double expected = 2 * one_way_latency + (request_bytes(0) + reply_bytes()) * 8 / 100e6;
  EXPECT_NEAR(only_rtt(r), expected, expected * 0.02);
  EXPECT_EQ(r.stats.simgrid_messages, 2u);
  EXPECT_EQ(r.stats.simgrid_bytes, static_cast<std::uint64_t>(request_bytes(0) + reply_bytes()));
  EXPECT_EQ(r.stats.calls, 1u);
  EXPECT_EQ(r.stats.call_failures, 0u);
}

TEST(Calls, WanTransferOfALargeRequestAddsSizeOverBandwidth) {
  const std::size_t pad = 1'000'000;  // 8 Mbit over 100 Mb/s access links: 80 ms
  const SimResult r = run(wan_pair(pad));
  const double expected = 2 * (0.020 + 0.001 + 0.030) + (request_bytes(pad) + reply_bytes()) * 8 / 100e6;
  EXPECT_NEAR(only_rtt(r), expected, expected * 0.02);
}

TEST(Calls, LanRoundTripInTheLocalQueueIsTwiceTheLanLatencyPlusTransfer) {
  SimConfig c;
  c.duration = core::seconds(2);
  c.sites = {site("s", {node("caller", "test-caller", caller_config("echo", "mgmt", {500}, 1000)),
                        node("echo", "test-echo")},
                  link(2, 1e6))};
  const SimResult r = run(c);
  const double expected = 2 * 0.002 + (request_bytes(0) + reply_bytes()) * 8 / 1e6;
  EXPECT_NEAR(only_rtt(r), expected, 1e-9 * 4);  // the local queue is exact to the nanosecond (rounding)
  EXPECT_EQ(r.stats.local_messages, 2u);
  EXPECT_EQ(r.stats.simgrid_messages, 0u);
}

TEST(Calls, LanModeSimGridChargesTheLanLatencyThroughSimGrid) {
  SimConfig c;
  c.duration = core::seconds(2);
  c.lan_mode = LanMode::SimGrid;
  c.sites = {site("s", {node("caller", "test-caller", caller_config("echo", "mgmt", {500}, 1000)),
                        node("echo", "test-echo")},
                  link(2, 1e9))};
  const SimResult r = run(c);
  EXPECT_NEAR(only_rtt(r), 2 * 0.002, 2 * 0.002 * 0.02);
  EXPECT_EQ(r.stats.simgrid_messages, 2u);
  EXPECT_EQ(r.stats.local_messages, 0u);
}

TEST(Calls, LanModeSimGridWanRouteAddsHalfALanAtEachEnd) {
  const SimResult r = run(wan_pair(0, LanMode::SimGrid));
  const double expected = 2 * (0.0001 + 0.020 + 0.001 + 0.030 + 0.0001);
  EXPECT_NEAR(only_rtt(r), expected, expected * 0.02);
}

TEST(Calls, TimeoutAnswersExactlyOnceEvenWhenTheReplyComesLate) {
  SimConfig c;
  c.duration = core::seconds(5);
  c.sites = {site("s", {node("caller", "test-caller", caller_config("echo", "mgmt", {1000}, 500)),
                        node("echo", "test-echo", {{"reply_after_ms", 2000}})},
                  link(0.1))};
  const SimResult r = run(c);
  const auto done = records(r, "caller", "call.done");
  ASSERT_EQ(done.size(), 1u);
  EXPECT_FALSE(bool_field(*done[0], "ok"));
  EXPECT_EQ(str_field(*done[0], "error"), "timeout");
  EXPECT_EQ(int_field(*done[0], "rtt_ns"), 500'000'000);
  EXPECT_DOUBLE_EQ(seconds(*done[0]), 1.5);
  EXPECT_EQ(r.stats.local_messages, 2u) << "the late reply is still delivered to the caller's node";
  EXPECT_EQ(r.stats.call_failures, 1u);
}

TEST(Calls, CallToACrashedNodeTimesOut) {
  SimConfig c;
  c.duration = core::seconds(3);
  c.sites = {site("s", {node("caller", "test-caller", caller_config("echo", "mgmt", {1000}, 300)),
                        node("echo", "test-echo")},
                  link(0.1))};
  FaultSpec crash;
  crash.kind = FaultKind::HostCrash;
  crash.at = core::at_seconds(0.5);
  crash.nodes = {"echo"};
  c.faults = {crash};
  const SimResult r = run(c);
  const auto done = records(r, "caller", "call.done");
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(str_field(*done[0], "error"), "timeout");
  EXPECT_DOUBLE_EQ(seconds(*done[0]), 1.3);
}

TEST(Calls, UnroutableDestinationsFailAtOnceAsUnreachable) {
  SimConfig c;
  c.duration = core::seconds(2);
  c.sites = {
      site("a", {node("lan-across", "test-caller", caller_config("echo", "mgmt", {100}, 1000)),
                 node("no-such", "test-caller", caller_config("ghost", "mgmt", {200}, 1000)),
                 node("not-attached", "test-caller", caller_config("echo", "wan", {300}, 1000))}),
      site("b", {node("echo", "test-echo", json::object(), kWithWan)})};
  const SimResult r = run(c);
  for (const char* caller : {"lan-across", "no-such", "not-attached"}) {
    const auto done = records(r, caller, "call.done");
    ASSERT_EQ(done.size(), 1u) << caller;
    EXPECT_EQ(str_field(*done[0], "error"), "unreachable") << caller;
    EXPECT_EQ(int_field(*done[0], "rtt_ns"), 0) << caller;
  }
  EXPECT_EQ(r.stats.unroutable_messages, 3u);
  EXPECT_EQ(r.stats.call_failures, 3u);
}

}  // namespace
}  // namespace roost::sim::testing
