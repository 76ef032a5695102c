// The composite role (platform/sm/composite_node.h) in the simulation: a simplex subcloud controller whose
// maintenance heartbeats its own host agent (all parts of one node), a duplex pair whose service managers sit
// next to their host agents (calls and datagrams find the right part, or the sm-controller's nested
// services), and config errors that name the part.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "harness/scenario.h"
#include "platform/roles.h"
#include "sim/simulation.h"

namespace {

using namespace roost;
using nlohmann::json;

json host(const std::string& name, int mac) {
  char m[32];
  std::snprintf(m, sizeof m, "52:54:00:00:01:%02x", mac);
  return {{"hostname", name}, {"personality", "controller"}, {"administrative", "unlocked"}, {"mgmt_mac", m}};
}

json simplex(const std::string& s) {
  const std::string n = s + ".controller-0";
  return {{"name", s},
          {"nodes",
           {{{"name", n},
             {"role", "composite"},
             {"config",
              {{"parts",
                {{{"role", "fm"}, {"config", {{"rest_port", 0}}}},
                 {{"role", "controller"},
                  {"config", {{"fm_node", n}, {"rest_port", 0}, {"system", {{"name", s}, {"system_mode", "simplex"}}},
                              {"hosts", {host(n, 1)}}}}},
                 {{"role", "host-agent"}, {"config", {{"controllers", {n}}}}}}}}}}}}};
}

json duplex(const std::string& s) {
  json nodes = json::array();
  for (int i = 0; i < 2; ++i) {
    const std::string n = s + ".controller-" + std::to_string(i), peer = s + ".controller-" + std::to_string(1 - i);
    json mtce = {{"fm_node", s + ".controller"}, {"rest_port", 0}, {"system", {{"name", s}, {"system_mode", "duplex"}}},
                 {"hosts", {host(s + ".controller-0", 2), host(s + ".controller-1", 3)}}};
    nodes.push_back({{"name", n},
                     {"role", "composite"},
                     {"config",
                      {{"parts",
                        {{{"role", "sm-controller"},
                          {"config", {{"peer", peer}, {"floating", s + ".controller"}, {"rest_port", 0}, {"initial_wait_ms", 3000},
                                      {"services", {{"fm", {{"rest_port", 0}}}, {"mtce", mtce}}}}}},
                         {{"role", "host-agent"}, {"config", {{"controllers", {s + ".controller"}}}}}}}}}});
  }
  return {{"name", s}, {"floating", {s + ".controller"}}, {"nodes", nodes}};
}

sim::SimResult run(const json& scenario) {
  auto loaded = harness::parse_scenario(scenario.dump(), "composite", platform::roles());
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.messages().front());
  return sim::run_in_child(loaded.scenario->config, platform::roles());
}

std::vector<const sim::TraceRecord*> find(const sim::SimResult& r, const std::string& event, const std::string& key,
                                          const std::string& value) {
  std::vector<const sim::TraceRecord*> out;
  for (const auto& t : r.trace)
    if (t.event == event) {
      auto it = std::find_if(t.fields.begin(), t.fields.end(), [&](const auto& f) { return f.key == key; });
      if (it != t.fields.end() && std::holds_alternative<std::string>(it->value) && std::get<std::string>(it->value) == value)
        out.push_back(&t);
    }
  return out;
}

TEST(CompositeNode, SimplexControllerHeartbeatsItsOwnHostAgentAndDuplexPartsFindEachOther) {
  json sc = {{"roost_scenario", 1}, {"name", "composite"}, {"seed", 3}, {"duration_s", 100}, {"trace_level", "info"},
             {"sites", {simplex("sc1"), duplex("sc2")}},
             {"faults", {{{"kind", "host-crash"}, {"node", "sc2.controller-0"}, {"at_s", 60}, {"until_s", 80}}}}};
  const auto r = run(sc);
  // The simplex host is enabled by its own maintenance (go-enabled + soak over the composite's parts).
  EXPECT_EQ(find(r, "mtce.enabled", "host", "sc1.controller-0").size(), 1u);
  // Both duplex controllers are enabled by the active's nested maintenance through their host-agent parts.
  EXPECT_GE(find(r, "mtce.enabled", "host", "sc2.controller-1").size(), 1u);
  // The crash of the active: the standby takes over, then fails the crashed host on heartbeat loss.
  const auto roles = find(r, "sm.role", "role", "active");
  ASSERT_FALSE(roles.empty());
  EXPECT_EQ(roles.back()->node, "sc2.controller-1");
  EXPECT_GT(core::to_seconds(roles.back()->t), 60.0);
  EXPECT_LT(core::to_seconds(roles.back()->t), 62.0);
  const auto failed = find(r, "mtce.alarm", "alarm_id", "200.004");
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed.front()->node, "sc2.controller-1");
  // No alarm on the simplex host: its heartbeat never missed.
  EXPECT_TRUE(find(r, "mtce.alarm", "host", "sc1.controller-0").empty()) << "unexpected alarm on sc1";
}

TEST(CompositeNode, ConfigErrorsNameThePart) {
  auto fails_with = [](json parts, const std::string& expected) {
    json sc = {{"roost_scenario", 1}, {"name", "bad"}, {"duration_s", 1},
               {"sites", {{{"name", "s"}, {"nodes", {{{"name", "n"}, {"role", "composite"}, {"config", parts}}}}}}}};
    // The scenario loader builds every node once to check its config: the error names the file path too.
    auto loaded = harness::parse_scenario(sc.dump(), "bad", platform::roles());
    ASSERT_FALSE(loaded.ok()) << "expected: " << expected;
    const std::string m = loaded.messages().front();
    EXPECT_NE(m.find("$.sites[0].nodes[0].config"), std::string::npos) << m;
    EXPECT_NE(m.find(expected), std::string::npos) << m;
  };
  fails_with(json::object(), "composite config: parts: must be a non-empty array");
  fails_with({{"parts", json::array()}}, "composite config: parts: must be a non-empty array");
  fails_with({{"parts", {{{"role", "fm"}}}}, {"extra", 1}}, "composite config: extra: unknown key");
  fails_with({{"parts", {{{"role", "fm"}}, {{"role", "composite"}}}}}, "parts[1].role: a part cannot itself be a composite");
  fails_with({{"parts", {{{"role", "fm"}}, {{"role", "no-such-role"}}}}}, "parts[1] (no-such-role)");
  fails_with({{"parts", {{{"role", "fm"}, {"confg", {}}}}}}, "parts[0].confg: unknown key");
  fails_with({{"parts", {{{"role", "host-agent"}, {"config", {{"bogus", 1}}}}}}}, "parts[0] (host-agent)");
}

}  // namespace
