// Contract: the heartbeat monitor behaves the same on the real runtime and in the simulation, in the three
// situations StarlingX's maintenance is built around. One controller heartbeats worker-0 and worker-1 on
// mgmt and cluster-host (100 ms; minor 4, degrade 6, fail 10):
//   A. worker-1 stops (real: SIGKILL of its roostd; sim: host-crash), then starts again;
//   B. only worker-0's cluster-host traffic is cut (real: nftables drops its address), then restored;
//   C. both workers' mgmt traffic is cut at once (a switch failure), then restored.
// Both runtimes must log the same health changes in the same order for each host (and the same MNFA episodes) in each situation, and the
// detection times (A: failed on mgmt, B: degraded on cluster-host, C: MNFA entered) must agree within 10%.
#include <gtest/gtest.h>

#include <thread>

#include "platform/roles.h"
#include "sim/simulation.h"
#include "tests/contract/contract_report.h"
#include "tests/contract/situations.h"
#include "tests/support/network_cut.h"
#include "tests/support/real_lab.h"

namespace roost::contract {
namespace {

using namespace std::chrono;

const std::vector<std::string> kWorkers{"worker-0", "worker-1"};
const nlohmann::json kControllerConfig = {{"hosts", kWorkers}, {"period_ms", 100}};

// Health changes and MNFA entry/exit: "worker-1 mgmt minor", "mnfa_enter mgmt".
std::optional<std::string> describe(const std::string& event, const Fields& f) {
  if (event == "hbs.health") return value(f, "host") + " " + value(f, "network") + " " + value(f, "to");
  if (event == "hbs.mnfa_enter" || event == "hbs.mnfa_exit") return event.substr(4) + " " + value(f, "network");
  return std::nullopt;
}

// Faults half-way between two pulses, so the simulated detection sits mid-range of the real one.
const Schedule kSchedule{.a = 3.05,
                         .b = 11.05,
                         .c = 17.05,
                         .a_down_s = 3,
                         .key_a = "worker-1 mgmt failed",
                         .key_b = "worker-0 cluster-host degraded",
                         .key_c = "mnfa_enter mgmt"};

Observation run_sim() {
  sim::SimConfig cfg;
  cfg.seed = 5;
  cfg.duration = core::seconds(25);
  sim::SiteSpec site;
  site.name = "lab";
  site.lan.latency = core::microseconds(100);
  site.nodes.push_back({{"controller-0", "heartbeat-controller", "lab", kControllerConfig}});
  for (const auto& w : kWorkers) site.nodes.push_back({{w, "pulse-host", "lab", {}}});
  cfg.sites.push_back(site);
  cfg.faults = kSchedule.faults();
  return observe_sim(sim::run_in_child(cfg, platform::roles()), kSchedule, describe);
}

Observation run_real() {
  std::vector<testing::LabNode> nodes{{"controller-0", "heartbeat-controller", "controller-0", kControllerConfig}};
  for (const auto& w : kWorkers) nodes.push_back({w, "pulse-host", w});
  testing::RealLab lab(nodes);
  testing::NetworkCut cut;
  lab.start();
  lab.expect({.event = "hbs.started", .node = "controller-0"}, seconds(5));
  std::this_thread::sleep_for(milliseconds(1500));

  // Waits until every listed (host, network) path has logged its way back to ok since `since`.
  auto back_to_ok = [&](double since, std::vector<std::pair<std::string, std::string>> paths) {
    for (const auto& [host, net] : paths)
      if (!lab.wait_for({.event = "hbs.health", .fields = {{"host", host}, {"network", net}, {"to", "ok"}},
                         .since_wall = since},
                        seconds(5)))
        return false;
    return true;
  };

  RealWaits wait;
  wait.a_detected = [&](double killed) {
    lab.wait_for({.event = "hbs.health", .fields = {{"host", "worker-1"}, {"to", "failed"}}, .since_wall = killed},
                 seconds(4));
  };
  wait.a_recovered = [&](double, double restarted) {
    EXPECT_TRUE(back_to_ok(restarted, {{"worker-1", "mgmt"}, {"worker-1", "cluster-host"}}))
        << "worker-1 did not recover after its restart";
  };
  wait.b_recovered = [&](double healed) {
    EXPECT_TRUE(back_to_ok(healed, {{"worker-0", "cluster-host"}})) << "worker-0's cluster-host did not recover";
  };
  wait.c_recovered = [&](double healed) {
    EXPECT_TRUE(back_to_ok(healed, {{"worker-0", "mgmt"}, {"worker-1", "mgmt"}}))
        << "the workers did not recover after the switch came back";
  };
  return run_real_situations(lab, cut, kSchedule, describe, wait);
}

TEST(HeartbeatContract, SameHealthChangesAndDetectionTimesOnBothRuntimes) {
  std::string why;
  ASSERT_TRUE(testing::NetworkCut::available(&why)) << "real network cuts need nftables as root: " << why;
  const Observation sim = run_sim();
  const Observation real = run_real();
  ASSERT_NO_FATAL_FAILURE(expect_same_situations(sim, real));
  // What each situation must show, whichever runtime: A fails worker-1; B never fails anyone; C enters MNFA
  // and fails nobody.
  EXPECT_TRUE(has(sim.a, "worker-1 mgmt failed"));
  for (const auto* s : {&sim.b, &sim.c})
    for (const auto& e : s->events) EXPECT_EQ(e.find("failed"), std::string::npos) << e;
  EXPECT_TRUE(has(sim.c, "mnfa_exit mgmt"));
}

}  // namespace
}  // namespace roost::contract
