// The HA lab (harness/ha_lab.h): a schedule becomes a scenario file that validates, and comes back from it
// unchanged; schedules outside the lab's ranges are refused with the reason.
#include <gtest/gtest.h>

#include "harness/fault_kinds.h"
#include "harness/ha_lab.h"
#include "platform/roles.h"

namespace roost::harness {
namespace {

using namespace std::chrono_literals;

sim::FaultSpec fault(sim::FaultKind kind, double at, std::optional<double> until, std::vector<std::string> nodes) {
  sim::FaultSpec f;
  f.kind = kind;
  f.at = core::at_seconds(at);
  if (until) f.until = core::at_seconds(*until);
  f.nodes = std::move(nodes);
  return f;
}

HaSchedule sample() {
  HaSchedule s;
  s.seed = 77;
  s.mode = HaMode::Safety;
  s.hello = 150ms;
  s.dead = 750ms;
  s.fail_pending = 1200ms;
  s.faults.push_back(fault(sim::FaultKind::HostCrash, 12.3, 20, {"controller-0"}));
  auto cut = fault(sim::FaultKind::NetworkDown, 25, std::nullopt, {"controller-1"});
  cut.network = core::Network::ClusterHost;
  cut.label = "cut";
  s.faults.push_back(cut);
  auto part = fault(sim::FaultKind::Partition, 30, 41.5, {});
  part.groups = {{"controller-0", "storage-0"}, {"controller-1"}};
  s.faults.push_back(part);
  auto loss = fault(sim::FaultKind::MessageLoss, 45, 47, {"controller-0", "controller-1"});
  loss.fraction = 0.6;
  s.faults.push_back(loss);
  auto delay = fault(sim::FaultKind::MessageDelay, 50, 52.5, {"controller-1"});
  delay.fraction = 1.0;
  delay.delay = 300ms;
  delay.network = core::Network::Management;
  s.faults.push_back(delay);
  s.faults.push_back(fault(sim::FaultKind::HostRestart, 55, std::nullopt, {"controller-1"}));
  s.swacts = {{35s, false}, {58s, true}};
  return s;
}

TEST(HaLab, AScheduleRoundTripsThroughItsScenarioFile) {
  const HaSchedule s = sample();
  const Scenario scenario = ha_lab_scenario(s, platform::roles(), "round-trip");
  EXPECT_EQ(scenario.ha_check, HaMode::Safety);
  EXPECT_EQ(scenario.config.seed, 77u);
  EXPECT_EQ(scenario.config.duration, ha_lab::kDuration);
  ASSERT_EQ(scenario.config.sites.size(), 1u);
  EXPECT_EQ(scenario.config.sites[0].floating, std::vector<std::string>{"controller"});
  const HaSchedule back = ha_schedule_from_scenario(scenario);
  EXPECT_EQ(back.seed, s.seed);
  EXPECT_EQ(back.mode, s.mode);
  EXPECT_EQ(back.hello, s.hello);
  EXPECT_EQ(back.dead, s.dead);
  EXPECT_EQ(back.fail_pending, s.fail_pending);
  EXPECT_EQ(back.swacts, s.swacts);
  ASSERT_EQ(back.faults.size(), s.faults.size());
  for (std::size_t i = 0; i < s.faults.size(); ++i) EXPECT_EQ(fault_json(back.faults[i]), fault_json(s.faults[i])) << i;
  EXPECT_EQ(back.faults[0].at, core::at_seconds(12.3));
  // The checker reads the same timers the controllers run with.
  const auto t = ha_timers(scenario.config);
  EXPECT_EQ(t.hello, 150ms);
  EXPECT_EQ(t.dead, 750ms);
  EXPECT_EQ(t.fail_pending, 1200ms);
  EXPECT_EQ(t.initial_wait, ha_lab::kInitialWait);
}

TEST(HaLab, TheScenarioFileNamesTheLabAndTheCheck) {
  const auto j = ha_scenario_json(sample(), "lab-77");
  EXPECT_EQ(j["name"], "lab-77");
  EXPECT_EQ(j["ha_check"], (nlohmann::json{{"mode", "safety"}}));
  EXPECT_EQ(j["faults"][1], (nlohmann::json{{"kind", "network-down"},
                                             {"at_s", 25.0},
                                             {"label", "cut"},
                                             {"nodes", {"controller-1"}},
                                             {"network", "cluster-host"}}));
  const auto& nodes = j["sites"][0]["nodes"];
  ASSERT_EQ(nodes.size(), 6u);
  EXPECT_EQ(nodes[0]["role"], "sm-controller");
  EXPECT_EQ(nodes[0]["config"]["peer"], "controller-1");
  EXPECT_EQ(nodes[1]["config"]["peer"], "controller-0");
  EXPECT_EQ(nodes[0]["config"]["storage_witness"], "storage-0");
  EXPECT_EQ(nodes[5]["config"]["swacts"], (nlohmann::json{{{"at_ms", 35000}, {"force", false}},
                                                          {{"at_ms", 58000}, {"force", true}}}));
  EXPECT_NE(j["description"].get<std::string>().find("seed 77, safety, hello 150 ms"), std::string::npos) << j["description"];
}

TEST(HaLab, SchedulesOutsideTheLabsRangesAreRefused) {
  auto error = [](const HaSchedule& s) {
    try {
      validate_schedule(s);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error(sample()), "accepted");
  auto s = sample();
  s.hello = 50ms;
  EXPECT_EQ(error(s), "HA schedule: hello 50 ms is outside [100 ms, 300 ms]");
  s = sample();
  s.dead = 1000ms;
  EXPECT_EQ(error(s), "HA schedule: dead 1000 ms is not 3 to 6 hellos of 150 ms");
  s = sample();
  s.fail_pending = 100ms;
  EXPECT_EQ(error(s), "HA schedule: fail_pending 100 ms is outside [400 ms, 2000 ms]");
  s = sample();
  s.faults[0].at = core::at_seconds(5);
  EXPECT_EQ(error(s), "HA schedule: fault 0 (host-crash controller-0) starts outside [10 s, 60 s)");
  s = sample();
  s.mode = HaMode::Liveness;
  EXPECT_EQ(error(s), "HA schedule: fault 1 (network-down \"cut\") does not heal by 60 s, as liveness mode needs");
  s = sample();
  s.faults[0].nodes = {"controller-9"};
  EXPECT_EQ(error(s), "HA schedule: fault 0 (host-crash controller-9) names \"controller-9\", not a lab node");
  s = sample();
  s.swacts.push_back({70s, false});
  EXPECT_EQ(error(s), "HA schedule: a swact at 70000 ms is outside [10 s, 60 s)");
}

TEST(HaLab, AScenarioWithoutTheLabIsNoSchedule) {
  Scenario s = ha_lab_scenario(sample(), platform::roles());
  s.ha_check.reset();
  EXPECT_THROW(ha_schedule_from_scenario(s), std::invalid_argument);
  s = ha_lab_scenario(sample(), platform::roles());
  s.config.sites[0].nodes.pop_back();  // the probe
  try {
    ha_schedule_from_scenario(s);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "not an HA lab scenario: no node \"probe\"");
  }
}

}  // namespace
}  // namespace roost::harness
