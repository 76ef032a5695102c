// A node's "bmc" object in scenario files: read into sim::BmcSpec, every mistake reported at its JSON
// path, and a scenario with a BMC run end to end through the harness.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "harness/result.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "tests/ipmi/bmc_script.h"

namespace roost::harness {
namespace {

const std::filesystem::path kScenarios = std::filesystem::path(ROOST_IPMI_TEST_DIR) / "scenarios";

// A one-node scenario whose node has the given "bmc" object.
std::string with_bmc(const std::string& bmc) {
  return R"({"roost_scenario": 1, "name": "b", "duration_s": 10, "sites": [{"name": "lab", "nodes": [
            {"name": "worker-0", "role": "pulse-host", "bmc": )" +
         bmc + "}]}]}";
}

std::vector<std::string> errors(const std::string& bmc) {
  return parse_scenario(with_bmc(bmc), "b.json", testing::bmc_test_roles()).messages();
}

bool has(const std::vector<std::string>& messages, const std::string& text) {
  return std::any_of(messages.begin(), messages.end(), [&](const auto& m) { return m == text; });
}

std::string joined(const std::vector<std::string>& messages) {
  std::string s;
  for (const auto& m : messages) s += m + "\n";
  return s;
}

TEST(BmcScenario, TheShippedExampleReadsIntoABmcSpec) {
  const auto loaded = load_scenario(kScenarios / "bmc-lab.json", testing::bmc_test_roles());
  ASSERT_TRUE(loaded.ok()) << joined(loaded.messages());
  const auto& worker = loaded.scenario->config.sites[0].nodes[1];
  ASSERT_TRUE(worker.bmc);
  const sim::BmcSpec& b = *worker.bmc;
  EXPECT_EQ(b.user, "admin");
  EXPECT_EQ(b.latency, core::milliseconds(250));
  EXPECT_EQ(b.unreachable_after, core::seconds(3));
  ASSERT_TRUE(b.boot);
  EXPECT_EQ(b.boot->mode_s, 6);
  ASSERT_EQ(b.sensors.size(), 3u);
  EXPECT_EQ(b.sensors[0].type, core::SensorType::Temperature);
  EXPECT_EQ(b.sensors[0].thresholds.upper_critical, 85);
  EXPECT_EQ(b.sensors[1].unit, "RPM");
  EXPECT_FALSE(b.sensors[2].value) << "\"unavailable\"";
  ASSERT_EQ(b.changes.size(), 3u);
  EXPECT_EQ(b.changes[1].at, core::at_seconds(6));
  EXPECT_EQ(b.changes[1].value, 240);
  ASSERT_EQ(b.unreachable.size(), 1u);
  EXPECT_EQ(b.unreachable[0].until, core::at_seconds(28));
  EXPECT_FALSE(loaded.scenario->config.sites[0].nodes[0].bmc) << "a node without \"bmc\" has none";
}

TEST(BmcScenario, EveryMistakeIsReportedAtItsPath) {
  const auto e = errors(R"({
      "latncy_ms": 5, "boot_s": {"min": 5, "mode": 3, "max": 9}, "cycle_off_s": -1,
      "sensors": [{"name": "T", "type": "thermal", "value": "hot"},
                  {"name": "T", "type": "fan", "value": 1,
                   "thresholds": {"lower_critical": 500, "lower_non_critical": 400, "upper_criticl": 9}}],
      "changes": [{"at_s": 12, "sensor": "T", "value": 3}, {"at_s": 1, "sensor": "U", "value": 3}],
      "unreachable": [{"at_s": 5, "until_s": 4}]})");
  const std::string p = "b.json: $.sites[0].nodes[0].bmc";
  EXPECT_TRUE(has(e, p + ".latncy_ms: unknown field (did you mean \"latency_ms\"?)")) << joined(e);
  EXPECT_TRUE(has(e, p + ".boot_s: needs min <= mode <= max (got 5, 3, 9)")) << joined(e);
  EXPECT_TRUE(has(e, p + ".cycle_off_s: must not be negative (got -1)")) << joined(e);
  EXPECT_TRUE(has(e, p + ".sensors[0].type: unknown sensor type \"thermal\"; one of: temperature, fan, voltage, "
                         "current, power, other"))
      << joined(e);
  EXPECT_TRUE(has(e, p + ".sensors[0].value: expected a number or \"unavailable\", got \"hot\"")) << joined(e);
  EXPECT_TRUE(has(e, p + ".sensors[1].name: duplicate sensor \"T\" (also at $.sites[0].nodes[0].bmc.sensors[0])"))
      << joined(e);
  EXPECT_TRUE(has(e, p + ".sensors[1].thresholds.lower_non_critical: must not be below lower_critical (400 < 500)"))
      << joined(e);
  EXPECT_TRUE(has(e, p + ".sensors[1].thresholds.upper_criticl: unknown field (did you mean \"upper_critical\"?)"))
      << joined(e);
  EXPECT_TRUE(has(e, p + ".changes[0].at_s: 12 s is not before the end of the run (duration_s 10)")) << joined(e);
  EXPECT_TRUE(has(e, p + ".changes[1].sensor: no sensor named \"U\" (did you mean \"T\"?) in this BMC's \"sensors\""))
      << joined(e);
  EXPECT_TRUE(has(e, p + ".unreachable[0].until_s: must be after at_s (4 <= 5)")) << joined(e);
}

TEST(BmcScenario, RequiredFieldsAndTypes) {
  const auto e = errors(R"({"sensors": [{"name": "T"}], "changes": [{"sensor": "T"}], "unreachable": [{}],
                            "user": 7})");
  const std::string p = "b.json: $.sites[0].nodes[0].bmc";
  EXPECT_TRUE(has(e, p + ".sensors[0]: missing required field \"type\"")) << joined(e);
  EXPECT_TRUE(has(e, p + ".sensors[0]: missing required field \"value\"")) << joined(e);
  EXPECT_TRUE(has(e, p + ".changes[0]: missing required field \"at_s\"")) << joined(e);
  EXPECT_TRUE(has(e, p + ".unreachable[0]: missing required field \"at_s\"")) << joined(e);
  EXPECT_TRUE(has(e, p + ".user: expected a string, got integer")) << joined(e);
  EXPECT_TRUE(has(errors("[]"), "b.json: $.sites[0].nodes[0].bmc: expected an object, got array"));
}

TEST(BmcScenario, AScenarioWithABmcRunsAndMeetsItsExpectations) {
  const auto loaded = load_scenario(kScenarios / "bmc-lab.json", testing::bmc_test_roles());
  ASSERT_TRUE(loaded.ok()) << joined(loaded.messages());
  RunOptions options;
  options.in_child_process = true;
  const RunOutput run = run_scenario(*loaded.scenario, testing::bmc_test_roles(), options);
  const auto result = result_json(run);
  for (const auto& e : result["expectations"])
    EXPECT_TRUE(e["passed"].get<bool>()) << e["description"] << ": " << e["observed_text"];
}

}  // namespace
}  // namespace roost::harness
