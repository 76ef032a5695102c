// Contract: the heartbeat monitor behaves the same on the real runtime and in the simulation, in the three
// situations StarlingX's maintenance is built around. One controller heartbeats worker-0 and worker-1 on
// mgmt and cluster-host (100 ms; minor 4, degrade 6, fail 10):
//   A. worker-1 stops (real: SIGKILL of its roostd; sim: host-crash), then starts again;
//   B. only worker-0's cluster-host traffic is cut (real: nftables drops its address), then restored;
//   C. both workers' mgmt traffic is cut at once (a switch failure), then restored.
// Both runtimes must log the same health changes in the same order in each situation, and the
// detection times (A: failed on mgmt, B: degraded on cluster-host, C: MNFA entered) must agree within 10%.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "platform/roles.h"
#include "sim/simulation.h"
#include "tests/support/network_cut.h"
#include "tests/support/real_lab.h"

namespace roost::contract {
namespace {

using namespace std::chrono;
using core::Network;

struct Situation {
  std::vector<std::string> events;  // "worker-1 mgmt minor", "mnfa_enter mgmt", ...
  double detection_s = -1;          // fault start -> the situation's key event
};

struct Observation {
  Situation a, b, c;
};

const std::vector<std::string> kWorkers{"worker-0", "worker-1"};
const nlohmann::json kControllerConfig = {{"hosts", kWorkers}, {"period_ms", 100}};

std::string describe(const std::string& event, const std::string& host, const std::string& net,
                     const std::string& to) {
  if (event == "hbs.health") return host + " " + net + " " + to;
  return event.substr(4) + " " + net;  // hbs.mnfa_enter -> "mnfa_enter mgmt"
}

// Adds `event` to `s`, and takes the first occurrence of `key` as the detection time.
void note(Situation& s, const std::string& text, double offset, const std::string& key) {
  s.events.push_back(text);
  if (text == key && s.detection_s < 0) s.detection_s = offset;
}

const char* kKeyA = "worker-1 mgmt failed";
const char* kKeyB = "worker-0 cluster-host degraded";
const char* kKeyC = "mnfa_enter mgmt";

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
  // Faults half-way between two pulses, so the simulated detection sits mid-range of the real one.
  const double ta = 3.05, tb = 11.05, tc = 17.05;
  sim::FaultSpec a{sim::FaultKind::HostCrash, core::at_seconds(ta), core::at_seconds(ta + 3)};
  a.nodes = {"worker-1"};
  sim::FaultSpec b{sim::FaultKind::NetworkDown, core::at_seconds(tb), core::at_seconds(tb + 2)};
  b.nodes = {"worker-0"};
  b.network = Network::ClusterHost;
  sim::FaultSpec c{sim::FaultKind::NetworkDown, core::at_seconds(tc), core::at_seconds(tc + 3)};
  c.nodes = kWorkers;
  c.network = Network::Management;
  cfg.faults = {a, b, c};

  const auto result = sim::run_in_child(cfg, platform::roles());
  Observation obs;
  for (const auto& r : result.trace) {
    if (r.event != "hbs.health" && r.event != "hbs.mnfa_enter" && r.event != "hbs.mnfa_exit") continue;
    std::map<std::string, std::string> f;
    for (const auto& field : r.fields)
      if (auto* s = std::get_if<std::string>(&field.value)) f[field.key] = *s;
    const std::string text = describe(r.event, f["host"], f["network"], f["to"]);
    const double t = core::to_seconds(r.t);
    if (t >= tc) note(obs.c, text, t - tc, kKeyC);
    else if (t >= tb) note(obs.b, text, t - tb, kKeyB);
    else if (t >= ta) note(obs.a, text, t - ta, kKeyA);
  }
  return obs;
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
  auto collect = [&](Situation& s, double from, double to, const std::string& key) {
    for (const auto& r : lab.records()) {
      if (r.wall < from || r.wall >= to) continue;
      if (r.event != "hbs.health" && r.event != "hbs.mnfa_enter" && r.event != "hbs.mnfa_exit") continue;
      note(s, describe(r.event, r.fields.value("host", ""), r.fields.value("network", ""), r.fields.value("to", "")),
           r.wall - from, key);
    }
  };

