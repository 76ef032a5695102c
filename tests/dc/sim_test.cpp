// Small fleets in the simulation: a system controller (fm + dc-manager) and subclouds (dc-agent next to their
// FM, one full simplex controller) over WAN links; a site WAN outage, revision bumps, deploys.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "harness/scenario.h"
#include "platform/roles.h"
#include "sim/simulation.h"

namespace {

using namespace roost;
using nlohmann::json;

const std::string kManager = "system-controller.controller-0";

json system_controller(const json& subclouds, const json& extra) {
  json dc = {{"fm_node", kManager}, {"rest_port", 0}, {"audit_interval_ms", 2000}, {"subclouds", subclouds}};
  for (const auto& [k, v] : extra.items()) dc[k] = v;
  return {{"name", "system-controller"},
          {"nodes",
           {{{"name", kManager},
             {"role", "composite"},
             {"networks", {"mgmt", "oam", "wan"}},
             {"config", {{"parts", {{{"role", "fm"}, {"config", {{"rest_port", 0}}}}, {{"role", "dc-manager"}, {"config", dc}}}}}}}}}};
}

// A subcloud whose controller runs only FM and the dc-agent.
json small_subcloud(const std::string& s, json agent = json::object()) {
  const std::string n = s + ".controller-0";
  agent["fm_node"] = n;
  if (!agent.contains("cache_ms")) agent["cache_ms"] = 1000;
  if (!agent.contains("sync_ms")) agent["sync_ms"] = 300;
  return {{"name", s},
          {"nodes",
           {{{"name", n},
             {"role", "composite"},
             {"networks", {"mgmt", "oam", "wan"}},
             {"config", {{"parts", {{{"role", "fm"}, {"config", {{"rest_port", 0}}}}, {{"role", "dc-agent"}, {"config", agent}}}}}}}}}};
}

// A simplex subcloud as the design has it: fm, controller (maintenance of its own host), host-agent, dc-agent.
json simplex_subcloud(const std::string& s) {
  const std::string n = s + ".controller-0";
  json host = {{"hostname", n}, {"personality", "controller"}, {"administrative", "unlocked"}, {"mgmt_mac", "52:54:00:00:02:01"}};
  return {{"name", s},
          {"nodes",
           {{{"name", n},
             {"role", "composite"},
             {"networks", {"mgmt", "cluster-host", "oam", "wan"}},
             {"config",
              {{"parts",
                {{{"role", "fm"}, {"config", {{"rest_port", 0}}}},
                 {{"role", "controller"},
                  {"config", {{"fm_node", n}, {"rest_port", 0}, {"system", {{"name", s}, {"system_mode", "simplex"}}}, {"hosts", {host}}}}},
                 {{"role", "host-agent"}, {"config", {{"controllers", {n}}}}},
                 {{"role", "dc-agent"}, {"config", {{"fm_node", n}, {"controller_node", n}, {"cache_ms", 1000}, {"sync_ms", 300}}}}}}}}}}}};
}

sim::SimResult run(const json& scenario) {
  auto loaded = harness::parse_scenario(scenario.dump(), "dc", platform::roles());
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.messages().front());
  if (!loaded.ok()) return {};
  return sim::run_in_child(loaded.scenario->config, platform::roles());
}

std::string field(const sim::TraceRecord& t, const std::string& key) {
  for (const auto& f : t.fields)
    if (f.key == key) {
      if (auto* s = std::get_if<std::string>(&f.value)) return *s;
      if (auto* i = std::get_if<std::int64_t>(&f.value)) return std::to_string(*i);
    }
  return "";
}

// Records of `event` from the manager whose fields match every pair of `match`.
std::vector<const sim::TraceRecord*> find(const sim::SimResult& r, const std::string& event,
                                          std::vector<std::pair<std::string, std::string>> match) {
  std::vector<const sim::TraceRecord*> out;
  for (const auto& t : r.trace)
    if (t.event == event && t.node == kManager &&
        std::all_of(match.begin(), match.end(), [&](const auto& m) { return field(t, m.first) == m.second; }))
      out.push_back(&t);
  return out;
}

double at(const sim::TraceRecord* t) { return core::to_seconds(t->t); }

json subcloud(const std::string& name, int octet, json extra = json::object()) {
  json s = {{"name", name}, {"management_subnet", "10.10." + std::to_string(octet) + ".0/24"}};
  for (const auto& [k, v] : extra.items()) s[k] = v;
  return s;
}

