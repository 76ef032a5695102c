// The fleet generator ("fleet" in a scenario, harness/fleet.h): exact counts and layout, determinism from the
// seed, the fault schedule, errors with their JSON paths; the fleet's metrics on a synthetic trace and on a
// real run; and two runs of the same fleet giving the same trace and result.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "harness/fleet.h"
#include "harness/result.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "platform/roles.h"

namespace roost::harness {
namespace {

using nlohmann::json;

const std::filesystem::path kSource = ROOST_SOURCE_DIR;

json fleet_1000() {
  return json::parse(R"({
    "subclouds": 1000,
    "mix": {"simplex": 0.70, "duplex": 0.25, "standard": 0.05},
    "workers_per_standard": 2,
    "regions": 10,
    "wan": {"latency_ms": {"min": 5, "mode": 20, "max": 120}, "bandwidth_mbps": {"min": 20, "mode": 100, "max": 1000}},
    "boot_s": {"min": 60, "mode": 90, "max": 180},
    "faults": [{"kind": "regional-outage", "region": "region-03", "at_s": 1200, "until_s": 1800, "label": "regional outage"}],
    "random_faults": [{"kind": "host-crash", "rate_per_hour": 20, "duration_s": {"min": 60, "mode": 120, "max": 300}}]
  })");
}

const sim::SimNodeSpec* find_node(const sim::SimConfig& c, const std::string& name) {
  for (const auto& s : c.sites)
    for (const auto& n : s.nodes)
      if (n.node.name == name) return &n;
  return nullptr;
}

// Everything the generator decides, as one string: equal strings, equal fleets.
std::string fingerprint(const sim::SimConfig& c) {
  std::string out;
  for (const auto& s : c.sites) {
    out += s.name + " wan " + std::to_string(s.wan.latency.count()) + "/" + std::to_string(s.wan.bandwidth_bps) + "\n";
    for (const auto& n : s.nodes)
      out += n.node.name + " " + n.node.role + " boot " + std::to_string(n.boot_time.count()) + " " + n.node.config.dump() + "\n";
  }
  for (const auto& f : c.faults) out += f.label + " " + std::to_string(f.at.time_since_epoch().count()) + "\n";
  return out;
}

TEST(FleetGenerator, ExactMixAndLayout) {
  sim::SimConfig config;
  const FleetPlan plan = generate_fleet(fleet_1000(), 7, 3600, config);
  EXPECT_EQ(plan.type_counts, (std::array<std::size_t, 3>{700, 250, 50}));
  ASSERT_EQ(config.sites.size(), 1001u);
  EXPECT_EQ(plan.node_count, 1u + 700 + 250 * 2 + 50 * 4);
  EXPECT_EQ(config.sites[0].name, "system-controller");
  EXPECT_EQ(config.sites[1].name, "subcloud-0001");
  EXPECT_EQ(config.sites[1000].name, "subcloud-1000");

  // The system controller: fm + dc-manager auditing every subcloud, each by its agent.
  const auto* manager = find_node(config, "system-controller.controller-0");
  ASSERT_NE(manager, nullptr);
  EXPECT_EQ(manager->node.role, "composite");
  const json& parts = manager->node.config["parts"];
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0]["role"], "fm");
  EXPECT_EQ(parts[1]["role"], "dc-manager");
  const json& entries = parts[1]["config"]["subclouds"];
  ASSERT_EQ(entries.size(), 1000u);
  EXPECT_EQ(parts[1]["config"]["audit_interval_ms"], 30000);
  EXPECT_EQ(parts[1]["config"]["offline_after"], 2);

  std::map<std::string, std::size_t> per_region;
  std::set<std::string> subnets;
  for (std::size_t i = 0; i < plan.subclouds.size(); ++i) {
    const Subcloud& s = plan.subclouds[i];
    const sim::SiteSpec& site = config.sites[i + 1];
    ASSERT_EQ(site.name, s.name);
    EXPECT_EQ(entries[i]["name"], s.name);
    EXPECT_EQ(entries[i]["agent"], s.agent());
    EXPECT_EQ(entries[i]["region-name"], plan.regions[s.region]);
    subnets.insert(entries[i]["management-subnet"].get<std::string>());
    ++per_region[plan.regions[s.region]];
    switch (s.type) {
      case SubcloudType::Simplex: {
        ASSERT_EQ(site.nodes.size(), 1u);
        EXPECT_TRUE(site.floating.empty());
        const json& p = site.nodes[0].node.config["parts"];
        std::vector<std::string> roles;
        for (const auto& part : p) roles.push_back(part["role"]);
        EXPECT_EQ(roles, (std::vector<std::string>{"fm", "controller", "host-agent", "dc-agent"}));
        EXPECT_EQ(p[1]["config"]["maintenance"]["heartbeat"]["period_ms"], 100);
        EXPECT_EQ(p[1]["config"]["hosts"][0]["hostname"], s.controller(0));
        EXPECT_EQ(entries[i]["agent"], s.controller(0));
        break;
      }
      case SubcloudType::Duplex:
      case SubcloudType::Standard: {
        const std::size_t workers = s.type == SubcloudType::Standard ? 2 : 0;
        ASSERT_EQ(site.nodes.size(), 2 + workers);
        EXPECT_EQ(site.floating, std::vector<std::string>{s.name + ".controller"});
        const json& sm = site.nodes[0].node.config["parts"][0]["config"];
        EXPECT_EQ(sm["peer"], s.controller(1));
        EXPECT_EQ(sm["floating"], s.floating());
        EXPECT_EQ(sm["services"]["dc"]["role"], "dc-agent");
        EXPECT_EQ(sm["services"]["mtce"]["hosts"].size(), 2 + workers);
        EXPECT_EQ(sm["witnesses"].size(), workers);
        EXPECT_EQ(site.nodes[1].node.config["parts"][0]["config"]["peer"], s.controller(0));
        for (std::size_t w = 0; w < workers; ++w) {
          EXPECT_EQ(site.nodes[2 + w].node.role, "host-agent");
          EXPECT_EQ(site.nodes[2 + w].networks.size(), 2u);  // mgmt, cluster-host: no WAN
        }
        EXPECT_EQ(entries[i]["agent"], s.floating());
        break;
      }
    }
    // WAN and boot times drawn from their distributions.
    EXPECT_GE(site.wan.latency, core::milliseconds(5));
    EXPECT_LE(site.wan.latency, core::milliseconds(120));
    EXPECT_GE(site.wan.bandwidth_bps, 20e6);
    EXPECT_LE(site.wan.bandwidth_bps, 1000e6);
    for (const auto& n : site.nodes) {
      EXPECT_GE(n.boot_time, core::seconds(60));
      EXPECT_LE(n.boot_time, core::seconds(180));
    }
  }
  EXPECT_EQ(subnets.size(), 1000u) << "every subcloud has its own management subnet";
  ASSERT_EQ(per_region.size(), 10u);
  for (const auto& [region, n] : per_region) EXPECT_EQ(n, 100u) << region;
}

