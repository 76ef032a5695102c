#include <gtest/gtest.h>

#include "platform/mtce/pulse.h"
#include "tests/unit/manual_env.h"

namespace roost::mtce {
namespace {

using core::milliseconds;

struct PulseFixture : ::testing::Test {
  testing::ManualEnv env{"controller-0"};
  std::unique_ptr<PulseMonitor> monitor;

  void SetUp() override {
    nlohmann::json cfg = {{"hosts", {"w0", "w1"}}, {"period_ms", 100}, {"miss_threshold", 10}};
    monitor = std::make_unique<PulseMonitor>(env, core::NodeSpec{"controller-0", "pulse-controller", "lab", cfg});
    monitor->start();
  }
  // Answer every pulse sent so far, except those to `silent`.
  void answer_all_but(const std::string& silent) {
    for (const auto& s : env.sent) {
      if (s.to == silent) continue;
      Pulse p;
      ASSERT_FALSE(core::decode(s.msg.body, p));
      monitor->deliver({s.to, s.net}, core::envelope(PulseReply{p.seq}));
    }
    env.sent.clear();
  }
  void run_periods(int n, const std::string& silent) {
    for (int i = 0; i < n; ++i) {
      answer_all_but(silent);
      env.advance(milliseconds(100));
    }
  }
};

TEST_F(PulseFixture, HealthyHostsAreNeverLost) {
  run_periods(100, "");
  EXPECT_TRUE(env.logger.with_event("pulse.host_lost").empty());
}

TEST_F(PulseFixture, LossDeclaredAfterExactlyKMisses) {
  run_periods(5, "");
  const auto silent_from = env.now();
  int periods = 0;
  while (env.logger.with_event("pulse.host_lost").empty() && periods < 50) {
    run_periods(1, "w1");
    ++periods;
  }
  auto lost = env.logger.with_event("pulse.host_lost");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(std::get<std::string>(lost[0].fields[0].value), "w1");
  const auto detection = env.now() - silent_from;
  EXPECT_GE(detection, milliseconds(1000));
  EXPECT_LE(detection, milliseconds(1100));
  // One declaration, not one per extra miss.
  run_periods(20, "w1");
  EXPECT_EQ(env.logger.with_event("pulse.host_lost").size(), 1u);
  // Back on the first good pulse.
  run_periods(2, "");
  EXPECT_EQ(env.logger.with_event("pulse.host_recovered").size(), 1u);
}

TEST_F(PulseFixture, LateRepliesToOldPulsesDoNotCount) {
  run_periods(1, "");
  // w0 only answers pulse 1, again and again: not a sign of life for later pulses.
  for (int i = 0; i < 15; ++i) {
    env.sent.clear();
    monitor->deliver({"w0", core::Network::Management}, core::envelope(PulseReply{1}));
    env.advance(milliseconds(100));
  }
  EXPECT_EQ(env.logger.with_event("pulse.host_lost").size(), 2u);  // both hosts silent
}

TEST(PulseConfig, RejectsBadConfigWithTheKeyName) {
  EXPECT_THROW(PulseConfig::from_json({{"hosts", "w0"}}), std::invalid_argument);
  try {
    PulseConfig::from_json({{"hosts", {"w0"}}, {"miss_threshold", 0}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("miss_threshold"), std::string::npos);
  }
  EXPECT_THROW(PulseConfig::from_json({{"hosts", {"w0"}}, {"network", "ethernet"}}), std::invalid_argument);
}

}  // namespace
}  // namespace roost::mtce