  Observation obs;
  // A: a host really stops.
  const double ta = testing::RealLab::wall_now();
  lab.kill("worker-1");
  lab.wait_for({.event = "hbs.health", .fields = {{"host", "worker-1"}, {"to", "failed"}}, .since_wall = ta},
               seconds(4));
  std::this_thread::sleep_for(milliseconds(1500));
  const double restart = testing::RealLab::wall_now();
  lab.start("worker-1");
  EXPECT_TRUE(back_to_ok(restart, {{"worker-1", "mgmt"}, {"worker-1", "cluster-host"}})) << "worker-1 did not recover after its restart";
  std::this_thread::sleep_for(milliseconds(300));
  // B: only cluster-host of worker-0 is cut.
  collect(obs.a, ta, testing::RealLab::wall_now(), kKeyA);
  // A cut takes effect when nft commits it, at the end of the call (starting nft takes tens of ms on a
  // loaded machine), so the clock starts when drop() returns.
  cut.drop(lab.address("worker-0", Network::ClusterHost));
  const double tb = testing::RealLab::wall_now();
  std::this_thread::sleep_for(milliseconds(2000));
  const double healed_b = testing::RealLab::wall_now();
  cut.restore_all();
  EXPECT_TRUE(back_to_ok(healed_b, {{"worker-0", "cluster-host"}})) << "worker-0's cluster-host did not recover";
  std::this_thread::sleep_for(milliseconds(300));
  // C: both workers lose mgmt at once.
  collect(obs.b, tb, testing::RealLab::wall_now(), kKeyB);
  cut.drop({lab.address("worker-0", Network::Management), lab.address("worker-1", Network::Management)});
  const double tc = testing::RealLab::wall_now();
  std::this_thread::sleep_for(milliseconds(3000));
  const double healed_c = testing::RealLab::wall_now();
  cut.restore_all();
  EXPECT_TRUE(back_to_ok(healed_c, {{"worker-0", "mgmt"}, {"worker-1", "mgmt"}})) << "the workers did not recover after the switch came back";
  std::this_thread::sleep_for(milliseconds(300));
  collect(obs.c, tc, testing::RealLab::wall_now(), kKeyC);
  return obs;
}

// Recoveries are driven by reply arrival, whose order between hosts is the network's business, not the
// monitor's: a run of consecutive "... ok" events is compared as a set.
std::vector<std::string> canonical(std::vector<std::string> events) {
  auto is_ok = [](const std::string& e) { return e.size() > 3 && e.compare(e.size() - 3, 3, " ok") == 0; };
  for (auto it = events.begin(); it != events.end();) {
    if (!is_ok(*it)) {
      ++it;
      continue;
    }
    auto end = std::find_if_not(it, events.end(), is_ok);
    std::sort(it, end);
    it = end;
  }
  return events;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "  " + s + "\n";
  return out;
}

TEST(HeartbeatContract, SameHealthChangesAndDetectionTimesOnBothRuntimes) {
  std::string why;
  ASSERT_TRUE(testing::NetworkCut::available(&why)) << "real network cuts need nftables as root: " << why;
  const Observation sim = run_sim();
  const Observation real = run_real();

  const std::vector<std::pair<const char*, std::pair<const Situation*, const Situation*>>> situations{
      {"A (host stopped)", {&sim.a, &real.a}},
      {"B (cluster-host cut)", {&sim.b, &real.b}},
      {"C (mgmt of two hosts cut)", {&sim.c, &real.c}}};
  for (const auto& [name, pair] : situations) {
    const auto& [s, r] = pair;
    EXPECT_EQ(canonical(s->events), canonical(r->events)) << name << "\nsim:\n" << join(s->events) << "real:\n" << join(r->events);
    ASSERT_GT(s->detection_s, 0) << name;
    ASSERT_GT(r->detection_s, 0) << name;
    EXPECT_NEAR(r->detection_s, s->detection_s, 0.10 * s->detection_s) << name;
    std::printf("%-28s detection sim %.3f s, real %.3f s (%+.1f%%)\n", name, s->detection_s, r->detection_s,
                100.0 * (r->detection_s - s->detection_s) / s->detection_s);
  }
  // What each situation must show, whichever runtime: A fails worker-1; B never fails anyone; C enters MNFA
  // and fails nobody.
  auto has = [](const Situation& s, const std::string& e) {
    return std::find(s.events.begin(), s.events.end(), e) != s.events.end();
  };
  EXPECT_TRUE(has(sim.a, "worker-1 mgmt failed"));
  for (const auto* s : {&sim.b, &sim.c})
    for (const auto& e : s->events) EXPECT_EQ(e.find("failed"), std::string::npos) << e;
  EXPECT_TRUE(has(sim.c, "mnfa_exit mgmt"));
}

}  // namespace
}  // namespace roost::contract