TEST(FleetGenerator, CountsAreExactForAnyN) {
  // Largest remainder: 7 x (0.5, 0.3, 0.2) = 3.5, 2.1, 1.4 -> 3, 2, 1 and the spare one to simplex;
  // 3 x (0.5, 0.3, 0.2) = 1.5, 0.9, 0.6 -> 1, 0, 0 and the spare two to duplex and standard.
  for (auto [n, want] : std::vector<std::pair<int, std::array<std::size_t, 3>>>{
           {7, {4, 2, 1}}, {1, {1, 0, 0}}, {3, {1, 1, 1}}, {20, {10, 6, 4}}}) {
    sim::SimConfig config;
    json j = {{"subclouds", n}, {"mix", {{"simplex", 0.5}, {"duplex", 0.3}, {"standard", 0.2}}}};
    const FleetPlan plan = generate_fleet(j, 1, 60, config);
    EXPECT_EQ(plan.type_counts, want) << n;
    EXPECT_EQ(plan.subclouds.size(), static_cast<std::size_t>(n));
  }
}

TEST(FleetGenerator, SameSeedSameFleetOtherSeedAnother) {
  sim::SimConfig a, b, c;
  generate_fleet(fleet_1000(), 42, 3600, a);
  generate_fleet(fleet_1000(), 42, 3600, b);
  generate_fleet(fleet_1000(), 43, 3600, c);
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  EXPECT_NE(fingerprint(a), fingerprint(c));
  // "seed" in the fleet overrides the scenario's.
  json j = fleet_1000();
  j["seed"] = 42;
  sim::SimConfig d;
  generate_fleet(j, 999, 3600, d);
  EXPECT_EQ(fingerprint(a), fingerprint(d));
}

