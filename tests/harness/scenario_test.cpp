// The scenario validator: every broken file under tests/scenarios/broken gives the error its sidecar
// .expect file names (path and wording), valid files load into the SimConfig they describe, and
// every error is collected rather than only the first.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/scenario.h"
#include "platform/roles.h"

namespace roost::harness {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = ROOST_SOURCE_DIR;

std::vector<std::string> broken_cases() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(kSource / "tests/scenarios/broken"))
    if (entry.path().extension() == ".json") out.push_back(entry.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

class BrokenScenario : public testing::TestWithParam<std::string> {};

TEST_P(BrokenScenario, ReportsTheExpectedErrorWithItsPath) {
  const fs::path file = kSource / "tests/scenarios/broken" / (GetParam() + ".json");
  const auto expected = lines_of(file.parent_path() / (GetParam() + ".expect"));
  ASSERT_FALSE(expected.empty()) << "missing or empty sidecar " << GetParam() << ".expect";
  const auto loaded = load_scenario(file, platform::roles());
  EXPECT_FALSE(loaded.ok());
  EXPECT_FALSE(loaded.scenario.has_value());
  const auto messages = loaded.messages();
  for (const auto& want : expected) {
    const bool found = std::any_of(messages.begin(), messages.end(),
                                   [&](const std::string& m) { return m.find(want) != std::string::npos; });
    EXPECT_TRUE(found) << "expected an error containing\n  " << want << "\ngot:\n" << joined(messages);
  }
  for (const auto& m : messages) EXPECT_EQ(m.rfind(file.string(), 0), 0u) << "every error names the file: " << m;
}

INSTANTIATE_TEST_SUITE_P(Files, BrokenScenario, testing::ValuesIn(broken_cases()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ScenarioValidator, AtLeastTenBrokenFiles) { EXPECT_GE(broken_cases().size(), 10u); }

TEST(ScenarioValidator, CollectsEveryErrorNotJustTheFirst) {
  const auto loaded = load_scenario(kSource / "tests/scenarios/broken/many-errors.json", platform::roles());
  EXPECT_GE(loaded.errors.size(), 4u);
}

TEST(ScenarioValidator, MissingFileIsAnError) {
  const auto loaded = load_scenario("/nonexistent/nosuch.json", platform::roles());
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.messages()[0], "/nonexistent/nosuch.json: no such file");
}

TEST(ScenarioValidator, DirectoryIsAnError) {
  const auto loaded = load_scenario(kSource / "scenarios", platform::roles());
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_NE(loaded.messages()[0].find("is a directory"), std::string::npos);
}

TEST(ScenarioValidator, SyntaxErrorGivesLineAndColumn) {
  const auto loaded = parse_scenario("{\n  \"a\": 1,\n  oops\n}", "x.json", platform::roles());
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].line, 3);
  EXPECT_EQ(loaded.errors[0].column, 3);
  EXPECT_EQ(loaded.messages()[0].rfind("x.json:3:3: invalid JSON: ", 0), 0u) << loaded.messages()[0];
}

TEST(ScenarioValidator, TopLevelMustBeAnObject) {
  const auto loaded = parse_scenario("[1, 2]", "x.json", platform::roles());
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.messages()[0], "x.json: $: expected an object, got array");
}

constexpr std::string_view kMinimal = R"({
  "roost_scenario": 1, "name": "mini", "duration_s": 10,
  "sites": [{"name": "s", "nodes": [{"name": "h", "role": "pulse-host"}]}]
})";

TEST(ScenarioValidator, MinimalScenarioGetsDefaults) {
  const auto loaded = parse_scenario(kMinimal, "mini.json", platform::roles());
  ASSERT_TRUE(loaded.ok()) << joined(loaded.messages());
  const Scenario& s = *loaded.scenario;
  EXPECT_EQ(s.meta.name, "mini");
  EXPECT_EQ(s.meta.file, "mini.json");
  EXPECT_EQ(s.config.seed, 1u);
  EXPECT_EQ(s.config.duration, core::seconds(10));
  EXPECT_EQ(s.config.lan_mode, sim::LanMode::LocalQueue);
  EXPECT_EQ(s.config.trace_level, core::LogLevel::Info);
  ASSERT_EQ(s.config.sites.size(), 1u);
  const auto& node = s.config.sites[0].nodes.at(0);
  EXPECT_EQ(node.node.site, "s");
  EXPECT_EQ(node.networks, (std::vector<core::Network>{core::Network::Management, core::Network::ClusterHost,
                                                        core::Network::Oam}));
  EXPECT_TRUE(s.config.faults.empty());
  EXPECT_TRUE(s.expectations.empty());
}

