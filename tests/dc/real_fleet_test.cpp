// The real fleet (issue 6, acceptance "Real fleet test"): a system controller (roostd process
// "system-controller": composite node of fm + dc-manager) and 200 simplex subclouds (each a composite of fm +
// dc-agent) hosted in ONE roostd process ("fleet") on loopback (tests/dc/real_fleet_lab.h). The dc-manager
// audits every agent over real HTTP calls on the WAN network, every 2 s with a 1 s timeout.
//   1. all 200 come online;
//   2. 10 of them are stopped through the fleet roostd's admin API (their sockets close; the process and the
//      other 190 run on): exactly those 10 go offline with 280.001 (critical, entity subcloud=<name>) on the
//      system controller's FM, each within two audit intervals plus the request timeout of its stop;
//   3. they are started again: back online, 280.001 cleared, and no other subcloud ever left online.
// Checked where an operator looks: the dc-manager's REST API (/v1.0/subclouds) and FM's (/v1/alarms); the
// detection times are taken from the processes' own log records (node.stopped in the fleet, dc.availability
// in the system controller) and printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/dc/real_fleet_lab.h"

namespace roost::testing {
namespace {

using namespace std::chrono;
using namespace dc_lab;

constexpr std::size_t kSubclouds = 200;
constexpr int kIntervalMs = 2000;
constexpr int kTimeoutMs = 1000;
constexpr double kDetectionBoundS = (2.0 * kIntervalMs + kTimeoutMs) / 1000.0;

// A loopback address outside every LabLayout's range (127.16-250.x.y), random per run so that concurrent
// runs do not collide, and a random port: where the fleet roostd serves its admin API.
std::pair<std::string, std::uint16_t> random_admin_endpoint() {
  std::random_device rd;
  std::mt19937 gen(rd());
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); };
  return {"127." + std::to_string(pick(2, 15)) + "." + std::to_string(pick(0, 255)) + "." + std::to_string(pick(1, 254)),
          static_cast<std::uint16_t>(pick(20000, 60000))};
}

class RealFleet {
 public:
  RealFleet() : admin(random_admin_endpoint()), lab(fleet_nodes(options()), lab_options(admin)) {
    oam = lab.address(kController, core::Network::Oam);
  }

  static FleetOptions options() {
    FleetOptions o;
    o.subclouds = kSubclouds;
    o.audit_interval_ms = kIntervalMs;
    o.audit_timeout_ms = kTimeoutMs;
    return o;
  }
  static RealLab::Options lab_options(const std::pair<std::string, std::uint16_t>& admin) {
    RealLab::Options lo;
    lo.ready_timeout = milliseconds(30000);
    lo.process_args["fleet"] = {"--admin", admin.first + ":" + std::to_string(admin.second)};
    return lo;
  }

  // name -> availability-status, from the dc-manager's REST API.
  std::map<std::string, std::string> availability() {
    const auto r = http_json(oam, kDcRestPort, "GET", "/v1.0/subclouds");
    EXPECT_EQ(r.status, 200) << r.error;
    std::map<std::string, std::string> out;
    for (const auto& s : r.body.value("subclouds", nlohmann::json::array()))
      out[s.value("name", "")] = s.value("availability-status", "");
    return out;
  }
  // entity -> severity of every active 280.001 on the system controller's FM.
  std::map<std::string, std::string> offline_alarms() {
    const auto r = http_json(oam, kFmRestPort, "GET", "/v1/alarms?limit=1000&q.field=alarm_id&q.op=eq&q.value=280.001");
    EXPECT_EQ(r.status, 200) << r.error << " " << r.body.dump();
    std::map<std::string, std::string> out;
    for (const auto& a : r.body.value("alarms", nlohmann::json::array()))
      if (a.value("alarm_id", "") == "280.001") out[a.value("entity_instance_id", "")] = a.value("severity", "");
    return out;
  }
  nlohmann::json admin_post(const std::string& node, const std::string& verb) {
    const auto r = http_json(admin.first, admin.second, "POST", "/v1/nodes/" + node + "/" + verb);
    EXPECT_EQ(r.status, 200) << verb << " " << node << ": " << r.error << " " << r.body.dump();
    return r.body;
  }
  // Polls `done` every 100 ms until it holds or `limit` passes.
  static bool eventually(const std::function<bool()>& done, milliseconds limit) {
    const auto end = steady_clock::now() + limit;
    while (!done()) {
      if (steady_clock::now() >= end) return done();
      std::this_thread::sleep_for(milliseconds(100));
    }
    return true;
  }
  // The first dc.availability record of `subcloud` with `availability`, logged at or after `since`.
  std::optional<LabRecord> availability_record(const std::string& subcloud, const std::string& availability, double since) {
    auto found = lab.find({.event = "dc.availability",
                           .node = std::string(kController),
                           .fields = {{"subcloud", subcloud}, {"availability", availability}},
                           .since_wall = since});
    if (found.empty()) return std::nullopt;
    return found.front();
  }

  std::pair<std::string, std::uint16_t> admin;
  RealLab lab;
  std::string oam;
};

std::string summary(const std::vector<double>& v) {
  if (v.empty()) return "none";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  char buf[128];
  std::snprintf(buf, sizeof buf, "min %.3f s, mean %.3f s, max %.3f s", *lo, sum / v.size(), *hi);
  return buf;
}