// `roost sim run --seed` reaches the generator: another seed, another fleet; a fleet's own "seed" pins it.
TEST(FleetGenerator, SeedGivenToTheLoaderRegeneratesTheFleet) {
  json doc = {{"roost_scenario", 1}, {"name", "seeded"}, {"seed", 5}, {"duration_s", 600}, {"fleet", fleet_1000()}};
  doc["fleet"]["subclouds"] = 20;
  doc["fleet"]["faults"] = json::array();
  const auto load = [](const json& d, std::optional<std::uint64_t> seed) {
    auto r = parse_scenario(d.dump(), "seeded.json", platform::roles(), seed);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.messages().front());
    return r.ok() ? fingerprint(r.scenario->config) : std::string();
  };
  const std::string as_written = load(doc, std::nullopt);
  EXPECT_EQ(load(doc, 5), as_written);
  EXPECT_NE(load(doc, 6), as_written);
  doc["fleet"]["seed"] = 5;
  EXPECT_EQ(load(doc, 6), as_written);
}

TEST(FleetGenerator, FaultSchedule) {
  sim::SimConfig config;
  const FleetPlan plan = generate_fleet(fleet_1000(), 3, 3600, config);
  ASSERT_EQ(config.faults.size(), plan.instances.size());
  std::size_t regional = 0, random = 0;
  std::map<std::uint32_t, std::vector<std::pair<double, double>>> windows;
  for (const auto& i : plan.instances) {
    const sim::FaultSpec& f = config.faults[i.sim_fault];
    const Subcloud& s = plan.subclouds[i.subcloud];
    ASSERT_TRUE(f.until.has_value());
    windows[i.subcloud].emplace_back(core::to_seconds(f.at), core::to_seconds(*f.until));
    if (i.kind == FleetFaultKind::RegionalOutage) {
      ++regional;
      EXPECT_EQ(f.kind, sim::FaultKind::SiteWanDown);
      EXPECT_EQ(f.site, s.name);
      EXPECT_EQ(plan.regions[s.region], "region-03");
      EXPECT_EQ(f.at, core::at_seconds(1200));
      EXPECT_EQ(i.source, "regional outage");
    } else {
      ++random;
      EXPECT_EQ(i.kind, FleetFaultKind::HostCrash);
      EXPECT_EQ(f.kind, sim::FaultKind::HostCrash);
      ASSERT_EQ(f.nodes.size(), 1u);
      const auto hosts = s.hosts();
      EXPECT_NE(std::find(hosts.begin(), hosts.end(), f.nodes[0]), hosts.end());
      // The fleet settles first (boot max 180 s, two audits and a timeout), and every random fault's subcloud
      // settles again before the end: each has a detection and a recovery to measure.
      const double settle = 180 + core::to_seconds(2 * plan.audit_interval + plan.audit_timeout);
      EXPECT_GE(core::to_seconds(f.at), settle) << "a random fault begins once the fleet has settled";
      EXPECT_LE(core::to_seconds(*f.until) + settle, 3600.0) << "a random fault's subcloud settles before the end";
      EXPECT_GE(*f.until - f.at, core::seconds(60));
      EXPECT_LE(*f.until - f.at, core::seconds(300));
    }
  }
  EXPECT_EQ(regional, 100u);
  // 20 an hour: a Poisson count, so loosely.
  EXPECT_GE(random, 5u);
  EXPECT_LE(random, 45u);
  // No two faults hold the same subcloud at once (random ones avoid the others).
  for (auto& [s, w] : windows) {
    std::sort(w.begin(), w.end());
    for (std::size_t k = 1; k < w.size(); ++k) EXPECT_LE(w[k - 1].second, w[k].first) << plan.subclouds[s].name;
  }
}

