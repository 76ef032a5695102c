// The simulated BMC twin (sim/simulated_bmc.h, sim/sim_hardware.h): power actions take the host down and
// boot it, sensors follow the scenario, unreachable windows, credentials, locality, and the Env rules
// (a crashed caller never hears; the answer comes before the effect). Every run is a child process.
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/simulation.h"
#include "tests/ipmi/bmc_script.h"
#include "tests/support/trace_query.h"

namespace roost::testing {
namespace {

using core::SensorType;

sim::SimSensorSpec sensor(std::string name, SensorType type, double value, core::SensorThresholds t) {
  sim::SimSensorSpec s;
  s.name = std::move(name);
  s.type = type;
  s.value = value;
  s.thresholds = t;
  return s;
}

// The same BMC as tests/ipmi's ipmi_sim: CPU Temp (upper 75/85/95), Fan 1 (lower 2000/1000).
sim::BmcSpec lab_bmc(double temp = 80, double fan = 4500) {
  sim::BmcSpec b;
  b.user = "admin";
  b.password = "secret";
  core::SensorThresholds hot, slow;
  hot.upper_non_critical = 75;
  hot.upper_critical = 85;
  hot.upper_non_recoverable = 95;
  slow.lower_non_critical = 2000;
  slow.lower_critical = 1000;
  b.sensors = {sensor("CPU Temp", SensorType::Temperature, temp, hot), sensor("Fan 1", SensorType::Fan, fan, slow)};
  return b;
}

sim::SimNodeSpec node(std::string name, std::string role, nlohmann::json config = nlohmann::json::object()) {
  sim::SimNodeSpec n;
  n.node = {std::move(name), std::move(role), "", std::move(config)};
  return n;
}

nlohmann::json script(const std::string& host, nlohmann::json steps, std::string password = "secret") {
  return {{"bmc", {{"host", host}, {"user", "admin"}, {"password", password}}}, {"steps", std::move(steps)}};
}

// One site "lab": a script node driving worker-0's BMC, plus `extra` nodes.
sim::SimConfig lab(nlohmann::json steps, sim::BmcSpec bmc = lab_bmc(), std::vector<sim::SimNodeSpec> extra = {}) {
  sim::SimConfig cfg;
  cfg.seed = 7;
  cfg.duration = core::seconds(20);
  sim::SiteSpec site;
  site.name = "lab";
  site.nodes.push_back(node("controller-0", "bmc-script", script("worker-0", std::move(steps))));
  auto worker = node("worker-0", "pulse-host");
  worker.boot_time = core::seconds(4);
  worker.bmc = std::move(bmc);
  site.nodes.push_back(std::move(worker));
  for (auto& n : extra) site.nodes.push_back(std::move(n));
  cfg.sites.push_back(std::move(site));
  return cfg;
}

TraceQuery run(const sim::SimConfig& cfg) { return TraceQuery(sim::run_in_child(cfg, bmc_test_roles()).trace); }

TEST(SimBmc, StatusAndSensorsAreAnsweredAfterTheLatencyAsConfigured) {
  const auto t = run(lab({{{"op", "status"}}, {{"op", "sensors"}}}));
  const auto results = t.all("script.result", "controller-0");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(t.text(results[0], "state"), "on");
  EXPECT_DOUBLE_EQ(t.seconds(results[0]), 0.1);
  EXPECT_DOUBLE_EQ(t.seconds(results[1]), 0.2) << "one operation at a time: the second starts when the first ends";
  const auto sensors = t.all("script.sensor", "controller-0");
  ASSERT_EQ(sensors.size(), 2u);
  EXPECT_EQ(t.text(sensors[0], "name"), "CPU Temp");
  EXPECT_EQ(t.text(sensors[0], "type"), "temperature");
  EXPECT_EQ(t.text(sensors[0], "unit"), "degrees C");
  EXPECT_EQ(t.number(sensors[0], "value"), 80);
  EXPECT_EQ(t.text(sensors[0], "status"), "non-critical");
  EXPECT_EQ(t.number(sensors[0], "unr"), 95);
  EXPECT_EQ(t.text(sensors[1], "unit"), "RPM");
  EXPECT_EQ(t.text(sensors[1], "status"), "ok");
  EXPECT_EQ(t.number(sensors[1], "lcr"), 1000);
}

TEST(SimBmc, PowerOffTakesTheHostDownAndPowerOnBootsItAfterATriangularBootTime) {
  auto bmc = lab_bmc();
  bmc.boot = sim::TriangularSpec{2, 3, 5};
  const auto t = run(lab({{{"op", "power-off"}}, {{"op", "status"}}, {{"op", "power-on"}}, {{"op", "status"}}}, bmc));
  const auto down = t.first("node.down", "sim", {{"node", "worker-0"}});
  ASSERT_TRUE(down);
  EXPECT_EQ(t.text(*down, "reason"), "power-off");
  EXPECT_DOUBLE_EQ(t.seconds(*down), 0.05) << "when the request reaches the BMC: half the 100 ms latency";
  const auto results = t.all("script.result", "controller-0");
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(t.text(results[1], "state"), "off");
  EXPECT_EQ(t.text(results[3], "state"), "on") << "the power is on while the host boots";
  const auto up = t.first("node.up", "sim", {{"node", "worker-0"}});
  ASSERT_TRUE(up);
  const double boot = t.seconds(*up) - 0.25;  // power-on started at 0.2 s, reached the BMC at 0.25 s
  EXPECT_GE(boot, 2.0);
  EXPECT_LE(boot, 5.0);
  const auto power = t.all("bmc.power", "sim");
  ASSERT_EQ(power.size(), 2u);
  EXPECT_EQ(t.text(power[0], "action"), "power-off");
  EXPECT_EQ(t.text(power[0], "by"), "controller-0");
}

TEST(SimBmc, TheBootTimeIsDrawnFromTheSeedReproducibly) {
  auto bmc = lab_bmc();
  bmc.boot = sim::TriangularSpec{2, 3, 5};
  auto cfg = lab({{{"op", "reset"}}}, bmc);
  const auto a = sim::run_in_child(cfg, bmc_test_roles());
  const auto b = sim::run_in_child(cfg, bmc_test_roles());
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  cfg.seed = 8;
  const auto c = sim::run_in_child(cfg, bmc_test_roles());
  const auto up = [](const sim::SimResult& r) { return TraceQuery(r.trace).first("node.up", "sim")->t; };
  EXPECT_NE(up(a), up(c)) << "another seed draws another boot time";
}

TEST(SimBmc, ResetRebootsAPoweredHostAndLeavesThePowerOn) {
  const auto t = run(lab({{{"op", "reset"}}, {{"op", "status"}}}));
  const auto down = t.first("node.down", "sim", {{"node", "worker-0"}});
  const auto up = t.first("node.up", "sim", {{"node", "worker-0"}});
  ASSERT_TRUE(down && up);
  EXPECT_EQ(t.text(*down, "reason"), "reset");
  EXPECT_DOUBLE_EQ(t.seconds(*up) - t.seconds(*down), 4.0) << "the node's boot_s without a boot distribution";
  EXPECT_EQ(t.text(t.all("script.result", "controller-0").at(1), "state"), "on");
}

TEST(SimBmc, ResetOfAPoweredOffHostDoesNothing) {
  const auto t = run(lab({{{"op", "power-off"}}, {{"op", "reset"}}, {{"op", "status"}}}));
  EXPECT_EQ(t.all("node.down", "sim").size(), 1u);
  EXPECT_FALSE(t.first("node.up", "sim"));
  EXPECT_EQ(t.text(t.all("script.result", "controller-0").at(2), "state"), "off");
}

TEST(SimBmc, APowerCycleKeepsThePowerOffForCycleOffThenBoots) {
  auto bmc = lab_bmc();
  bmc.cycle_off = core::seconds(2);
  const auto t = run(lab({{{"op", "power-cycle"}}, {{"op", "status"}, {"after_s", 1}}, {{"op", "status"}, {"after_s", 2}}}, bmc));
  const auto down = t.first("node.down", "sim", {{"node", "worker-0"}});
  const auto up = t.first("node.up", "sim", {{"node", "worker-0"}});
  ASSERT_TRUE(down && up);
  EXPECT_EQ(t.text(*down, "reason"), "power-cycle");
  EXPECT_DOUBLE_EQ(t.seconds(*up) - t.seconds(*down), 2.0 + 4.0);
  const auto results = t.all("script.result", "controller-0");
  EXPECT_EQ(t.text(results.at(1), "state"), "off");  // read at 1.15 s
  EXPECT_EQ(t.text(results.at(2), "state"), "on");   // read at 3.25 s; the power came back at 2.05 s
}

TEST(SimBmc, SensorReadingsFollowTheScheduleAndCrossThresholds) {
  auto bmc = lab_bmc(45);
  bmc.changes = {{core::at_seconds(1), "CPU Temp", 90.0}, {core::at_seconds(2), "Fan 1", std::nullopt}};
  const auto t = run(lab({{{"op", "sensors"}}, {{"op", "sensors"}, {"after_s", 1.5}}, {{"op", "sensors"}, {"after_s", 1}}}, bmc));
  const auto changes = t.all("bmc.sensor", "sim");
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_DOUBLE_EQ(t.seconds(changes[0]), 1.0);
  EXPECT_EQ(t.text(changes[0], "status"), "critical");
  EXPECT_EQ(t.text(changes[1], "status"), "unavailable");
  const auto temp = t.all("script.sensor", "controller-0", {{"name", "CPU Temp"}});
  ASSERT_EQ(temp.size(), 3u);
  EXPECT_EQ(t.text(temp[0], "status"), "ok");
  EXPECT_EQ(t.text(temp[1], "status"), "critical");
  const auto fan = t.all("script.sensor", "controller-0", {{"name", "Fan 1"}});
  ASSERT_EQ(fan.size(), 3u);
  EXPECT_EQ(t.text(fan[2], "status"), "unavailable");
  EXPECT_FALSE(t.has(fan[2], "value"));
}

TEST(SimBmc, AnUnreachableWindowFailsOperationsAfterUnreachableAfter) {
  auto bmc = lab_bmc();
  bmc.unreachable = {{core::at_seconds(1), core::at_seconds(3)}};
  bmc.unreachable_after = core::seconds(2);
  const auto t = run(lab({{{"op", "status"}, {"after_s", 1.2}}, {{"op", "status"}}}, bmc));
  const auto results = t.all("script.result", "controller-0");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(t.text(results[0], "error"), "unreachable");
  EXPECT_DOUBLE_EQ(t.seconds(results[0]), 3.2);
  EXPECT_TRUE(t.flag(results[1], "ok")) << "asked at 3.2 s, after the window";
}

TEST(SimBmc, WrongCredentialsAreAnAuthErrorAndStrangersAreUnreachable) {
  sim::SimConfig cfg = lab({{{"op", "status"}}}, lab_bmc(),
                           {node("wrong-password", "bmc-script", script("worker-0", {{{"op", "status"}}}, "guess")),
                            node("asks-nobody", "bmc-script", script("nobody", {{{"op", "status"}}})),
                            node("asks-no-bmc", "bmc-script", script("worker-1", {{{"op", "status"}}})),
                            node("asks-far", "bmc-script", script("far-0", {{{"op", "status"}}})),
                            node("worker-1", "pulse-host")});
  sim::SiteSpec far;
  far.name = "far";
  auto far0 = node("far-0", "pulse-host");
  far0.bmc = lab_bmc();
  far.nodes.push_back(far0);
  cfg.sites.push_back(far);
  const auto t = run(cfg);
  auto result = [&](const std::string& n) { return t.all("script.result", n).at(0); };
  EXPECT_EQ(t.text(result("wrong-password"), "error"), "auth");
  EXPECT_DOUBLE_EQ(t.seconds(result("wrong-password")), 0.1);
  for (const char* n : {"asks-nobody", "asks-no-bmc", "asks-far"}) {
    EXPECT_EQ(t.text(result(n), "error"), "unreachable") << n;
    EXPECT_DOUBLE_EQ(t.seconds(result(n)), 6.0) << n << ": ipmitool's retries with the real backend's defaults";
  }
  EXPECT_NE(t.text(result("asks-far"), "detail").find("another site"), std::string::npos);
}

TEST(SimBmc, ANodeResettingItsOwnHostGoesDownBeforeItHearsTheAnswer) {
  sim::SimConfig cfg;
  cfg.duration = core::seconds(3);
  sim::SiteSpec site;
  site.name = "lab";
  auto self = node("worker-0", "bmc-script", script("worker-0", {{{"op", "reset"}}}));
  self.bmc = lab_bmc();
  self.boot_time = core::seconds(10);
  site.nodes.push_back(self);
  cfg.sites.push_back(site);
  const auto t = run(cfg);
  const auto down = t.first("node.down", "sim", {{"node", "worker-0"}});
  ASSERT_TRUE(down);
  EXPECT_EQ(t.text(*down, "reason"), "reset");
  EXPECT_DOUBLE_EQ(t.seconds(*down), 0.05);
  EXPECT_TRUE(t.all("script.result").empty()) << "the answer was due at 0.1 s, to an incarnation gone at 0.05 s";
}

TEST(SimBmc, ACrashedCallerNeverHearsButTheBmcStillActs) {
  auto bmc = lab_bmc();
  bmc.latency = core::seconds(1);
  auto cfg = lab({{{"op", "power-off"}}}, bmc);
  sim::FaultSpec crash;
  crash.kind = sim::FaultKind::HostCrash;
  crash.at = core::at_seconds(0.3);
  crash.nodes = {"controller-0"};
  cfg.faults.push_back(crash);
  const auto t = run(cfg);
  EXPECT_TRUE(t.all("script.result").empty());
  const auto down = t.first("node.down", "sim", {{"node", "worker-0"}});
  ASSERT_TRUE(down);
  EXPECT_DOUBLE_EQ(t.seconds(*down), 0.5) << "the request reached the BMC at half the 1 s latency";
}

TEST(SimBmc, PowerOnDoesNotReviveAHostHungWithItsPowerOn) {
  auto cfg = lab({{{"op", "power-on"}, {"after_s", 0.5}}, {{"op", "status"}}});
  sim::FaultSpec crash;
  crash.kind = sim::FaultKind::HostCrash;
  crash.at = core::at_seconds(0.1);
  crash.nodes = {"worker-0"};
  cfg.faults.push_back(crash);
  const auto t = run(cfg);
  const auto results = t.all("script.result", "controller-0");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(t.flag(results[0], "ok"));
  EXPECT_EQ(t.text(results[1], "state"), "on");
  EXPECT_FALSE(t.first("node.up", "sim")) << "only a reset or a power cycle brings it back";
}

}  // namespace
}  // namespace roost::testing