TEST(ScenarioValidator, QuickstartLoadsAsDescribed) {
  const auto loaded = load_scenario(kSource / "scenarios/quickstart.json", platform::roles());
  ASSERT_TRUE(loaded.ok()) << joined(loaded.messages());
  const Scenario& s = *loaded.scenario;
  EXPECT_EQ(s.config.seed, 42u);
  EXPECT_EQ(s.config.duration, core::seconds(45));
  const sim::SiteSpec& lab = s.config.sites.at(0);
  EXPECT_EQ(lab.nodes.size(), 5u);
  EXPECT_EQ(lab.lan.latency, core::microseconds(200));
  EXPECT_EQ(lab.lan.jitter, core::microseconds(100));
  EXPECT_DOUBLE_EQ(lab.lan.loss, 0.002);
  EXPECT_EQ(lab.nodes[2].boot_time, core::seconds(3));
  EXPECT_EQ(lab.nodes[0].node.config["period_ms"], 100);
  ASSERT_EQ(s.config.faults.size(), 2u);
  EXPECT_EQ(s.config.faults[0].kind, sim::FaultKind::HostCrash);
  EXPECT_EQ(s.config.faults[0].nodes, std::vector<std::string>{"worker-1"});
  EXPECT_EQ(s.config.faults[0].until, core::at_seconds(20));
  EXPECT_EQ(s.config.faults[1].kind, sim::FaultKind::NetworkDown);
  EXPECT_EQ(s.config.faults[1].network, core::Network::Management);
  ASSERT_EQ(s.expectations.size(), 6u);
  EXPECT_EQ(s.expectations[1].from, FaultEdge::End);
  EXPECT_EQ(s.expectations[4].count.max, 0u);
  EXPECT_EQ(s.expectations[4].fields.at(0).op, FieldMatcher::Op::NotIn);
}

TEST(ScenarioValidator, SiteLinkOverridesDefaultsFieldByField) {
  const auto loaded = parse_scenario(R"({
    "roost_scenario": 1, "name": "links", "duration_s": 10, "lan_mode": "simgrid", "seed": 18446744073709551615,
    "defaults": {"lan": {"latency_ms": 2, "loss": 0.1}, "wan": {"latency_ms": 40, "bandwidth_mbps": 50},
                 "backbone": {"latency_ms": 5}},
    "sites": [{"name": "a", "lan": {"latency_ms": 3}, "nodes": [{"name": "h", "role": "pulse-host"}]},
              {"name": "b", "wan": {"loss": 0.01}, "nodes": [{"name": "g", "role": "pulse-host"}]}]
  })", "links.json", platform::roles());
  ASSERT_TRUE(loaded.ok()) << joined(loaded.messages());
  const auto& c = loaded.scenario->config;
  EXPECT_EQ(c.seed, UINT64_MAX);
  EXPECT_EQ(c.lan_mode, sim::LanMode::SimGrid);
  EXPECT_EQ(c.sites[0].lan.latency, core::milliseconds(3));
  EXPECT_DOUBLE_EQ(c.sites[0].lan.loss, 0.1);
  EXPECT_EQ(c.sites[1].lan.latency, core::milliseconds(2));
  EXPECT_EQ(c.sites[1].wan.latency, core::milliseconds(40));
  EXPECT_DOUBLE_EQ(c.sites[1].wan.bandwidth_bps, 50e6);
  EXPECT_DOUBLE_EQ(c.sites[1].wan.loss, 0.01);
  EXPECT_EQ(c.backbone.latency, core::milliseconds(5));
}

