// Contract: host maintenance raises the same alarms, in the same order for each host, on the real runtime and in the
// simulation, in the three situations of issue 4's acceptance. A controller (inventory + maintenance +
// heartbeat, role "controller") and an FM node keep worker-0 and worker-1 (role "host-agent") in service:
//   A. worker-1 stops (real: SIGKILL of its roostd; sim: host-crash) and starts again: 200.004 is raised,
//      and cleared when the host has been re-enabled (mtcAlive from the new boot, soak);
//   B. only worker-0's cluster-host traffic is cut (real: nftables), then restored: 200.009 and degrade,
//      never 200.004;
//   C. both workers' mgmt traffic is cut at once: multi-node failure avoidance, 200.005 major for each,
//      never 200.004.
// Events compared: the controller's mtce.alarm records ("worker-1 200.004 critical", "... clear") and
// MNFA entry/exit. Detection (A: 200.004, B: 200.009, C: MNFA entered) must agree within 10%.
#include <gtest/gtest.h>

#include <thread>

#include "platform/roles.h"
#include "sim/simulation.h"
#include "tests/contract/contract_report.h"
#include "tests/contract/situations.h"
#include "tests/support/maintenance_lab.h"
#include "tests/support/network_cut.h"
#include "tests/support/real_lab.h"

namespace roost::contract {
namespace {

using namespace std::chrono;

// The controller's alarms and MNFA entry/exit: "worker-1 200.004 critical", "mnfa_enter mgmt".
std::optional<std::string> describe(const std::string& event, const Fields& f) {
  if (event == "mtce.alarm") return value(f, "host") + " " + value(f, "alarm_id") + " " + value(f, "severity");
  if (event == "hbs.mnfa_enter" || event == "hbs.mnfa_exit") return event.substr(4) + " " + value(f, "network");
  return std::nullopt;
}

const Schedule kSchedule{.a = 5.05,
                         .b = 14.05,
                         .c = 20.05,
                         .a_down_s = 2.6,
                         .key_a = "worker-1 200.004 critical",
                         .key_b = "worker-0 200.009 major",
                         .key_c = "mnfa_enter mgmt"};

testing::MaintenanceLabSpec lab_spec() {
  testing::MaintenanceLabSpec spec;
  spec.workers = 2;
  spec.soak_s = 2;
  return spec;
}

Observation run_sim() {
  auto cfg = testing::maintenance_lab_sim(lab_spec(), 5, core::seconds(30));
  cfg.faults = kSchedule.faults();
  return observe_sim(sim::run_in_child(cfg, platform::roles()), kSchedule, describe);
}

Observation run_real() {
  testing::RealLab lab(testing::maintenance_lab_nodes(lab_spec()));
  testing::NetworkCut cut;
  lab.start();
  for (const auto* w : {"worker-0", "worker-1"})
    lab.expect({.event = "mtce.enabled", .node = "controller-0", .fields = {{"host", w}}}, seconds(10));
  std::this_thread::sleep_for(milliseconds(500));

  // Waits for `host`'s alarm `id` at `severity`, logged since `since`.
  auto alarm_logged = [&](const std::string& host, const std::string& id, const std::string& severity, double since,
                          milliseconds timeout) {
    return lab.wait_for({.event = "mtce.alarm", .node = "controller-0",
                         .fields = {{"host", host}, {"alarm_id", id}, {"severity", severity}}, .since_wall = since},
                        timeout)
        .has_value();
  };
  RealWaits wait;
  wait.a_detected = [&](double killed) {
    EXPECT_TRUE(alarm_logged("worker-1", "200.004", "critical", killed, seconds(4)))
        << "no 200.004 for the stopped worker";
  };
  wait.a_recovered = [&](double killed, double) {
    EXPECT_TRUE(alarm_logged("worker-1", "200.004", "clear", killed, seconds(10)))
        << "worker-1 was not re-enabled after its restart";
  };
  wait.b_recovered = [&](double healed) {
    EXPECT_TRUE(alarm_logged("worker-0", "200.009", "clear", healed, seconds(5)))
        << "worker-0's 200.009 was not cleared";
  };
  wait.c_recovered = [&](double healed) {
    for (const auto* w : {"worker-0", "worker-1"})
      EXPECT_TRUE(alarm_logged(w, "200.005", "clear", healed, seconds(6))) << w << "'s 200.005 was not cleared";
  };
  return run_real_situations(lab, cut, kSchedule, describe, wait);
}

TEST(MaintenanceContract, SameAlarmsInTheSameOrderAndDetectionTimesOnBothRuntimes) {
  std::string why;
  ASSERT_TRUE(testing::NetworkCut::available(&why)) << "real network cuts need nftables as root: " << why;
  const Observation sim = run_sim();
  const Observation real = run_real();
  ASSERT_NO_FATAL_FAILURE(expect_same_situations(sim, real));
  EXPECT_TRUE(has(sim.a, "worker-1 200.004 clear")) << join(sim.a.events);
  EXPECT_TRUE(has(sim.b, "worker-0 200.009 clear")) << join(sim.b.events);
  for (const auto* s : {&sim.b, &sim.c, &real.b, &real.c})
    for (const auto& e : s->events) EXPECT_EQ(e.find("200.004"), std::string::npos) << e;
  EXPECT_TRUE(has(sim.c, "mnfa_exit mgmt"));
}

}  // namespace
}  // namespace roost::contract
