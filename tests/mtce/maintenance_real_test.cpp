// Host maintenance on the real runtime, checked where operators look: the FM's REST API (alarms) and
// the inventory's (host states). Separate roostd processes on loopback; a real BMC (ipmi_sim).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "backends/blocking_http.h"
#include "tests/ipmi/ipmi_sim_lab.h"
#include "tests/mtce/fm_probe.h"
#include "tests/support/maintenance_lab.h"
#include "tests/support/real_lab.h"

namespace roost::testing {
namespace {

using namespace std::chrono;
using core::Network;

struct DataDir {
  DataDir() : path(std::filesystem::temp_directory_path() / ("roost-mtce-" + std::to_string(::getpid()) + "-" +
                                                               std::to_string(counter++))) {
    std::filesystem::create_directories(path);
  }
  ~DataDir() {
    if (!std::getenv("ROOST_KEEP_LAB")) std::filesystem::remove_all(path);
  }
  std::filesystem::path path;
  static inline int counter = 0;
};

RealLab::Options with_data(const DataDir& d) {
  RealLab::Options o;
  o.extra_args = {"--data-dir", d.path.string()};
  return o;
}

nlohmann::json host_of(RealLab& lab, const std::string& host) {
  backends::BlockingHttpClient http(backends::HttpUrl{lab.address("controller-0", Network::Oam), 6385, ""});
  const auto r = http.get("/v1/ihosts/" + host);
  if (r.status != 200) throw std::runtime_error("GET /v1/ihosts/" + host + ": " + std::to_string(r.status) + " " + r.body);
  return nlohmann::json::parse(r.body);
}

template <class F>
bool eventually(F&& ok, milliseconds limit) {
  const auto end = steady_clock::now() + limit;
  while (steady_clock::now() < end) {
    if (ok()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return ok();
}

// Stop a worker with SIGSTOP: it fails (200.004 at the FM, unlocked-disabled-failed in inventory); resumed
// within the graceful recovery window it is re-enabled without a reboot, and 200.004 is cleared.
TEST(MaintenanceReal, StoppedWorkerFailsAndRecoversWhenResumed) {
  DataDir data;
  MaintenanceLabSpec spec;
  spec.workers = 2;
  spec.soak_s = 2;
  RealLab lab(maintenance_lab_nodes(spec), with_data(data));
  lab.start();
  lab.expect({.event = "mtce.enabled", .node = "controller-0", .fields = {{"host", "worker-0"}}}, seconds(10));
  EXPECT_EQ(host_of(lab, "worker-0")["availability"], "available");

  const double t0 = RealLab::wall_now();
  lab.pause("worker-0");
  auto raised = lab.expect({.event = "mtce.alarm", .node = "controller-0",
                            .fields = {{"host", "worker-0"}, {"alarm_id", "200.004"}, {"severity", "critical"}},
                            .since_wall = t0},
                           seconds(4));
  std::printf("SIGSTOP -> 200.004 in %.3f s\n", raised.wall - t0);
  const auto fm_address = lab.address("fm", Network::Oam);
  EXPECT_TRUE(eventually([&] { return has_alarm(active_alarms(fm_address), "200.004", "host=worker-0", "critical"); },
                         seconds(3)))
      << describe(active_alarms(fm_address));
  const auto failed = host_of(lab, "worker-0");
  EXPECT_EQ(failed["administrative"], "unlocked");
  EXPECT_EQ(failed["operational"], "disabled");
  EXPECT_EQ(failed["availability"], "failed");

  lab.resume("worker-0");
  lab.expect({.event = "mtce.enabled", .node = "controller-0", .fields = {{"host", "worker-0"}}, .since_wall = t0},
             seconds(10));
  EXPECT_TRUE(eventually([&] { return !has_alarm(active_alarms(fm_address), "200.004", "host=worker-0"); }, seconds(3)));
  const auto back = host_of(lab, "worker-0");
  EXPECT_EQ(back["operational"], "enabled");
  EXPECT_EQ(back["availability"], "available");
  // Resumed inside the 5 s window: a graceful recovery, no reboot.
  EXPECT_EQ(lab.count({.event = "mtce.recovery", .fields = {{"host", "worker-0"}, {"step", "graceful-recovery"}}}), 1u);
  EXPECT_EQ(lab.count({.event = "node.rebooting"}), 0u);
  // worker-1 was never touched.
  EXPECT_EQ(lab.count({.event = "mtce.failed", .fields = {{"host", "worker-1"}}}), 0u);
}

// The real BMC: maintenance and the hardware monitor reach ipmi_sim. A temperature pushed over its
// critical threshold raises 200.007 (major); a worker that dies and never comes back is reset through the
// BMC after bmc_reset_delay, and ipmi_sim's chassis-control hook records the reset.
TEST(MaintenanceReal, BmcSensorsAndResetOfAFailedHost) {
  IpmiSimLab bmc;
  DataDir data;
  MaintenanceLabSpec spec;
  spec.workers = 1;
  spec.soak_s = 1;
  spec.graceful_recovery_s = 1;
  spec.bmc_reset_delay_s = 2;
  auto nodes = maintenance_lab_nodes(spec);
  for (auto& n : nodes) {
    if (n.name != "controller-0") continue;
    auto& h = n.config["hosts"][0];
    h["bm_type"] = "ipmi";
    h["bm_ip"] = "127.0.0.1";
    h["bm_port"] = bmc.port();
    h["bm_username"] = bmc.endpoint().user;
    h["bm_password"] = bmc.endpoint().password;
    n.config["hwmon"] = {{"audit_period_ms", 1000}, {"first_audit_ms", 200}};
  }
  RealLab lab(nodes, with_data(data));
  lab.start();
  lab.expect({.event = "mtce.enabled", .node = "controller-0", .fields = {{"host", "worker-0"}}}, seconds(10));
  const auto fm_address = lab.address("fm", Network::Oam);

  // Sensors: read through ipmitool; over the critical threshold -> 200.007 major; back -> cleared.
  lab.expect({.event = "hwmon.bmc_access", .node = "controller-0", .fields = {{"host", "worker-0"}, {"ok", true}}},
             seconds(10));
  bmc.set_sensor("cpu_temp", 90);
  const std::string entity_prefix = "host=worker-0.sensor=";
  auto temp_alarm = [&](const std::string& sev) {
    for (const auto& a : active_alarms(fm_address))
      if (a.alarm_id == "200.007" && a.entity_instance_id.rfind(entity_prefix, 0) == 0 && a.severity == sev) return true;
    return false;
  };
  EXPECT_TRUE(eventually([&] { return temp_alarm("major"); }, seconds(8))) << bmc.output();
  EXPECT_TRUE(eventually([&] { return host_of(lab, "worker-0")["availability"] == "degraded"; }, seconds(3)))
      << "a major sensor alarm degrades the host";
  bmc.set_sensor("cpu_temp", 45);
  EXPECT_TRUE(eventually([&] { return !temp_alarm("major"); }, seconds(8)));
  EXPECT_TRUE(eventually([&] { return host_of(lab, "worker-0")["availability"] == "available"; }, seconds(3)));

  // A host that dies for good: failed, reboot request (unanswered), BMC power query, then reset.
  lab.kill("worker-0");
  lab.expect({.event = "mtce.alarm", .node = "controller-0",
              .fields = {{"host", "worker-0"}, {"alarm_id", "200.004"}, {"severity", "critical"}}},
             seconds(4));
  lab.expect({.event = "mtce.recovery", .node = "controller-0",
              .fields = {{"host", "worker-0"}, {"step", "power-query"}, {"power", "on"}}},
             seconds(8));
  lab.expect({.event = "mtce.recovery", .node = "controller-0",
              .fields = {{"host", "worker-0"}, {"step", "bmc-reset-answer"}, {"ok", true}}},
             seconds(12));
  bool reset_recorded = false;
  for (const auto& a : bmc.actions())
    if (a.rfind("reset", 0) == 0) reset_recorded = true;
  EXPECT_TRUE(reset_recorded) << "chassis-control hook saw no reset";
  EXPECT_TRUE(has_alarm(active_alarms(fm_address), "200.004", "host=worker-0", "critical"));
}

}  // namespace
}  // namespace roost::testing