TEST(ScenarioValidator, SitesDeclareTheirFloatingNames) {
  const auto loaded = parse_scenario(R"({
    "roost_scenario": 1, "name": "floating", "duration_s": 10,
    "sites": [{"name": "a", "floating": ["controller", "registry"], "nodes": [{"name": "h", "role": "pulse-host"}]},
              {"name": "b", "floating": ["controller"], "nodes": [{"name": "g", "role": "pulse-host"}]},
              {"name": "c", "nodes": [{"name": "k", "role": "pulse-host"}]}]
  })", "floating.json", platform::roles());
  ASSERT_TRUE(loaded.ok()) << joined(loaded.messages());
  const auto& c = loaded.scenario->config;
  EXPECT_EQ(c.sites[0].floating, (std::vector<std::string>{"controller", "registry"}));
  EXPECT_EQ(c.sites[1].floating, std::vector<std::string>{"controller"}) << "each site may have its own";
  EXPECT_TRUE(c.sites[2].floating.empty());
}

TEST(ScenarioValidator, AFloatingNameIsNeitherANodeNorSim) {
  const auto loaded = parse_scenario(R"({
    "roost_scenario": 1, "name": "floating", "duration_s": 10,
    "sites": [{"name": "a", "floating": ["h", "sim", ""], "nodes": [{"name": "h", "role": "pulse-host"}]}]
  })", "floating.json", platform::roles());
  EXPECT_FALSE(loaded.ok());
  const auto messages = joined(loaded.messages());
  EXPECT_NE(messages.find("$.sites[0].floating[0]: floating name \"h\" is the name of the node at $.sites[0].nodes[0]"),
            std::string::npos) << messages;
  EXPECT_NE(messages.find("$.sites[0].floating[1]: the name \"sim\" is reserved"), std::string::npos) << messages;
  EXPECT_NE(messages.find("$.sites[0].floating[2]: a floating name must be a non-empty name"), std::string::npos)
      << messages;
}

// Each case: a scenario body (spliced into a valid one) and the message it must produce.
struct Case {
  std::string json;
  std::string error;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.error; }

std::string with_faults_and_expect(const std::string& faults, const std::string& expect = "[]") {
  return R"({"roost_scenario": 1, "name": "t", "duration_s": 60,
    "sites": [{"name": "lab", "nodes": [{"name": "c", "role": "pulse-controller", "config": {"hosts": ["w"]}},
                                       {"name": "w", "role": "pulse-host"}, {"name": "v", "role": "pulse-host"}]},
              {"name": "edge", "nodes": [{"name": "e", "role": "pulse-host", "networks": ["wan"]}]}],
    "faults": )" + faults + R"(, "expect": )" + expect + "}";
}

class ValidatorCase : public testing::TestWithParam<Case> {};

