#include <gtest/gtest.h>

#include <set>

#include "platform/mtce/heartbeat_monitor.h"
#include "tests/unit/manual_env.h"

namespace roost::mtce {
namespace {

using core::milliseconds;
using core::Network;
using H = HeartbeatHealth;

class MonitorHost : public core::Node {
 public:
  MonitorHost(core::Env& env, HeartbeatConfig cfg)
      : Node(env, {"controller-0", "test", "lab", {}}),
        monitor(*this, std::move(cfg),
                {[this](const HeartbeatChange& c) { changes.push_back(c); },
                 [this](const MnfaChange& m) { mnfa.push_back(m); }}) {}
  HeartbeatMonitor monitor;
  std::vector<HeartbeatChange> changes;
  std::vector<MnfaChange> mnfa;
};

struct HeartbeatFixture : ::testing::Test {
  testing::ManualEnv env{"controller-0"};
  std::unique_ptr<MonitorHost> node;
  std::set<std::pair<std::string, Network>> silent;  // (host, network) paths that do not answer

  void SetUp() override { make({}); }
  void make(HeartbeatConfig cfg) {
    node = std::make_unique<MonitorHost>(env, std::move(cfg));
    for (auto h : {"w0", "w1", "w2", "w3"}) node->monitor.add_host(h);
    node->monitor.start();
  }
  // Answers the pulses sent since the last call (except silent paths), then lets one period pass.
  void period() {
    for (const auto& s : env.sent) {
      if (silent.count({s.to, s.net})) continue;
      Pulse p;
      ASSERT_FALSE(core::decode(s.msg.body, p));
      node->deliver({s.to, s.net}, core::envelope(PulseReply{p.seq}));
    }
    env.sent.clear();
    env.advance(node->monitor.current_period());
  }
  void periods(int n) {
    for (int i = 0; i < n; ++i) period();
  }
  std::vector<H> path_history(const std::string& host, Network net) const {
    std::vector<H> out;
    for (const auto& c : node->changes)
      if (c.host == host && c.network == net) out.push_back(c.to);
    return out;
  }
};

TEST_F(HeartbeatFixture, HealthyFleetChangesNothing) {
  periods(200);
  EXPECT_TRUE(node->changes.empty());
  EXPECT_TRUE(node->mnfa.empty());
}

TEST_F(HeartbeatFixture, SilentManagementGoesMinorDegradedFailedAtTheThresholds) {
  periods(3);
  silent = {{"w1", Network::Management}};
  std::map<H, int> reached_after;  // periods of silence when each state was reached
  for (int i = 1; i <= 15; ++i) {
    period();
    for (H h : {H::Minor, H::Degraded, H::Failed})
      if (node->monitor.health("w1", Network::Management) >= h && !reached_after.count(h)) reached_after[h] = i;
  }
  // Each period() ends with the tick that counts the pulse left unanswered one period earlier, so the
  // state changes exactly when the k-th consecutive miss is counted.
  EXPECT_EQ(reached_after[H::Minor], 4);
  EXPECT_EQ(reached_after[H::Degraded], 6);
  EXPECT_EQ(reached_after[H::Failed], 10);
  EXPECT_EQ(path_history("w1", Network::Management), (std::vector<H>{H::Minor, H::Degraded, H::Failed}));
  EXPECT_EQ(node->monitor.health("w1", Network::ClusterHost), H::Ok);
  EXPECT_EQ(node->monitor.health("w0"), H::Ok);
}

TEST_F(HeartbeatFixture, ClusterHostLossAloneOnlyDegrades) {
  silent = {{"w2", Network::ClusterHost}};
  periods(40);
  EXPECT_EQ(node->monitor.health("w2", Network::ClusterHost), H::Degraded);
  EXPECT_EQ(node->monitor.health("w2", Network::Management), H::Ok);
  EXPECT_EQ(path_history("w2", Network::ClusterHost), (std::vector<H>{H::Minor, H::Degraded}));
}

TEST_F(HeartbeatFixture, RecoversAfterTenGoodPulses) {
  silent = {{"w1", Network::Management}};
  periods(15);
  ASSERT_EQ(node->monitor.health("w1"), H::Failed);
  silent.clear();
  periods(9);
  EXPECT_EQ(node->monitor.health("w1"), H::Failed);
  period();
  EXPECT_EQ(node->monitor.health("w1"), H::Ok);
}

TEST_F(HeartbeatFixture, AFlappingHostDoesNotRecoverOnIsolatedAnswers) {
  silent = {{"w1", Network::Management}};
  periods(15);
  for (int i = 0; i < 30; ++i) {
    if (i % 5 == 0) silent.clear(); else silent = {{"w1", Network::Management}};
    period();
  }
  EXPECT_EQ(node->monitor.health("w1"), H::Failed);
}

TEST_F(HeartbeatFixture, TwoHostsLostTogetherIsASwitchFailureNotTwoHostFailures) {
  periods(3);
  silent = {{"w1", Network::Management}, {"w2", Network::Management}};
  periods(30);
  ASSERT_EQ(node->mnfa.size(), 1u);
  EXPECT_TRUE(node->mnfa[0].active);
  EXPECT_EQ(node->mnfa[0].lost_hosts, 2);
  EXPECT_EQ(node->monitor.current_period(), milliseconds(400));
  EXPECT_EQ(node->monitor.health("w1"), H::Degraded);
  EXPECT_EQ(node->monitor.health("w2"), H::Degraded);
  // The switch comes back: MNFA ends, nobody was failed, all recover.
  silent.clear();
  periods(12);
  ASSERT_EQ(node->mnfa.size(), 2u);
  EXPECT_FALSE(node->mnfa[1].active);
  EXPECT_EQ(node->monitor.current_period(), milliseconds(100));
  for (const auto& c : node->changes) EXPECT_NE(c.to, H::Failed) << c.host;
  EXPECT_EQ(node->monitor.health("w1"), H::Ok);
  EXPECT_EQ(node->monitor.health("w2"), H::Ok);
}

TEST_F(HeartbeatFixture, AHostStillSilentWhenMnfaEndsIsFailedThen) {
  silent = {{"w1", Network::Management}, {"w2", Network::Management}, {"w3", Network::Management}};
  periods(20);
  ASSERT_TRUE(node->monitor.mnfa_active(Network::Management));
  silent = {{"w3", Network::Management}};  // two come back, one really is dead
  periods(3);
  EXPECT_FALSE(node->monitor.mnfa_active(Network::Management));
  EXPECT_EQ(node->monitor.health("w3"), H::Failed);
  EXPECT_NE(node->monitor.health("w1"), H::Failed);
}

TEST_F(HeartbeatFixture, RemovedHostsAreNeitherPulsedNorCounted) {
  node->monitor.remove_host("w3");
  env.sent.clear();
  period();
  for (const auto& s : env.sent) EXPECT_NE(s.to, "w3");
}

TEST(HeartbeatConfig, DefaultsAreStarlingXsAndBadKeysAreNamed) {
  const auto c = HeartbeatConfig::from_json(nlohmann::json::object());
  EXPECT_EQ(c.period, milliseconds(100));
  EXPECT_EQ(c.minor_threshold, 4);
  EXPECT_EQ(c.degrade_threshold, 6);
  EXPECT_EQ(c.fail_threshold, 10);
  EXPECT_TRUE(c.may_fail_host(Network::Management));
  EXPECT_FALSE(c.may_fail_host(Network::ClusterHost));
  for (const auto& [bad, key] : std::vector<std::pair<nlohmann::json, std::string>>{
           {{{"period_ms", 50}}, "period_ms"},
           {{{"fail_threshold", 0}}, "fail_threshold"},
           {{{"networks", {"ethernet"}}}, "networks"},
           {{{"minor_threshold", 8}}, "minor <= degrade"}}) {
    try {
      HeartbeatConfig::from_json(bad);
      ADD_FAILURE() << bad.dump();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace roost::mtce