TEST(DcSim, WanOutageTakesASubcloudOfflineAtTheSecondFailedAuditAndBack) {
  // Four subclouds, audits every 2 s: slots at 0, 0.5, 1.0 and 1.5 s. sc2's WAN is down 20-40 s.
  const json subclouds = {subcloud("sc1", 1), subcloud("sc2", 2), subcloud("sc3", 3, {{"deploy", true}}),
                          subcloud("sc4", 4, {{"deploy", true}})};
  const json phase = {{"min_s", 1}, {"mode_s", 1.5}, {"max_s", 2}};
  json failing = phase;
  failing["failure_rate"] = 1.0;
  json sc = {{"roost_scenario", 1},
             {"name", "dc-wan"},
             {"seed", 5},
             {"duration_s", 60},
             {"trace_level", "debug"},
             {"sites",
              {system_controller(subclouds, {{"revision_bumps", {{{"at_ms", 10000}, {"endpoint", "identity"}},
                                                                 {{"at_ms", 30000}, {"endpoint", "platform"}}}}}),
               simplex_subcloud("sc1"), small_subcloud("sc2"),
               small_subcloud("sc3", {{"deploy", {{"install", phase}, {"bootstrap", failing}, {"config", phase}}}}),
               small_subcloud("sc4", {{"deploy", {{"install", phase}, {"bootstrap", phase}, {"config", phase}}}})}},
             {"faults", {{{"kind", "site-wan-down"}, {"site", "sc2"}, {"at_s", 20}, {"until_s", 40}}}}};
  const auto r = run(sc);
  ASSERT_FALSE(r.trace.empty());
  if (std::getenv("DC_SIM_DUMP"))
    for (const auto& t : r.trace)
      if (t.event.rfind("dc.", 0) == 0 || t.event.rfind("fault.", 0) == 0)
        std::printf("%9.4f %s %s %s\n", core::to_seconds(t.t), t.node.c_str(), t.event.c_str(), core::format_fields(t.fields).c_str());

  // sc2: last good audit at 18.5 s; failed audits at 20.5 and 22.5 s; offline (and 280.001) at the second.
  const auto avail = find(r, "dc.availability", {{"subcloud", "sc2"}});
  ASSERT_EQ(avail.size(), 3u);
  EXPECT_EQ(field(*avail[0], "availability"), "online");
  EXPECT_LT(at(avail[0]), 1.0);
  EXPECT_EQ(field(*avail[1], "availability"), "offline");
  EXPECT_EQ(field(*avail[1], "fails"), "2");
  const auto failed = find(r, "dc.audit_failed", {{"subcloud", "sc2"}});
  ASSERT_GE(failed.size(), 2u);
  EXPECT_GE(at(failed[0]), 20.5);
  EXPECT_LE(at(failed[0]), 22.5);  // unreachable at once, or the 2 s timeout
  EXPECT_EQ(avail[1]->t, failed[1]->t);
  EXPECT_GE(at(avail[1]), 22.5);
  EXPECT_LE(at(avail[1]), 24.5);   // bound: 2 intervals + the timeout after the last success
  const auto raised = find(r, "dc.alarm", {{"alarm_id", "280.001"}, {"entity", "subcloud=sc2"}, {"severity", "critical"}});
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0]->t, avail[1]->t);
  // Healed at 40 s: the audit at 40.5 s brings it back, 280.001 cleared.
  EXPECT_EQ(field(*avail[2], "availability"), "online");
  EXPECT_GE(at(avail[2]), 40.5);
  EXPECT_LT(at(avail[2]), 40.6);
  const auto cleared = find(r, "dc.alarm", {{"alarm_id", "280.001"}, {"entity", "subcloud=sc2"}, {"severity", "clear"}});
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0]->t, avail[2]->t);
  // No other subcloud flapped.
  EXPECT_EQ(find(r, "dc.availability", {{"availability", "offline"}}).size(), 1u);

  // The identity bump at 10 s: sc2 out-of-sync -> 280.002 -> pushed (300 ms at the agent) -> in-sync, cleared.
  const auto identity = find(r, "dc.sync", {{"subcloud", "sc2"}, {"endpoint", "identity"}});
  ASSERT_GE(identity.size(), 2u);
  std::vector<std::string> states;
  for (const auto* t : identity) states.push_back(field(*t, "sync_status"));
  const auto out = std::find(states.begin(), states.end(), "out-of-sync") - states.begin();
  ASSERT_LT(out + 1, static_cast<long>(states.size()));
  EXPECT_DOUBLE_EQ(at(identity[out]), 10.0);
  EXPECT_EQ(states[out + 1], "in-sync");
  EXPECT_GT(at(identity[out + 1]), 10.3);
  EXPECT_LT(at(identity[out + 1]), 10.5);
  EXPECT_EQ(find(r, "dc.alarm", {{"alarm_id", "280.002"}, {"entity", "subcloud=sc2.resource=identity"}}).size(), 2u);
  // The platform bump at 30 s finds sc2 offline (unknown, no alarm); it is pushed once sc2 is back.
  const auto platform = find(r, "dc.sync", {{"subcloud", "sc2"}, {"endpoint", "platform"}, {"sync_status", "out-of-sync"}});
  ASSERT_EQ(platform.size(), 1u);
  EXPECT_EQ(platform[0]->t, avail[2]->t);
  const auto platform_alarm = find(r, "dc.alarm", {{"alarm_id", "280.002"}, {"entity", "subcloud=sc2.resource=platform"}});
  ASSERT_EQ(platform_alarm.size(), 2u);
  EXPECT_EQ(field(*platform_alarm[1], "severity"), "clear");
  EXPECT_LT(at(platform_alarm[1]), 41.0);

  // Deploys: sc3's bootstrap fails (failure rate 1), so it never goes online; sc4 completes and comes online.
  auto statuses = [&](const std::string& s) {
    std::vector<std::string> v;
    for (const auto* t : find(r, "dc.deploy", {{"subcloud", s}})) v.push_back(field(*t, "deploy_status"));
    return v;
  };
  EXPECT_EQ(statuses("sc3"), (std::vector<std::string>{"pre-install", "installing", "install-complete", "bootstrapping", "bootstrap-failed"}));
  EXPECT_EQ(statuses("sc4"), (std::vector<std::string>{"pre-install", "installing", "install-complete", "bootstrapping",
                                                       "bootstrap-complete", "configuring", "complete"}));
  EXPECT_TRUE(find(r, "dc.availability", {{"subcloud", "sc3"}}).empty());
  const auto sc4_done = find(r, "dc.deploy", {{"subcloud", "sc4"}, {"deploy_status", "complete"}});
  const auto sc4_online = find(r, "dc.availability", {{"subcloud", "sc4"}});
  ASSERT_EQ(sc4_online.size(), 1u);
  EXPECT_GT(at(sc4_done[0]), 3.0);   // three phases of 1-2 s each
  EXPECT_LT(at(sc4_done[0]), 6.5);
  EXPECT_GT(at(sc4_online[0]), at(sc4_done[0]));
  EXPECT_LT(at(sc4_online[0]), at(sc4_done[0]) + 2.1);

  // sc1 (full simplex): online only once its controller has enabled its host (the agent asks it).
  const auto enabled = std::find_if(r.trace.begin(), r.trace.end(), [](const sim::TraceRecord& t) {
    return t.event == "mtce.enabled" && field(t, "host") == "sc1.controller-0";
  });
  ASSERT_NE(enabled, r.trace.end());
  const auto sc1 = find(r, "dc.availability", {{"subcloud", "sc1"}});
  ASSERT_EQ(sc1.size(), 1u);
  EXPECT_GT(sc1[0]->t, enabled->t);
  EXPECT_LT(at(sc1[0]), core::to_seconds(enabled->t) + 3.1);  // next audit + the agent's cache period
}

TEST(DcSim, ConfigErrorsNameTheRoleAndKey) {
  json sc = {{"roost_scenario", 1}, {"name", "bad"}, {"duration_s", 1},
             {"sites", {{{"name", "s"}, {"nodes", {{{"name", "n"}, {"role", "dc-agent"}, {"config", {{"deploy", {{"install", {{"min_s", 5}, {"max_s", 1}}}}}}}}}}}}}};
  auto loaded = harness::parse_scenario(sc.dump(), "bad", platform::roles());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.messages().front().find("dc-agent config: deploy.install: mode_s: needs min_s <= mode_s <= max_s"), std::string::npos)
      << loaded.messages().front();
}

}  // namespace
