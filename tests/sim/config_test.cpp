// Configs that cannot run are refused up front, with a message naming what is wrong; results survive the
// trip through JSON exactly.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/result_json.h"
#include "tests/sim/fleet_builders.h"
#include "tests/sim/test_roles.h"

namespace roost::sim::testing {
namespace {

SimConfig small_fleet() {
  SimConfig c;
  c.sites = {site("s1", pulse_site_nodes("ctl", {"h1", "h2"}, 100, 3, core::Network::Management)),
             site("s2", {node("t", "test-ticker")})};
  return c;
}

std::string refusal(const SimConfig& c) {
  try {
    Simulation sim(c, test_roles());
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

void expect_refused(const SimConfig& c, const std::string& naming) {
  const std::string what = refusal(c);
  ASSERT_FALSE(what.empty()) << "config should be refused (" << naming << ")";
  EXPECT_NE(what.find(naming), std::string::npos) << what;
}

TEST(Config, AValidConfigIsAccepted) { EXPECT_EQ(refusal(small_fleet()), ""); }

TEST(Config, DuplicateNodeNamesAreRefused) {
  auto c = small_fleet();
  c.sites[1].nodes.push_back(node("h1", "test-ticker"));
  expect_refused(c, "duplicate node name 'h1'");
}

TEST(Config, DuplicateSiteNamesAreRefused) {
  auto c = small_fleet();
  c.sites[1].name = "s1";
  expect_refused(c, "duplicate site name 's1'");
}

TEST(Config, BadFloatingNamesAreRefused) {
  auto c = small_fleet();
  c.sites[0].floating = {"controller"};
  c.sites[1].floating = {"controller"};
  EXPECT_EQ(refusal(c), "") << "each site may have its own";
  c.sites[0].floating = {"t"};
  expect_refused(c, "site 's1' floating name 't' is also a node's name");
  c.sites[0].floating = {"controller", "controller"};
  expect_refused(c, "site 's1' floating name 'controller' is listed twice");
  c.sites[0].floating = {""};
  expect_refused(c, "site 's1' has an empty floating name");
  c.sites[0].floating = {"sim"};
  expect_refused(c, "'sim' is reserved");
}

TEST(Config, UnknownRolesAreRefusedNamingTheNode) {
  auto c = small_fleet();
  c.sites[1].nodes.push_back(node("x", "no-such-role"));
  expect_refused(c, "node 'x': unknown role 'no-such-role'");
}

TEST(Config, ARoleThatRejectsItsConfigIsRefusedNamingTheNode) {
  auto c = small_fleet();
  c.sites[0].nodes[0].node.config.erase("hosts");
  expect_refused(c, "node 'ctl' (role 'pulse-controller')");
}

TEST(Config, ANodeNamingAnotherSiteIsRefused) {
  auto c = small_fleet();
  c.sites[1].nodes[0].node.site = "s1";
  expect_refused(c, "node 't' is listed in site 's2'");
}

TEST(Config, FaultsNamingUnknownNodesOrSitesAreRefused) {
  auto c = small_fleet();
  FaultSpec f;
  f.kind = FaultKind::HostCrash;
  f.nodes = {"ghost"};
  f.label = "bad crash";
  c.faults = {f};
  expect_refused(c, "unknown node 'ghost'");
  expect_refused(c, "'bad crash'");

  f = {};
  f.kind = FaultKind::SiteWanDown;
  f.site = "atlantis";
  c.faults = {f};
  expect_refused(c, "unknown site 'atlantis'");

  f = {};
  f.kind = FaultKind::Partition;
  f.groups = {{"h1"}, {"ghost2"}};
  c.faults = {f};
  expect_refused(c, "unknown node 'ghost2'");
}

TEST(Config, FaultsMissingWhatTheyNeedAreRefused) {
  auto c = small_fleet();
  FaultSpec f;
  f.kind = FaultKind::NetworkDown;
  f.nodes = {"h1"};
  c.faults = {f};
  expect_refused(c, "needs a network");

  f = {};
  f.kind = FaultKind::Partition;
  f.groups = {{"h1"}};
  c.faults = {f};
  expect_refused(c, "exactly two groups");

  f = {};
  f.kind = FaultKind::MessageLoss;
  f.fraction = 1.5;
  c.faults = {f};
  expect_refused(c, "fraction");

  f = {};
  f.kind = FaultKind::HostCrash;
  f.at = core::at_seconds(2);
  f.until = core::at_seconds(1);
  c.faults = {f};
  expect_refused(c, "'until' must be after 'at'");
}

TEST(Config, BadLinksAndDurationsAreRefused) {
  auto c = small_fleet();
  c.sites[0].lan.loss = -0.1;
  expect_refused(c, "site 's1' lan");
  c = small_fleet();
  c.sites[1].wan.bandwidth_bps = 0;
  expect_refused(c, "site 's2' wan");
  c = small_fleet();
  c.duration = core::Duration(0);
  expect_refused(c, "duration");
}

TEST(Config, RunInChildValidatesInTheCaller) {
  auto c = small_fleet();
  c.sites[1].nodes.push_back(node("x", "no-such-role"));
  EXPECT_THROW(run_in_child(c, test_roles()), std::invalid_argument);
}

TEST(ResultJson, RoundTripKeepsTypesOrderAndOddDoubles) {
  SimResult r;
  r.trace_hash = std::string(64, 'a');
  r.stats.local_messages = 12;
  r.stats.link_failures = 2;
  r.stats.sim_seconds = 1.5;
  r.trace.push_back(TraceRecord{core::TimePoint(core::Duration(123456789)), "n1", core::LogLevel::Warn, "ev",
                                {{"z", std::int64_t{-5}}, {"a", 5.0}, {"b", true}, {"s", "text"}, {"nan", std::nan("")}}});
  const SimResult back = result_from_json(nlohmann::json::parse(result_to_json(r).dump()));
  EXPECT_EQ(back.trace_hash, r.trace_hash);
  EXPECT_EQ(back.stats.local_messages, 12u);
  EXPECT_EQ(back.stats.link_failures, 2u);
  ASSERT_EQ(back.trace.size(), 1u);
  const auto& f = back.trace[0].fields;
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(back.trace[0].t.time_since_epoch().count(), 123456789);
  EXPECT_EQ(back.trace[0].level, core::LogLevel::Warn);
  EXPECT_EQ(f[0].key, "z");
  EXPECT_EQ(std::get<std::int64_t>(f[0].value), -5);
  EXPECT_EQ(std::get<double>(f[1].value), 5.0);
  EXPECT_EQ(std::get<bool>(f[2].value), true);
  EXPECT_EQ(std::get<std::string>(f[3].value), "text");
  EXPECT_TRUE(std::isnan(std::get<double>(f[4].value)));
}

}  // namespace
}  // namespace roost::sim::testing