TEST(FleetGenerator, FaultKindsBecomeSimulationFaults) {
  sim::SimConfig config;
  const json j = json::parse(R"({
    "subclouds": 10, "mix": {"simplex": 0.5, "duplex": 0.3, "standard": 0.2},
    "faults": [
      {"kind": "site-power-loss", "count": 2, "at_s": 10, "until_s": 20},
      {"kind": "site-wan-outage", "subclouds": ["subcloud-0001", "subcloud-0002"], "at_s": 30},
      {"kind": "controller-failover", "count": 3, "at_s": 40, "until_s": 50},
      {"kind": "regional-outage", "count": 4, "at_s": 60, "until_s": 70}
    ]})");
  const FleetPlan plan = generate_fleet(j, 5, 100, config);
  std::map<FleetFaultKind, std::size_t> n;
  for (const auto& i : plan.instances) {
    ++n[i.kind];
    const sim::FaultSpec& f = config.faults[i.sim_fault];
    const Subcloud& s = plan.subclouds[i.subcloud];
    switch (i.kind) {
      case FleetFaultKind::SitePowerLoss:
        EXPECT_EQ(f.kind, sim::FaultKind::HostCrash);
        EXPECT_EQ(f.nodes, s.hosts());
        break;
      case FleetFaultKind::ControllerFailover:
        EXPECT_NE(s.type, SubcloudType::Simplex);
        EXPECT_EQ(f.nodes, std::vector<std::string>{s.controller(0)});
        break;
      default:
        EXPECT_EQ(f.kind, sim::FaultKind::SiteWanDown);
        EXPECT_EQ(f.site, s.name);
    }
  }
  EXPECT_EQ(n[FleetFaultKind::SitePowerLoss], 2u);
  EXPECT_EQ(n[FleetFaultKind::SiteWanOutage], 2u);
  EXPECT_EQ(n[FleetFaultKind::ControllerFailover], 3u);
  EXPECT_EQ(n[FleetFaultKind::RegionalOutage], 4u);
  EXPECT_FALSE(config.faults[2].until.has_value()) << "a WAN outage without until_s lasts to the end";
}

TEST(FleetGenerator, TenThousandSubcloudsInSeconds) {
  json j = fleet_1000();
  j["subclouds"] = 10000;
  const auto start = std::chrono::steady_clock::now();
  sim::SimConfig config;
  const FleetPlan plan = generate_fleet(j, 1, 3600, config);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(plan.subclouds.size(), 10000u);
  EXPECT_EQ(plan.type_counts, (std::array<std::size_t, 3>{7000, 2500, 500}));
  EXPECT_EQ(config.sites.back().name, "subcloud-10000");
  EXPECT_LT(s, 10.0) << "generating 10,000 subclouds took " << s << " s";
}

// ---- errors, through the scenario parser (paths as an author sees them) ------------------------------

std::vector<std::string> errors_of(const json& fleet, const json& expect = json::array()) {
  json doc = {{"roost_scenario", 1}, {"name", "t"}, {"duration_s", 100}, {"fleet", fleet}, {"expect", expect}};
  const auto loaded = parse_scenario(doc.dump(), "t.json", platform::roles());
  std::vector<std::string> out;
  for (const auto& e : loaded.errors) out.push_back(e.path + ": " + e.message);
  return out;
}

bool has(const std::vector<std::string>& errors, const std::string& text) {
  return std::any_of(errors.begin(), errors.end(), [&](const std::string& e) { return e.find(text) != std::string::npos; });
}

