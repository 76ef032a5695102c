// End to end through the simulated runtime: the quickstart scenario runs (in a child process, since
// SimGrid allows one simulation per process) and meets its expectations; a scenario that expects the
// impossible fails with the observed value in its result.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/result.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "platform/roles.h"

namespace roost::harness {
namespace {

const std::filesystem::path kSource = ROOST_SOURCE_DIR;

RunOutput run_file(const std::filesystem::path& file) {
  auto loaded = load_scenario(file, platform::roles());
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.messages()[0]);
  RunOptions options;
  options.in_child_process = true;
  return run_scenario(*loaded.scenario, platform::roles(), options);
}

TEST(Run, QuickstartMeetsItsExpectations) {
  const RunOutput run = run_file(kSource / "scenarios/quickstart.json");
  const auto result = result_json(run);
  for (const auto& e : result["expectations"])
    EXPECT_TRUE(e["passed"].get<bool>()) << e["description"] << ": " << e["observed_text"];
  EXPECT_TRUE(run.passed());
  EXPECT_EQ(run.sim.trace_hash.size(), 64u);
  EXPECT_DOUBLE_EQ(run.sim.stats.sim_seconds, 45.0);
  // The controller ticks every 100 ms for 45 s; each tick pulses four hosts, and the answers come back,
  // except while worker-1 is down (~13 s) or cut off (5 s) and the odd loss: about 3,200 messages.
  EXPECT_GE(run.sim.stats.timer_events, 440u);
  EXPECT_GE(run.sim.stats.local_messages, 2 * (4 * 440u - 200u));
  // Samples arrive about every 1% of the run, at increasing simulated times.
  ASSERT_GE(run.samples.size(), 50u);
  for (std::size_t i = 1; i < run.samples.size(); ++i)
    EXPECT_GE(run.samples[i].sim_seconds, run.samples[i - 1].sim_seconds);
  EXPECT_GT(run.peak_rss_mb, 0.0);
  // Both detections are in the report's latency table: 10 missed pulses, 0.9 s if a pulse just before the
  // fault was lost.
  ASSERT_EQ(result["detection_latencies"].size(), 2u);
  for (const auto& d : result["detection_latencies"]) {
    EXPECT_GE(d["min_s"].get<double>(), 0.9);
    EXPECT_LE(d["max_s"].get<double>(), 1.2);
  }
}

TEST(Run, AnImpossibleExpectationFailsWithWhatWasSeen) {
  const RunOutput run = run_file(kSource / "tests/scenarios/failing/too-fast.json");
  ASSERT_EQ(run.outcomes.size(), 1u);
  EXPECT_FALSE(run.passed());
  EXPECT_EQ(run.outcomes[0].count, 0u);
  ASSERT_TRUE(run.outcomes[0].first_delay_s.has_value()) << "the loss is still detected, only later";
  EXPECT_GE(*run.outcomes[0].first_delay_s, 0.9);
}

}  // namespace
}  // namespace roost::harness