TEST(DcRealFleet, TenStoppedSubcloudsOfTwoHundredGoOfflineWith280001AndComeBack) {
  RealFleet f;
  const auto started = steady_clock::now();
  f.lab.start();
  const double ready_s = duration<double>(steady_clock::now() - started).count();

  // 1. Every subcloud comes online (the first audit of each is within the first interval).
  std::map<std::string, std::string> avail;
  const bool all_online = RealFleet::eventually(
      [&] {
        avail = f.availability();
        return avail.size() == kSubclouds &&
               std::all_of(avail.begin(), avail.end(), [](const auto& kv) { return kv.second == "online"; });
      },
      milliseconds(3 * kIntervalMs + 10000));
  const double online_s = duration<double>(steady_clock::now() - started).count();
  std::size_t online = 0;
  for (const auto& [_, a] : avail) online += a == "online";
  ASSERT_TRUE(all_online) << online << " of " << avail.size() << " subclouds online after " << online_s << " s";
  std::printf("[ fleet    ] %zu subclouds in one roostd: processes ready after %.2f s, all online after %.2f s\n",
              kSubclouds, ready_s, online_s);
  EXPECT_TRUE(f.offline_alarms().empty());

  // 2. Stop 10 of them (spread over the fleet, so over the audit slots).
  std::vector<std::string> victims;
  for (std::size_t k = 0; k < 10; ++k) victims.push_back(subcloud_name(13 + 19 * k));
  const std::set<std::string> victim_set(victims.begin(), victims.end());
  const double stop_wall = RealLab::wall_now();
  for (const auto& s : victims) {
    const auto answer = f.admin_post(agent_of(s), "stop");
    EXPECT_EQ(answer.value("state", ""), "down") << answer.dump();
  }
  // When each node actually stopped: the fleet's own node.stopped record.
  std::map<std::string, double> stopped_at;
  for (const auto& s : victims)
    stopped_at[s] = f.lab.expect({.event = "node.stopped", .node = agent_of(s), .since_wall = stop_wall}, seconds(5)).wall;

  std::map<std::string, double> offline_at;
  ASSERT_TRUE(RealFleet::eventually(
      [&] {
        for (const auto& s : victims)
          if (!offline_at.count(s))
            if (auto r = f.availability_record(s, "offline", stop_wall)) offline_at[s] = r->wall;
        return offline_at.size() == victims.size();
      },
      milliseconds(static_cast<int>(kDetectionBoundS * 1000) + 5000)))
      << offline_at.size() << " of 10 stopped subclouds went offline";

  std::vector<double> detection;
  for (const auto& s : victims) {
    const double d = offline_at[s] - stopped_at[s];
    detection.push_back(d);
    EXPECT_LE(d, kDetectionBoundS) << s << " went offline " << d << " s after its stop (bound: two audit intervals "
                                   << "plus the request timeout = " << kDetectionBoundS << " s)";
    EXPECT_GT(d, 0) << s;
  }
  std::printf("[ fleet    ] detection (stop -> offline, 280.001) of the 10: %s (bound %.1f s)\n",
              summary(detection).c_str(), kDetectionBoundS);
  for (const auto& s : victims) std::printf("[ fleet    ]   %s %.3f s\n", s.c_str(), offline_at[s] - stopped_at[s]);

  // Exactly those 10 are offline, and each has its 280.001 (critical) on the system controller's FM.
  avail = f.availability();
  for (const auto& [name, a] : avail)
    EXPECT_EQ(a, victim_set.count(name) ? "offline" : "online") << name;
  std::map<std::string, std::string> alarms;
  ASSERT_TRUE(RealFleet::eventually([&] { return (alarms = f.offline_alarms()).size() >= victims.size(); }, seconds(5)))
      << alarms.size() << " alarms 280.001";
  std::map<std::string, std::string> expected;
  for (const auto& s : victims) expected["subcloud=" + s] = "critical";
  EXPECT_EQ(alarms, expected);

  // 3. Start them again: online at their next audit, 280.001 cleared.
  const double start_wall = RealLab::wall_now();
  for (const auto& s : victims) {
    const auto answer = f.admin_post(agent_of(s), "start");
    EXPECT_EQ(answer.value("state", ""), "up") << answer.dump();
    EXPECT_EQ(answer.value("incarnation", 0), 2) << answer.dump();
  }
  std::map<std::string, double> online_at;
  ASSERT_TRUE(RealFleet::eventually(
      [&] {
        for (const auto& s : victims)
          if (!online_at.count(s))
            if (auto r = f.availability_record(s, "online", start_wall)) online_at[s] = r->wall;
        return online_at.size() == victims.size();
      },
      milliseconds(2 * kIntervalMs + 5000)))
      << online_at.size() << " of 10 restarted subclouds came back online";
  std::vector<double> recovery;
  for (const auto& s : victims) {
    recovery.push_back(online_at[s] - start_wall);
    EXPECT_LE(online_at[s] - start_wall, (kIntervalMs + kTimeoutMs) / 1000.0) << s << ": back online at its next audit";
  }
  std::printf("[ fleet    ] recovery (start -> online, 280.001 cleared) of the 10: %s\n", summary(recovery).c_str());

  EXPECT_TRUE(RealFleet::eventually([&] { return f.offline_alarms().empty(); }, seconds(5)))
      << "280.001 still active: " << nlohmann::json(f.offline_alarms()).dump();
  avail = f.availability();
  EXPECT_EQ(avail.size(), kSubclouds);
  for (const auto& [name, a] : avail) EXPECT_EQ(a, "online") << name;

  // No other subcloud ever went offline, and each victim exactly once.
  std::map<std::string, int> offline_records;
  for (const auto& r : f.lab.find({.event = "dc.availability", .node = std::string(kController),
                                   .fields = {{"availability", "offline"}}}))
    ++offline_records[r.fields.value("subcloud", "")];
  std::map<std::string, int> expected_records;
  for (const auto& s : victims) expected_records[s] = 1;
  EXPECT_EQ(offline_records, expected_records);
  std::printf("[ fleet    ] whole run %.1f s\n", duration<double>(steady_clock::now() - started).count());
}

}  // namespace
}  // namespace roost::testing
