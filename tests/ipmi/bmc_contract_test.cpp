// Contract: the same node logic (the bmc-script test role: power status, sensors, reset) sees the same
// thing through the hardware seam on the real runtime (an in-process RealRuntime driving ipmi_sim with
// ipmitool) and in the simulation (the BMC twin configured like ipmi_sim): power on, both sensors with
// their values, units, thresholds and statuses, the reset accepted. And on each runtime the reset
// really happened: ipmi_sim's chassis hook recorded it; the twin took the host down and booted it.
#include <gtest/gtest.h>

#include <cstdio>

#include "backends/log_sink.h"
#include "backends/runtime.h"
#include "backends/runtime_config.h"
#include "sim/simulation.h"
#include "tests/ipmi/bmc_script.h"
#include "tests/ipmi/ipmi_sim_lab.h"
#include "tests/support/trace_query.h"
#include "tests/support/lab_layout.h"

namespace roost::testing {
namespace {

using nlohmann::json;

// What the script does, and what the BMC holds: CPU Temp at 80 degrees C (over its upper non-critical
// 75), Fan 1 at 4500 RPM (ok).
const json kSteps = json::array({{{"op", "status"}}, {{"op", "sensors"}}, {{"op", "reset"}}});
constexpr double kCpuTemp = 80, kFanRpm = 4500;

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// One line per thing the script logged, the same whichever runtime's log it comes from.
std::string canonical(const std::string& event, const json& f) {
  if (event == "script.result") {
    std::string s = f.value("op", "?") + (f.value("ok", false) ? " ok" : " error=" + f.value("error", "?"));
    if (f.contains("state")) s += " state=" + f["state"].get<std::string>();
    if (f.contains("sensors")) s += " sensors=" + std::to_string(f["sensors"].get<int>());
    return s;
  }
  std::string s = "sensor \"" + f.value("name", "?") + "\" " + f.value("type", "?") + " " + f.value("status", "?");
  if (f.contains("value")) s += " " + number(f["value"].get<double>()) + " " + f.value("unit", "");
  for (const char* t : {"lnr", "lcr", "lnc", "unc", "ucr", "unr"})
    if (f.contains(t)) s += std::string(" ") + t + "=" + number(f[t].get<double>());
  return s;
}

struct Observation {
  std::vector<std::string> lines;
  bool finished = false;   // the script logged script.done
  bool host_reset = false;  // the reset reached the host
};

Observation on_sim() {
  sim::SimConfig cfg;
  cfg.seed = 5;
  cfg.duration = core::seconds(10);
  sim::SiteSpec site;
  site.name = "lab";
  site.nodes.push_back({{"controller-0", "bmc-script", "lab",
                         {{"bmc", {{"host", "worker-0"}, {"user", "admin"}, {"password", "secret"}}}, {"steps", kSteps}}}});
  sim::SimNodeSpec worker{{"worker-0", "pulse-host", "lab", json::object()}};
  worker.boot_time = core::seconds(3);
  sim::BmcSpec bmc;
  bmc.user = "admin";
  bmc.password = "secret";
  sim::SimSensorSpec temp{"CPU Temp", core::SensorType::Temperature, "", kCpuTemp, {}};
  temp.thresholds.upper_non_critical = 75;
  temp.thresholds.upper_critical = 85;
  temp.thresholds.upper_non_recoverable = 95;
  sim::SimSensorSpec fan{"Fan 1", core::SensorType::Fan, "", kFanRpm, {}};
  fan.thresholds.lower_critical = 1000;
  fan.thresholds.lower_non_critical = 2000;
  bmc.sensors = {temp, fan};
  worker.bmc = bmc;
  site.nodes.push_back(worker);
  cfg.sites.push_back(site);

  const TraceQuery t(sim::run_in_child(cfg, bmc_test_roles()).trace);
  Observation obs;
  for (const auto& r : t.records()) {
    if (r.node != "controller-0") continue;
    if (r.event == "script.done") obs.finished = true;
    if (r.event == "script.result" || r.event == "script.sensor")
      obs.lines.push_back(canonical(r.event, backends::fields_to_json(r.fields)));
  }
  const auto down = t.first("node.down", "sim", {{"node", "worker-0"}, {"reason", "reset"}});
  obs.host_reset = down && t.first("node.up", "sim", {{"node", "worker-0"}});
  return obs;
}

Observation on_real() {
  IpmiSimOptions o;
  o.cpu_temp = kCpuTemp;
  o.fan_rpm = kFanRpm;
  IpmiSimLab bmc(o);
  LabNode controller;
  controller.name = "controller-0";
  controller.role = "bmc-script";
  controller.process = "here";
  controller.config = {{"bmc", endpoint_json(bmc.endpoint("worker-0"))}, {"steps", kSteps}};
  LabLayout layout({controller});
  auto config = backends::parse_runtime_config(layout.config_for("here", {{"level", "debug"}, {"stderr", false}}),
                                               bmc_test_roles());
  std::vector<backends::LogRecord> records;
  backends::LogSink sink(config.log);
  sink.set_tap([&records](const backends::LogRecord& r) { records.push_back(r); });
  Observation obs;
  {
    backends::RealRuntime runtime(config, sink, bmc_test_roles());
    runtime.start();
    runtime.run_until([&] { return std::any_of(records.begin(), records.end(), [](const auto& r) { return r.event == "script.done"; }); },
                      std::chrono::seconds(30));
  }
  for (const auto& r : records) {
    if (r.node != "controller-0") continue;
    if (r.event == "script.done") obs.finished = true;
    if (r.event == "script.result" || r.event == "script.sensor") obs.lines.push_back(canonical(r.event, r.fields));
    if (r.event == "bmc.command")  // the runtime's record of each ipmitool run
      std::printf("[real] %s took %.0f ms\n", r.fields.value("operation", "?").c_str(), r.fields.value("ms", 0.0));
  }
  const auto actions = bmc.actions();
  obs.host_reset = std::find(actions.begin(), actions.end(), "reset 1") != actions.end();
  return obs;
}

class BmcContract : public ::testing::TestWithParam<std::string> {};

TEST_P(BmcContract, StatusSensorsAndResetLookTheSameThroughTheSeam) {
  const Observation obs = GetParam() == "sim" ? on_sim() : on_real();
  ASSERT_TRUE(obs.finished) << GetParam() << ": the script did not finish";
  const std::vector<std::string> expected{
      "status ok state=on",
      "sensor \"CPU Temp\" temperature non-critical 80 degrees C unc=75 ucr=85 unr=95",
      "sensor \"Fan 1\" fan ok 4500 RPM lcr=1000 lnc=2000",
      "sensors ok sensors=2",
      "reset ok",
  };
  EXPECT_EQ(obs.lines, expected) << GetParam();
  EXPECT_TRUE(obs.host_reset) << GetParam() << ": the reset did not reach the host";
}

INSTANTIATE_TEST_SUITE_P(Runtimes, BmcContract, ::testing::Values("sim", "real"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace roost::testing