TEST_P(ValidatorCase, Reports) {
  const auto loaded = parse_scenario(GetParam().json, "t.json", platform::roles());
  const auto messages = loaded.messages();
  const bool found = std::any_of(messages.begin(), messages.end(),
                                 [&](const std::string& m) { return m.find(GetParam().error) != std::string::npos; });
  EXPECT_TRUE(found) << "want: " << GetParam().error << "\ngot:\n" << joined(messages);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidatorCase,
    testing::Values(
        Case{with_faults_and_expect(R"([{"kind": "site-wan-down", "site": "lba", "at_s": 1}])"),
             R"($.faults[0].site: no site named "lba" (did you mean "lab"?))"},
        Case{with_faults_and_expect(R"([{"kind": "partition", "groups": [["c"]], "at_s": 1}])"),
             "$.faults[0].groups: a partition needs exactly two groups of nodes (got 1)"},
        Case{with_faults_and_expect(R"([{"kind": "partition", "groups": [["c", "w"], ["w"]], "at_s": 1}])"),
             R"($.faults[0].groups[1]: node "w" is in both groups)"},
        Case{with_faults_and_expect(R"([{"kind": "host-crash", "at_s": 1}])"),
             R"($.faults[0]: missing required field "node" (or "nodes"))"},
        Case{with_faults_and_expect(R"([{"kind": "host-crash", "node": "w", "nodes": ["v"], "at_s": 1}])"),
             R"($.faults[0]: give "node" or "nodes", not both)"},
        Case{with_faults_and_expect(R"([{"kind": "host-restart", "node": "w", "at_s": 1, "until_s": 2}])"),
             "$.faults[0].until_s: does not apply to host-restart faults"},
        Case{with_faults_and_expect(R"([{"kind": "message-delay", "at_s": 1, "delay_ms": 0}])"),
             "$.faults[0].delay_ms: must be greater than 0 (got 0)"},
        Case{with_faults_and_expect(R"([{"kind": "message-loss", "at_s": 1}])"),
             R"($.faults[0]: missing required field "fraction")"},
        Case{with_faults_and_expect(R"([{"kind": "host-crash", "node": "w", "at_s": 1, "until_s": 61}])"),
             "$.faults[0].until_s: 61 s is after the end of the run (duration_s 60)"},
        Case{with_faults_and_expect(R"([{"kind": "host-crash", "nodes": [], "at_s": 1}])"),
             "$.faults[0].nodes: must name at least one node"},
        Case{with_faults_and_expect("[]", R"([{"event": "x", "within_s": [0, 1]}])"),
             R"($.expect[0].within_s: needs "after_fault")"},
        Case{with_faults_and_expect(R"([{"kind": "host-crash", "node": "w", "at_s": 1}])",
                                    R"([{"event": "x", "after_fault": 0, "from": "end"}])"),
             "$.expect[0].from: fault 0 has no until_s, so it has no end"},
        Case{with_faults_and_expect(R"([{"kind": "host-crash", "node": "w", "at_s": 1, "label": "boom"}])",
                                    R"([{"event": "x", "after_fault": "bom"}])"),
             R"($.expect[0].after_fault: no fault labelled "bom" (did you mean "boom"?))"},
        Case{with_faults_and_expect("[]", R"([{"event": "x", "node": "nobody"}])"),
             R"($.expect[0].node: no node named "nobody")"},
        Case{with_faults_and_expect("[]", R"([{"event": "x", "count": {"min": 3, "max": 1}}])"),
             "$.expect[0].count: min (3) exceeds max (1)"},
        Case{with_faults_and_expect("[]", R"([{"event": "x", "fields": {"host": [1]}}])"),
             "$.expect[0].fields.host: expected a string, number or boolean"},
        Case{with_faults_and_expect("[]", R"([{"evnt": "x"}])"),
             R"($.expect[0].evnt: unknown field (did you mean "event"?))"},
        Case{with_faults_and_expect("[]", R"([{"event": "x"}], "seed": -3)"), "$.seed: must be an integer >= 0 (got -3)"},
        Case{with_faults_and_expect("[]", R"([], "lan_mode": "fast")"),
             R"($.lan_mode: unknown LAN mode "fast"; one of: local-queue, simgrid)"},
        Case{with_faults_and_expect("[]", R"([], "trace_level": "verbose")"),
             R"($.trace_level: unknown trace level "verbose")"},
        Case{R"({"roost_scenario": 1, "name": "t", "duration_s": 0, "sites": []})",
             "$.duration_s: must be greater than 0 (got 0)"},
        Case{R"({"roost_scenario": 1, "name": "t", "duration_s": 5, "sites": []})",
             "$.sites: a scenario needs at least one site"},
        Case{R"({"roost_scenario": 1, "name": "t", "duration_s": 5,
                 "sites": [{"name": "s", "nodes": [{"name": "sim", "role": "pulse-host"}]}]})",
             R"($.sites[0].nodes[0].name: the name "sim" is reserved)"},
        Case{R"({"roost_scenario": 1, "name": "t", "duration_s": 5,
                 "sites": [{"name": "s", "lan": {"loss": 2}, "nodes": [{"name": "h", "role": "pulse-host"}]}]})",
             "$.sites[0].lan.loss: must be within [0, 1] (got 2)"},
        Case{R"({"roost_scenario": 1, "name": "t", "duration_s": 5,
                 "sites": [{"name": "s", "nodes": [{"name": "h", "role": "pulse-host", "networks": ["mgmt", "mgmt"]}]}]})",
             R"($.sites[0].nodes[0].networks[1]: network "mgmt" listed twice)"},
        Case{R"({"name": "t", "duration_s": 5, "sites": [{"name": "s", "nodes": [{"name": "h", "role": "pulse-host"}]}]})",
             R"($: missing required field "roost_scenario")"}));

}  // namespace
}  // namespace roost::harness