std::string all(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

TEST(FleetErrors, NameTheirPath) {
  auto e = errors_of({{"subclouds", 0}});
  EXPECT_TRUE(has(e, "$.fleet.subclouds: must be within [1, 60000] (got 0)")) << all(e);

  e = errors_of({{"subclouds", 10}, {"mix", {{"simplex", 0.5}, {"duplex", 0.3}}}});
  EXPECT_TRUE(has(e, "$.fleet.mix: the fractions must add up to 1 (they add up to 0.8)")) << all(e);

  e = errors_of({{"subclouds", 10}, {"mix", {{"simplx", 1}}}});
  EXPECT_TRUE(has(e, "$.fleet.mix.simplx: unknown field (did you mean \"simplex\"?)")) << all(e);

  e = errors_of({{"subclouds", 10}, {"subcloud", 3}});
  EXPECT_TRUE(has(e, "$.fleet.subcloud: unknown field (did you mean \"subclouds\"?)")) << all(e);

  e = errors_of({{"subclouds", 10}, {"wan", {{"latency_ms", {{"min", 5}, {"mode", 2}, {"max", 9}}}}}});
  EXPECT_TRUE(has(e, "$.fleet.wan.latency_ms: needs min <= mode <= max (got 5, 2, 9)")) << all(e);

  e = errors_of({{"subclouds", 10}, {"audit", {{"interval_s", 0}}}});
  EXPECT_TRUE(has(e, "$.fleet.audit.interval_s: must be greater than 0")) << all(e);
}

TEST(FleetErrors, FaultsNameWhatIsWrong) {
  const json base = {{"subclouds", 10}, {"mix", {{"simplex", 1}}}, {"regions", 2}};
  auto with = [&](json fault) {
    json f = base;
    f["faults"] = json::array({fault});
    return errors_of(f);
  };
  auto e = with({{"kind", "host-crash"}, {"node", "subcloud-0011.controller-0"}, {"at_s", 1}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0].node: no fleet host named \"subcloud-0011.controller-0\"")) << all(e);

  e = with({{"kind", "site-wan-outage"}, {"subcloud", "subcloud-0099"}, {"at_s", 1}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0].subcloud: no subcloud named \"subcloud-0099\"")) << all(e);

  e = with({{"kind", "controller-failover"}, {"subcloud", "subcloud-0002"}, {"at_s", 1}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0].subcloud: subcloud \"subcloud-0002\" is simplex: a controller failover needs "
                     "a duplex or standard subcloud")) << all(e);

  e = with({{"kind", "controller-failover"}, {"count", 1}, {"at_s", 1}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0].count: must be within [1, 0]")) << all(e);

  e = with({{"kind", "regional-outage"}, {"region", "region-3"}, {"at_s", 1}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0].region: no region named \"region-3\"")) << all(e);

  e = with({{"kind", "regional-outage"}, {"region", "region-1"}, {"count", 6}, {"at_s", 1}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0].count: must be within [1, 5] (the region has 5 subclouds; got 6)")) << all(e);

  e = with({{"kind", "regional-outag"}, {"region", "region-1"}, {"at_s", 1}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0].kind: unknown fleet fault kind \"regional-outag\" (did you mean \"regional-outage\"?)"))
      << all(e);

  e = with({{"kind", "site-wan-outage"}, {"region", "region-1"}, {"count", 2}, {"at_s", 1}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0].region: does not apply to site-wan-outage faults")) << all(e);

  e = with({{"kind", "site-wan-outage"}, {"count", 2}, {"at_s", 50}, {"until_s", 40}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0].until_s: must be after at_s (40 <= 50)")) << all(e);

  e = with({{"kind", "site-wan-outage"}, {"count", 2}, {"subcloud", "subcloud-0001"}, {"at_s", 5}});
  EXPECT_TRUE(has(e, "$.fleet.faults[0]: give one of \"subcloud\", \"subclouds\" and \"count\", not several")) << all(e);

  json r = base;
  r["random_faults"] = json::array({{{"kind", "regional-outage"}, {"rate_per_hour", 1}, {"duration_s", 5}}});
  e = errors_of(r);
  EXPECT_TRUE(has(e, "$.fleet.random_faults[0].kind: a regional outage cannot be random")) << all(e);
}

TEST(FleetErrors, ChecksNeedAFleetFault) {
  const json fleet = {{"subclouds", 4},
                      {"faults", json::array({{{"kind", "site-wan-outage"}, {"count", 2}, {"at_s", 10}, {"label", "cut"}}})}};
  auto e = errors_of(fleet, json::array({{{"fleet", {{"fault", "cutt"}, {"detected_within_s", {0, 90}}}}}}));
  EXPECT_TRUE(has(e, "$.expect[0].fleet.fault: no fleet fault labelled \"cutt\" (did you mean \"cut\"?)")) << all(e);
  e = errors_of(fleet, json::array({{{"fleet", {{"fault", "cut"}}}}}));
  EXPECT_TRUE(has(e, "$.expect[0].fleet: missing required field \"detected_within_s\"")) << all(e);
  e = errors_of(fleet, json::array({{{"fleet", {{"fault", "cut"}, {"kind", "host-crash"}, {"detected_within_s", {0, 1}}}}}}));
  EXPECT_TRUE(has(e, "$.expect[0].fleet: give \"fault\"")) << all(e);
  // A well-formed check, and an explicit expectation naming a fleet node: no errors.
  e = errors_of(fleet, json::array({{{"fleet", {{"fault", 0}, {"detected_within_s", {0, 90}}}}},
                                    {{"event", "dc.availability"}, {"node", "system-controller.controller-0"}}}));
  EXPECT_TRUE(e.empty()) << all(e);
}

// ---- metrics ------------------------------------------------------------------------------------------

sim::TraceRecord record(double t, std::string node, std::string event, core::LogFields fields) {
  return {core::at_seconds(t), std::move(node), core::LogLevel::Info, std::move(event), std::move(fields)};
}

TEST(FleetMetrics, FromASyntheticTrace) {
  sim::SimConfig config;
  config.duration = core::seconds(300);
  const json j = json::parse(R"({
    "subclouds": 4, "mix": {"simplex": 0.5, "standard": 0.5}, "sample_s": 50,
    "faults": [
      {"kind": "site-wan-outage", "subclouds": ["subcloud-0001", "subcloud-0002"], "at_s": 100, "until_s": 200, "label": "cut"}
    ]})");
  FleetPlan plan = generate_fleet(j, 1, 300, config);
  // A worker crash on the standard subcloud, added by hand.
  const Subcloud* standard = nullptr;
  for (const auto& s : plan.subclouds)
    if (s.type == SubcloudType::Standard) standard = &s;
  ASSERT_NE(standard, nullptr);
  FleetFaultInstance crash;
  crash.kind = FleetFaultKind::HostCrash;
  crash.subcloud = static_cast<std::uint32_t>(standard - plan.subclouds.data());
  crash.node = standard->worker(0);
  crash.at = core::at_seconds(120);
  crash.until = core::at_seconds(130);
  crash.sim_fault = config.faults.size();
  plan.instances.push_back(crash);

  const std::string m = plan.manager_node;
  sim::SimResult result;
  auto& t = result.trace;
  for (const auto& s : plan.subclouds) t.push_back(record(5, m, "dc.availability", {{"subcloud", s.name}, {"availability", "online"}}));
  t.push_back(record(121, standard->controller(0), "mtce.alarm", {{"host", crash.node}, {"alarm_id", "200.004"}, {"severity", "critical"}}));
  t.push_back(record(140, m, "dc.availability", {{"subcloud", "subcloud-0001"}, {"availability", "offline"}}));
  t.push_back(record(140, m, "dc.alarm", {{"subcloud", "subcloud-0001"}, {"alarm_id", "280.001"}, {"entity", "subcloud=subcloud-0001"}, {"severity", "critical"}}));
  t.push_back(record(150, m, "dc.availability", {{"subcloud", "subcloud-0002"}, {"availability", "offline"}}));
  t.push_back(record(150, m, "dc.alarm", {{"subcloud", "subcloud-0002"}, {"alarm_id", "280.001"}, {"entity", "subcloud=subcloud-0002"}, {"severity", "critical"}}));
  t.push_back(record(145, standard->controller(0), "mtce.alarm", {{"host", crash.node}, {"alarm_id", "200.004"}, {"severity", "clear"}}));
  t.push_back(record(210, m, "dc.availability", {{"subcloud", "subcloud-0001"}, {"availability", "online"}}));
  t.push_back(record(210, m, "dc.alarm", {{"subcloud", "subcloud-0001"}, {"alarm_id", "280.001"}, {"entity", "subcloud=subcloud-0001"}, {"severity", "clear"}}));
  std::stable_sort(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.t < b.t; });
  result.stats.sim_seconds = 300;
  result.stats.wall_seconds = 3;
  result.stats.timer_events = 600;

  const auto outcomes = fleet_outcomes(plan, t, core::TimePoint(config.duration));
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_DOUBLE_EQ(*outcomes[0].detection_s, 40.0);
  EXPECT_DOUBLE_EQ(*outcomes[0].recovery_s, 10.0);
  EXPECT_DOUBLE_EQ(*outcomes[1].detection_s, 50.0);
  EXPECT_FALSE(outcomes[1].recovery_s.has_value()) << "subcloud-0002 never came back";
  EXPECT_EQ(outcomes[2].detector, "mtce.alarm 200.004");
  EXPECT_DOUBLE_EQ(*outcomes[2].detection_s, 1.0);
  EXPECT_DOUBLE_EQ(*outcomes[2].recovery_s, 15.0);

  const json f = fleet_result_json(plan, config, result, 12.5);
  EXPECT_EQ(f["subclouds"], 4);
  EXPECT_EQ(f["events"], 600);
  EXPECT_DOUBLE_EQ(f["ratio"].get<double>(), 100.0);
  ASSERT_EQ(f["fault_kinds"].size(), 2u);
  const json& wan = f["fault_kinds"][0];
  EXPECT_EQ(wan["kind"], "site-wan-outage");
  EXPECT_EQ(wan["instances"], 2);
  EXPECT_EQ(wan["detected"], 2);
  EXPECT_EQ(wan["recovered"], 1);
  EXPECT_DOUBLE_EQ(wan["detection"]["min_s"].get<double>(), 40.0);
  EXPECT_DOUBLE_EQ(wan["detection"]["p50_s"].get<double>(), 40.0);
  EXPECT_DOUBLE_EQ(wan["detection"]["max_s"].get<double>(), 50.0);
  EXPECT_EQ(f["alarms"]["280.001"]["raised"], 2);
  EXPECT_EQ(f["alarms"]["280.001"]["cleared"], 1);
  EXPECT_EQ(f["alarms"]["200.004"]["raised"], 1);
  EXPECT_EQ(f["alarms"]["200.004"]["cleared"], 1);
  // Sampled every 50 s at 0, 50, ..., 300: all online from 5 s; two offline at 150 (one back at 210).
  EXPECT_EQ(f["series"]["online"], json({0, 4, 4, 2, 2, 3, 3}));
  EXPECT_EQ(f["series"]["active_alarms"], json({0, 0, 0, 2, 2, 1, 1}));
  EXPECT_EQ(f["instances"]["total"], 3);
  EXPECT_EQ(f["instances"]["rows"][0]["subcloud"], "subcloud-0001");

  // A check on "cut": subcloud-0002 never came back, so with a recovery window it fails.
  JsonChecker check;
  auto shared = std::make_shared<const FleetPlan>(plan);
  auto c = read_fleet_check(json::parse(R"({"fault": "cut", "alarm": "280.001", "detected_within_s": [30, 90]})"), "$", check, shared);
  ASSERT_TRUE(c) << (check.errors().empty() ? "" : check.errors()[0].message);
  EXPECT_TRUE(evaluate_fleet_check(*c, config, t).passed);
  c = read_fleet_check(json::parse(R"({"fault": "cut", "detected_within_s": [30, 90], "recovered_within_s": [0, 30]})"), "$", check, shared);
  const auto o = evaluate_fleet_check(*c, config, t);
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.observed, "2/2 detected in window (2 detected, +40.000 to +50.000 s), 1/2 back in window (+10.000 to +10.000 s after the end)");
  c = read_fleet_check(json::parse(R"({"fault": "cut", "detected_within_s": [45, 90]})"), "$", check, shared);
  EXPECT_FALSE(evaluate_fleet_check(*c, config, t).passed) << "subcloud-0001 was detected at +40 s, before the window";
}