namespace roost::testing {
namespace {

TEST(SimBmcConfig, TheSimulationRefusesAnInconsistentBmcSpec) {
  auto expect_refused = [](sim::BmcSpec b, const std::string& why) {
    try {
      sim::Simulation s(lab({{{"op", "status"}}}, std::move(b)), bmc_test_roles());
      ADD_FAILURE() << "accepted; expected: " << why;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  auto b = lab_bmc();
  b.changes = {{core::at_seconds(1), "GPU Temp", 1.0}};
  expect_refused(b, "node 'worker-0' bmc: a change names unknown sensor 'GPU Temp'");
  b = lab_bmc();
  b.sensors[0].thresholds.upper_critical = 70;  // below upper non-critical (75)
  expect_refused(b, "sensor 'CPU Temp': thresholds must rise");
  b = lab_bmc();
  b.boot = sim::TriangularSpec{5, 3, 9};
  expect_refused(b, "boot needs 0 <= min <= mode <= max");
  b = lab_bmc();
  b.unreachable = {{core::at_seconds(4), core::at_seconds(2)}};
  expect_refused(b, "an unreachable window ends before it starts");
  b = lab_bmc();
  b.sensors.push_back(b.sensors[0]);
  expect_refused(b, "duplicate sensor 'CPU Temp'");
}

}  // namespace
}  // namespace roost::testing
