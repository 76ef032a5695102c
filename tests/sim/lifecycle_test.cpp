// Node lifecycles: a crash takes every timer and call of the dead incarnation with it; restarts, boot
// times and start_down; progress reports; a node that throws stops the run with its name.
#include <gtest/gtest.h>

#include "sim/simulation.h"
#include "tests/sim/fleet_builders.h"
#include "tests/sim/test_roles.h"

namespace roost::sim::testing {
namespace {

using nlohmann::json;

FaultSpec crash(const std::string& node, double at, std::optional<double> until) {
  FaultSpec f;
  f.kind = FaultKind::HostCrash;
  f.at = core::at_seconds(at);
  if (until) f.until = core::at_seconds(*until);
  f.nodes = {node};
  return f;
}

TEST(Lifecycle, ACrashDropsEveryPendingTimerOfTheOldIncarnation) {
  SimConfig c;
  c.duration = core::seconds(8);
  c.sites = {site("s", {node("ticker", "test-ticker", {{"period_ms", 1000}, {"count", 10}})})};
  c.faults = {crash("ticker", 2.5, 3.0)};
  const SimResult r = run(c);

  const auto born = records(r, "ticker", "ticker.born");
  ASSERT_EQ(born.size(), 2u);
  EXPECT_DOUBLE_EQ(seconds(*born[0]), 0.0);
  EXPECT_DOUBLE_EQ(seconds(*born[1]), 3.0);
  EXPECT_NE(int_field(*born[0], "draw"), int_field(*born[1], "draw")) << "each incarnation has its own RNG stream";

  std::vector<double> old_ticks, new_ticks;
  for (const auto* t : records(r, "ticker", "tick"))
    (int_field(*t, "born_ns") == 0 ? old_ticks : new_ticks).push_back(seconds(*t));
  EXPECT_EQ(old_ticks, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(new_ticks, (std::vector<double>{4.0, 5.0, 6.0, 7.0}));
}

TEST(Lifecycle, AReplyForADeadIncarnationNeverReachesTheNewOne) {
  SimConfig c;
  c.duration = core::seconds(6);
  c.sites = {site("s", {node("caller", "test-caller",
                             {{"target", "echo"}, {"network", "mgmt"}, {"at_ms", {2000}}, {"timeout_ms", 3000}}),
                        node("echo", "test-echo", {{"reply_after_ms", 1000}})})};
  c.faults = {crash("caller", 2.5, 2.8)};
  const SimResult r = run(c);
  EXPECT_TRUE(records(r, "caller", "call.done").empty());
  EXPECT_EQ(r.stats.calls, 1u);
  EXPECT_GE(r.stats.dropped_messages, 1u) << "the reply to the dead caller is dropped";
}

TEST(Lifecycle, ACrashedServerAnswersNothing) {
  SimConfig c;
  c.duration = core::seconds(6);
  c.sites = {site("s", {node("caller", "test-caller",
                             {{"target", "echo"}, {"network", "mgmt"}, {"at_ms", {1000}}, {"timeout_ms", 3000}}),
                        node("echo", "test-echo", {{"reply_after_ms", 1000}})})};
  c.faults = {crash("echo", 1.5, 1.6)};  // back up before its reply was due, as a new incarnation
  const SimResult r = run(c);
  const auto done = records(r, "caller", "call.done");
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(str_field(*done[0], "error"), "timeout");
}

TEST(Lifecycle, StartDownNodeBootsOnHostRestartAfterItsBootTime) {
  SimConfig c;
  c.duration = core::seconds(4);
  auto ticker = node("ticker", "test-ticker", {{"period_ms", 1000}, {"count", 5}});
  ticker.start_down = true;
  ticker.boot_time = core::milliseconds(500);
  c.sites = {site("s", {ticker})};
  FaultSpec restart;
  restart.kind = FaultKind::HostRestart;
  restart.at = core::at_seconds(1.0);
  restart.nodes = {"ticker"};
  c.faults = {restart};
  const SimResult r = run(c);
  const auto born = records(r, "ticker", "ticker.born");
  ASSERT_EQ(born.size(), 1u);
  EXPECT_DOUBLE_EQ(seconds(*born[0]), 1.5);
  const auto up = records(r, "sim", "node.up");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(int_field(*up[0], "incarnation"), 1);
}

TEST(Lifecycle, HostRestartOfARunningNodeRebootsIt) {
  SimConfig c;
  c.duration = core::seconds(3);
  c.sites = {site("s", {node("ticker", "test-ticker", {{"period_ms", 1000}, {"count", 5}})})};
  FaultSpec restart;
  restart.kind = FaultKind::HostRestart;
  restart.at = core::at_seconds(1.2);
  restart.nodes = {"ticker"};
  c.faults = {restart};
  const SimResult r = run(c);
  const auto born = records(r, "ticker", "ticker.born");
  ASSERT_EQ(born.size(), 2u);
  EXPECT_DOUBLE_EQ(seconds(*born[1]), 1.2);
  ASSERT_EQ(records(r, "sim", "node.down").size(), 1u);
  EXPECT_EQ(str_field(*records(r, "sim", "node.down")[0], "reason"), "restart");
}

TEST(Lifecycle, ProgressIsReportedEveryIntervalAndTheRunEndsExactlyAtTheDuration) {
  SimConfig c;
  c.duration = core::seconds(5);
  c.sites = {site("s", pulse_site_nodes("ctl", {"h1"}, 100, 3, core::Network::Management))};
  std::vector<Progress> seen;
  const SimResult r =
      run_in_child(c, test_roles(), [&](const Progress& p) { seen.push_back(p); }, core::seconds(1));
  ASSERT_EQ(seen.size(), 5u);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_DOUBLE_EQ(seen[i].sim_seconds, static_cast<double>(i + 1));
    EXPECT_DOUBLE_EQ(seen[i].duration_seconds, 5.0);
  }
  EXPECT_LE(seen[0].events, seen[4].events);
  EXPECT_DOUBLE_EQ(r.stats.sim_seconds, 5.0);
  EXPECT_GT(r.stats.wall_seconds, 0.0);
  // 10 pulses per second over [0, 5 s), each answered.
  EXPECT_EQ(r.stats.timer_events, 49u);  // the first pulse goes out from start(), the one at 5 s is past the end
  EXPECT_EQ(r.stats.local_messages, 100u);
}

TEST(Lifecycle, ANodeThatThrowsStopsTheRunWithItsName) {
  SimConfig c;
  c.duration = core::seconds(5);
  c.sites = {site("s", {node("bad-node", "test-thrower", {{"at_ms", 1000}}), node("ticker", "test-ticker")})};
  try {
    run(c);
    FAIL() << "expected the run to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad-node"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("boom from the thrower"), std::string::npos) << e.what();
  }
}

TEST(Lifecycle, OnlyOneSimulationRunsPerProcess) {
  SimConfig c;
  c.duration = core::seconds(1);
  c.sites = {site("s", {node("ticker", "test-ticker")})};
  EXPECT_EXIT(
      {
        Simulation(c, test_roles()).run();
        try {
          Simulation(c, test_roles()).run();
        } catch (const std::logic_error&) {
          std::_Exit(42);
        }
        std::_Exit(1);
      },
      ::testing::ExitedWithCode(42), "");
}

}  // namespace
}  // namespace roost::sim::testing