// ---- real runs -----------------------------------------------------------------------------------------

Scenario small_fleet() {
  const auto text = R"({
    "roost_scenario": 1, "name": "fleet-small", "seed": 3, "duration_s": 120,
    "fleet": {
      "subclouds": 6, "mix": {"simplex": 0.5, "duplex": 0.5},
      "audit": {"interval_s": 5},
      "wan": {"latency_ms": {"min": 5, "mode": 10, "max": 40}},
      "faults": [{"kind": "site-wan-outage", "count": 2, "at_s": 60, "until_s": 80, "label": "cut"}],
      "random_faults": [{"kind": "host-crash", "rate_per_hour": 400, "duration_s": 5, "from_s": 50, "to_s": 100}]
    },
    "expect": [{"fleet": {"fault": "cut", "alarm": "280.001", "detected_within_s": [4.5, 15.5], "recovered_within_s": [0, 5.5]}}]
  })";
  auto loaded = parse_scenario(text, "fleet-small.json", platform::roles());
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.messages()[0]);
  return *loaded.scenario;
}

json run_in_child(const Scenario& s) {
  RunOptions options;
  options.in_child_process = true;
  return result_json(run_scenario(s, platform::roles(), options));
}

TEST(FleetRun, MetricsOfASmallFleet) {
  const json r = run_in_child(small_fleet());
  for (const auto& e : r["expectations"]) EXPECT_TRUE(e["passed"].get<bool>()) << e["description"] << ": " << e["observed_text"];
  ASSERT_TRUE(r.contains("fleet"));
  const json& f = r["fleet"];
  EXPECT_EQ(f["subclouds"], 6);
  EXPECT_EQ(f["nodes"], 1 + 3 + 3 * 2);
  EXPECT_GT(f["events"].get<std::uint64_t>(), 0u);
  EXPECT_GT(f["peak_rss_mb"].get<double>(), 0.0);
  EXPECT_EQ(f["series"]["online"].size(), 13u);  // every 10 s from 0 to 120
  EXPECT_EQ(f["series"]["online"].back(), 6) << "all back online at the end";
  EXPECT_EQ(f["alarms"]["280.001"]["raised"].get<int>(), f["alarms"]["280.001"]["cleared"].get<int>());
  EXPECT_GE(f["alarms"]["280.001"]["raised"].get<int>(), 2);
  bool wan = false;
  for (const auto& k : f["fault_kinds"])
    if (k["kind"] == "site-wan-outage") {
      wan = true;
      EXPECT_EQ(k["detected"], 2);
      EXPECT_EQ(k["recovered"], 2);
    }
  EXPECT_TRUE(wan);
}

// The same fleet and seed, run twice in fresh processes: the same trace, and the same result but for the
// wall clock and memory.
TEST(FleetRun, SameSeedSameHashTwice) {
  const Scenario s = small_fleet();
  json a = run_in_child(s), b = run_in_child(s);
  EXPECT_EQ(a["trace_hash"], b["trace_hash"]);
  for (json* r : {&a, &b}) {
    for (const char* k : {"wall_s", "ratio", "peak_rss_mb"}) (*r)["stats"].erase(k);
    for (const char* k : {"wall_s", "ratio", "events_per_s", "peak_rss_mb"}) (*r)["fleet"].erase(k);
  }
  EXPECT_EQ(a.dump(), b.dump());
}

TEST(FleetRun, ShippedFleetScenariosValidate) {
  for (const char* name : {"fleet-20", "fleet-50", "fleet-1000", "fleet-5000", "fleet-10000"}) {
    const auto loaded = load_scenario(kSource / "scenarios" / (std::string(name) + ".json"), platform::roles());
    EXPECT_TRUE(loaded.ok()) << name << ": " << (loaded.ok() ? "" : loaded.messages()[0]);
  }
}

}  // namespace
}  // namespace roost::harness
