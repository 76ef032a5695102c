// Contract: the distributed-cloud audit (platform/dc) on both runtimes. The same fleet (tests/dc/real_fleet_lab.h:
// a system controller of fm + dc-manager, six simplex subclouds of fm + dc-agent, audits every 2 s with a 1 s
// timeout) runs as two roostd processes on loopback and in the simulation. Two subclouds lose their WAN
// (really: nftables drops every packet of their WAN addresses; simulated: site-wan-down) and get it back 6 s
// later. Both runtimes must give the same availability changes and alarms (280.001 raised, cleared) in the
// same order, and detection and recovery times within 10% of each other.
//
// Where the cut lands in the audit cycle decides the detection time (one interval more or less), so the real
// run places it mid-way between the victims' audit slots (the manager audits subcloud i at
// epoch + i * interval / N + k * interval, docs/dc.md) and the simulation replays it at the same offset from
// its manager's epoch.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <variant>

#include "harness/scenario.h"
#include "platform/roles.h"
#include "sim/simulation.h"
#include "tests/dc/real_fleet_lab.h"
#include "tests/support/network_cut.h"

namespace roost::testing {
namespace {

using namespace std::chrono;
using namespace dc_lab;
using nlohmann::json;

constexpr std::size_t kSubclouds = 6;
constexpr double kInterval = 2.0, kTimeout = 1.0;
constexpr double kOutage = 6.0;  // a multiple of the interval: the heal lands at the cut's phase
const std::vector<std::size_t> kVictims{2, 5};

FleetOptions options() {
  FleetOptions o;
  o.subclouds = kSubclouds;
  o.audit_interval_ms = static_cast<int>(kInterval * 1000);
  o.audit_timeout_ms = static_cast<int>(kTimeout * 1000);
  return o;
}

// What both runtimes must agree on: one availability change or alarm change, and when (seconds after the cut).
struct Change {
  std::string what;  // "offline subcloud-0002", "280.001 critical subcloud-0002", ...
  double t = 0;
};

Change change_of(const std::string& event, const json& f, double t) {
  if (event == "dc.availability") return {f.value("availability", "") + " " + f.value("subcloud", ""), t};
  return {f.value("alarm_id", "") + " " + f.value("severity", "") + " " + f.value("subcloud", ""), t};
}

std::string describe(const std::vector<Change>& v) {
  std::string s;
  for (const auto& c : v) s += "  " + std::to_string(c.t) + " s  " + c.what + "\n";
  return s;
}

// The same nodes as a simulation scenario: one site per subcloud (its name), WAN links of 0.05 ms, the two
// outages as site-wan-down faults at the real run's offsets from the manager's start.
sim::SimConfig sim_config(double cut_s, double heal_s) {
  json sites = json::array();
  for (const auto& n : fleet_nodes(options())) {
    json networks = json::array();
    for (auto net : n.networks) networks.push_back(std::string(core::to_string(net)));
    sites.push_back({{"name", n.site},
                     {"nodes", {{{"name", n.name}, {"role", n.role}, {"config", n.config}, {"networks", networks}}}}});
  }
  json faults = json::array();
  for (std::size_t v : kVictims)
    faults.push_back({{"kind", "site-wan-down"}, {"site", subcloud_name(v)}, {"at_s", cut_s}, {"until_s", heal_s}});
  json sc = {{"roost_scenario", 1},
             {"name", "dc-contract"},
             {"seed", 7},
             {"duration_s", heal_s + 2 * kInterval + 1},
             {"defaults", {{"lan", {{"latency_ms", 0.05}}}, {"wan", {{"latency_ms", 0.05}}}}},
             {"sites", sites},
             {"faults", faults}};
  auto loaded = harness::parse_scenario(sc.dump(), "dc-contract", platform::roles());
  if (!loaded.ok()) throw std::runtime_error(loaded.messages().front());
  return loaded.scenario->config;
}

TEST(DcContract, WanOutageOfTwoSubcloudsGivesTheSameChangesOnBothRuntimes) {
  std::string why;
  ASSERT_TRUE(NetworkCut::available(&why)) << "real network cuts need nftables as root: " << why;

  // ---- real
  RealLab lab(fleet_nodes(options()));
  lab.start();
  const LabRecord ready = lab.expect({.event = "dc.ready", .node = std::string(kController)}, seconds(10));
  for (std::size_t i = 1; i <= kSubclouds; ++i)
    lab.expect({.event = "dc.availability", .node = std::string(kController),
                .fields = {{"subcloud", subcloud_name(i)}, {"availability", "online"}}},
               milliseconds(static_cast<int>(2 * kInterval * 1000) + 3000));
  // Mid-way between the victims' slots (2/6 and 5/6 of an interval past each cycle): 0.833 of an interval past
  // a cycle start, at least 300 ms from now.
  const double epoch = ready.wall;
  // Slots are kInterval / kSubclouds = 0.333 s apart: subcloud-0002 at slot 1, subcloud-0005 at slot 4.
  const double phase = 2.5 * kInterval / kSubclouds;  // 0.833 s: 0.5 s after 0002's slot, 0.5 s before 0005's
  double cut_wall = epoch + std::ceil((RealLab::wall_now() + 0.3 - epoch - phase) / kInterval) * kInterval + phase;
  std::this_thread::sleep_for(duration<double>(cut_wall - RealLab::wall_now()));
  NetworkCut cut;
  std::vector<std::string> addresses;
  for (std::size_t v : kVictims) addresses.push_back(lab.address(agent_of(subcloud_name(v)), core::Network::Wan));
  cut_wall = RealLab::wall_now();
  cut.drop(addresses);
  double heal_wall = cut_wall + kOutage;
  std::this_thread::sleep_for(duration<double>(heal_wall - RealLab::wall_now()));
  heal_wall = RealLab::wall_now();
  cut.restore_all();
  for (std::size_t v : kVictims)
    lab.expect({.event = "dc.alarm", .node = std::string(kController),
                .fields = {{"subcloud", subcloud_name(v)}, {"alarm_id", "280.001"}, {"severity", "clear"}},
                .since_wall = heal_wall},
               milliseconds(static_cast<int>(kInterval * 1000) + 3000));
  std::this_thread::sleep_for(milliseconds(300));  // anything else that would follow
  std::vector<Change> real;
  for (const auto& r : lab.records())
    if (r.node == kController && r.wall >= cut_wall && (r.event == "dc.availability" || r.event == "dc.alarm"))
      real.push_back(change_of(r.event, r.fields, r.wall - cut_wall));

  // ---- simulated, the faults at the same offsets from the manager's start
  const double cut_s = cut_wall - epoch, heal_s = heal_wall - epoch;
  const auto result = sim::run_in_child(sim_config(cut_s, heal_s), platform::roles());
  std::vector<Change> simulated;
  for (const auto& t : result.trace) {
    const double at = core::to_seconds(t.t);
    if (t.node != kController || at < cut_s || (t.event != "dc.availability" && t.event != "dc.alarm")) continue;
    json f = json::object();
    for (const auto& field : t.fields) std::visit([&](const auto& v) { f[field.key] = v; }, field.value);
    simulated.push_back(change_of(t.event, f, at - cut_s));
  }

  std::printf("[ contract ] cut %.3f s after the manager's start, healed %.3f s later\n", cut_s, heal_s - cut_s);
  std::printf("[ contract ] real:\n%s[ contract ] simulated:\n%s", describe(real).c_str(), describe(simulated).c_str());
  ASSERT_EQ(real.size(), simulated.size()) << "real:\n" << describe(real) << "simulated:\n" << describe(simulated);
  for (std::size_t i = 0; i < real.size(); ++i) {
    EXPECT_EQ(real[i].what, simulated[i].what) << "change " << i;
    // Detection changes are 3.5-4.5 s after the cut, recoveries 0.5-1.5 s after the heal: 10% of each.
    const bool after_heal = simulated[i].t >= heal_s - cut_s;
    const double base = after_heal ? simulated[i].t - (heal_s - cut_s) : simulated[i].t;
    const double real_base = after_heal ? real[i].t - (heal_wall - cut_wall) : real[i].t;
    EXPECT_NEAR(real_base, base, 0.1 * base) << real[i].what << (after_heal ? " (after the heal)" : " (after the cut)");
  }
  // Both victims went offline with 280.001 and came back.
  for (std::size_t v : kVictims)
    for (const std::string what : {"offline ", "280.001 critical ", "online ", "280.001 clear "})
      EXPECT_TRUE(std::any_of(simulated.begin(), simulated.end(), [&](const Change& c) { return c.what == what + subcloud_name(v); }))
          << what << subcloud_name(v);
}

}  // namespace
}  // namespace roost::testing
