// The HA invariant checker (harness/ha_check.h) on hand-made traces: each invariant passes a good trace
// and fails a bad one, with the time and words it should.
#include <gtest/gtest.h>

#include "harness/ha_check.h"

namespace roost::harness {
namespace {

using nlohmann::json;
using core::LogFields;

constexpr const char* kC0 = "controller-0";
constexpr const char* kC1 = "controller-1";

sim::SimNodeSpec node(const std::string& name, const std::string& role, json config) {
  sim::SimNodeSpec n;
  n.node = core::NodeSpec{name, role, "lab", std::move(config)};
  return n;
}

// Two controllers (hello 200, dead 800, fail_pending 600: safety bound 1.8 s; initial_wait 5 s: liveness
// bound 5 + 0.8 + 0.6 + 5 = 11.4 s) and a probe verifying at 85 s with one swact at 30 s.
sim::SimConfig lab(std::vector<sim::FaultSpec> faults = {}) {
  sim::SimConfig c;
  c.duration = core::seconds(98);
  sim::SiteSpec site;
  site.name = "lab";
  const json timers{{"hello_ms", 200}, {"dead_ms", 800}, {"fail_pending_ms", 600}, {"initial_wait_ms", 5000}};
  json c0 = timers, c1 = timers;
  c0["peer"] = kC1;
  c1["peer"] = kC0;
  site.nodes.push_back(node(kC0, "sm-controller", c0));
  site.nodes.push_back(node(kC1, "sm-controller", c1));
  site.nodes.push_back(node("worker-0", "host-agent", {{"controllers", {"controller"}}}));
  site.nodes.push_back(node("probe", "ha-probe", {{"verify_at_ms", 85000}, {"swacts", {{{"at_ms", 30000}}}}}));
  c.sites.push_back(site);
  c.faults = std::move(faults);
  return c;
}

sim::FaultSpec fault(sim::FaultKind kind, double at, std::optional<double> until, std::vector<std::string> nodes = {}) {
  sim::FaultSpec f;
  f.kind = kind;
  f.at = core::at_seconds(at);
  if (until) f.until = core::at_seconds(*until);
  f.nodes = std::move(nodes);
  return f;
}
sim::FaultSpec partition(double at, std::optional<double> until) {
  auto f = fault(sim::FaultKind::Partition, at, until);
  f.groups = {{kC0}, {kC1, "worker-0"}};
  return f;
}
sim::FaultSpec cut(const std::string& who, core::Network net, double at, std::optional<double> until) {
  auto f = fault(sim::FaultKind::NetworkDown, at, until, {who});
  f.network = net;
  return f;
}

struct Trace {
  std::vector<sim::TraceRecord> records;
  Trace& add(double t, const std::string& node, const std::string& event, LogFields fields) {
    records.push_back({core::at_seconds(t), node, core::LogLevel::Info, event, std::move(fields)});
    return *this;
  }
  Trace& role(double t, const std::string& who, const std::string& role, const std::string& rule) {
    return add(t, who, "sm.role", {{"role", role}, {"term", 1}, {"rule", rule}, {"peer", who == kC0 ? kC1 : kC0}});
  }
  Trace& down(double t, const std::string& who) {
    return add(t, "sim", "node.down", {{"node", who}, {"reason", "crash"}, {"incarnation", 1}});
  }
  Trace& up(double t, const std::string& who) { return add(t, "sim", "node.up", {{"node", who}, {"incarnation", 2}}); }
  Trace& verify(double t, std::int64_t acked, std::int64_t missing, const std::string& keys = "") {
    return add(t, "probe", "probe.verify",
               {{"acked", acked}, {"present", acked - missing}, {"missing", missing}, {"missing_keys", keys},
                {"unacked_present", 0}});
  }
  Trace& swact(double t, bool ok, const std::string& to, std::int64_t at_ms = 30000) {
    return add(t, "probe", "probe.swact",
               {{"ok", ok}, {"error", ok ? "" : "refused"}, {"new_active", to}, {"force", false}, {"at_ms", at_ms}});
  }
  // The usual start: both initial, controller-0 active and controller-1 standby after the initial wait.
  static Trace settled() {
    Trace t;
    t.add(0, "probe", "probe.started", {{"target", "controller"}});
    t.role(0, kC0, "initial", "restart").role(0, kC1, "initial", "restart");
    t.role(5, kC0, "active", "initial-wait").role(5.2, kC1, "standby", "peer-active");
    return t;
  }
  // What a clean swact at 30 s looks like, then the verification.
  Trace& clean_end() {
    role(30.010, kC0, "standby", "swact").role(30.020, kC1, "active", "swact").swact(30.030, true, kC1);
    return verify(85, 300, 0);
  }
};

std::vector<HaViolation> of(const HaReport& r, const std::string& invariant) {
  std::vector<HaViolation> out;
  for (const auto& v : r.violations)
    if (v.invariant == invariant) out.push_back(v);
  return out;
}
const HaInvariantVerdict& verdict(const HaReport& r, const std::string& invariant) {
  for (const auto& v : r.verdicts)
    if (v.invariant == invariant) return v;
  throw std::logic_error("no verdict " + invariant);
}

TEST(HaCheck, ACleanRunPassesEveryInvariant) {
  const auto r = check_ha(lab(), Trace::settled().clean_end().records, HaMode::Liveness);
  EXPECT_TRUE(r.ok()) << describe(r);
  for (const char* inv : {"safety", "liveness", "durability", "swact"})
    EXPECT_EQ(verdict(r, inv).state, HaVerdictState::Pass) << inv << ": " << verdict(r, inv).note;
  EXPECT_EQ(r.controllers, (std::vector<std::string>{kC0, kC1}));
  EXPECT_EQ(safety_bound(r.timers), core::milliseconds(1800));
  EXPECT_EQ(liveness_bound(r.timers), core::milliseconds(11400));
}

TEST(HaCheck, SafetyFailsOnTwoActivesThatCouldTalk) {
  auto t = Trace::settled();
  t.role(20, kC1, "active", "peer-dead").role(23, kC1, "standby", "higher-term").clean_end();
  const auto r = check_ha(lab(), t.records, HaMode::Safety);
  const auto v = of(r, "safety");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_EQ(v[0].at, core::at_seconds(21.8));  // 20 s + the 1.8 s bound
  EXPECT_NE(v[0].explanation.find("controller-0 and controller-1 both active from 20.000 s to 23.000 s"),
            std::string::npos)
      << v[0].explanation;
  EXPECT_NE(v[0].explanation.find("mgmt, cluster-host, oam"), std::string::npos) << v[0].explanation;
  EXPECT_NE(v[0].explanation.find("controller-0 active since 5.000 s (initial-wait), controller-1 active since 20.000 s "
                                  "(peer-dead)"),
            std::string::npos)
      << v[0].explanation;
  EXPECT_EQ(verdict(r, "safety").state, HaVerdictState::Fail);
  // Within the bound: allowed.
  auto brief = Trace::settled();
  brief.role(20, kC1, "active", "peer-dead").role(21.7, kC1, "standby", "higher-term").clean_end();
  EXPECT_TRUE(of(check_ha(lab(), brief.records, HaMode::Safety), "safety").empty());
}

TEST(HaCheck, SafetyAllowsTwoActivesWhileNoPathWorksAndCountsFromTheHeal) {
  auto t = Trace::settled();
  t.role(20, kC1, "active", "peer-dead").role(31, kC1, "standby", "higher-term");
  t.verify(85, 300, 0);
  // Partitioned 15..30 s: 20..30 is excused, 30..31 is within the bound.
  auto r = check_ha(lab({partition(15, 30)}), t.records, HaMode::Safety);
  EXPECT_TRUE(of(r, "safety").empty()) << describe(r);
  // Healed at 28 s: 28..31 is 3 s with a working path.
  r = check_ha(lab({partition(15, 28)}), t.records, HaMode::Safety);
  auto v = of(r, "safety");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_EQ(v[0].at, core::at_seconds(29.8));
  // A partition that leaves both controllers on one side separates nothing.
  auto same_side = partition(15, 40);
  same_side.groups = {{kC0, kC1}, {"worker-0"}};
  EXPECT_EQ(of(check_ha(lab({same_side}), t.records, HaMode::Safety), "safety").size(), 1u);
}

TEST(HaCheck, SafetyNeedsEveryNetworkCutOrLostBeforeItExcusesTwoActives) {
  auto t = Trace::settled();
  t.role(20, kC1, "active", "peer-dead").role(40, kC1, "standby", "higher-term").verify(85, 300, 0);
  const std::vector<sim::FaultSpec> all_cut{cut(kC0, core::Network::Management, 15, 45),
                                            cut(kC1, core::Network::ClusterHost, 15, 45),
                                            cut(kC0, core::Network::Oam, 15, 45)};
  EXPECT_TRUE(of(check_ha(lab(all_cut), t.records, HaMode::Safety), "safety").empty());
  // oam still works: not excused.
  auto r = check_ha(lab({all_cut[0], all_cut[1]}), t.records, HaMode::Safety);
  auto v = of(r, "safety");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_NE(v[0].explanation.find("(oam at 20.000 s)"), std::string::npos) << v[0].explanation;
  // Losing every datagram of controller-1 breaks every path; losing 30% does not.
  auto loss = fault(sim::FaultKind::MessageLoss, 15, 45, {kC1});
  loss.fraction = 1.0;
  EXPECT_TRUE(of(check_ha(lab({loss}), t.records, HaMode::Safety), "safety").empty());
  loss.fraction = 0.3;
  EXPECT_EQ(of(check_ha(lab({loss}), t.records, HaMode::Safety), "safety").size(), 1u);
  // Loss on one network only leaves the others.
  loss.fraction = 1.0;
  loss.network = core::Network::Management;
  EXPECT_EQ(of(check_ha(lab({loss}), t.records, HaMode::Safety), "safety").size(), 1u);
}

TEST(HaCheck, SafetyAddsAMessageDelayToTheBound) {
  auto t = Trace::settled();
  t.role(20, kC1, "active", "peer-dead").role(23.5, kC1, "standby", "higher-term").verify(85, 300, 0);
  auto delay = fault(sim::FaultKind::MessageDelay, 19, 22, {kC0});
  delay.fraction = 1.0;
  delay.delay = core::seconds(2);
  EXPECT_TRUE(of(check_ha(lab({delay}), t.records, HaMode::Safety), "safety").empty());  // 3.5 <= 1.8 + 2
  delay.delay = core::milliseconds(500);
  EXPECT_EQ(of(check_ha(lab({delay}), t.records, HaMode::Safety), "safety").size(), 1u);  // 3.5 > 2.3
}

TEST(HaCheck, ADownControllerHoldsNoRoleUntilItLogsOneAgain) {
  auto t = Trace::settled();
  t.down(20, kC0).role(21.5, kC1, "active", "peer-dead");
  t.up(24, kC0).role(24, kC0, "initial", "restart").role(29, kC0, "standby", "peer-active").verify(85, 300, 0);
  auto r = check_ha(lab({fault(sim::FaultKind::HostCrash, 20, 22, {kC0})}), t.records, HaMode::Liveness);
  EXPECT_TRUE(of(r, "safety").empty()) << describe(r);
  EXPECT_TRUE(of(r, "liveness").empty()) << describe(r);
  // A restarted controller that claims active at once while its peer is active and reachable.
  auto bad = Trace::settled();
  bad.down(20, kC0).role(21.5, kC1, "active", "peer-dead");
  bad.up(24, kC0).role(24, kC0, "active", "restart").verify(85, 300, 0);
  r = check_ha(lab({fault(sim::FaultKind::HostCrash, 20, 22, {kC0})}), bad.records, HaMode::Safety);
  const auto v = of(r, "safety");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_EQ(v[0].at, core::at_seconds(25.8));
}

TEST(HaCheck, LivenessNeedsExactlyOneActiveAfterTheBound) {
  // Faults settle at 30 s (partition healed); deadline 41.4 s.
  auto none = Trace::settled();
  none.role(20, kC0, "standby", "isolated").role(35, kC1, "outdated", "outdated").verify(85, 300, 0);
  auto r = check_ha(lab({partition(15, 30)}), none.records, HaMode::Liveness);
  auto v = of(r, "liveness");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_EQ(v[0].at, core::at_seconds(41.4));
  EXPECT_NE(v[0].explanation.find("no controller active from 41.400 s to 98.000 s"), std::string::npos)
      << v[0].explanation;
  // Settled in time, then lost again after the deadline.
  auto flap = Trace::settled();
  flap.role(50, kC0, "standby", "health").role(52, kC1, "active", "peer-dead").verify(85, 300, 0);
  r = check_ha(lab({partition(15, 30)}), flap.records, HaMode::Liveness);
  v = of(r, "liveness");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_NE(v[0].explanation.find("from 50.000 s to 52.000 s (after the deadline"), std::string::npos)
      << v[0].explanation;
  // The same trace in safety mode: liveness is not judged.
  r = check_ha(lab({partition(15, 30)}), flap.records, HaMode::Safety);
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(verdict(r, "liveness").state, HaVerdictState::NotChecked);
}

TEST(HaCheck, LivenessModeRefusesAFaultThatNeverHeals) {
  try {
    check_ha(lab({partition(15, std::nullopt)}), Trace::settled().records, HaMode::Liveness);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "HA check: liveness mode needs every fault to heal, but fault 0 (partition) has no until");
  }
  EXPECT_NO_THROW(check_ha(lab({partition(15, std::nullopt)}), Trace::settled().records, HaMode::Safety));
}

TEST(HaCheck, DurabilityNeedsEveryAcknowledgedWrite) {
  auto lost = Trace::settled();
  lost.verify(85, 300, 2, "probe=probe.write=7,probe=probe.write=8");
  auto r = check_ha(lab(), lost.records, HaMode::Safety);
  auto v = of(r, "durability");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].explanation,
            "probe: 2 of 300 acknowledged writes missing from the active: probe=probe.write=7,probe=probe.write=8");
  // Skipped (no active): fine in safety mode, a violation in liveness mode.
  auto skipped = Trace::settled();
  skipped.add(95, "probe", "probe.verify", {{"skipped", "no active"}, {"error", "unreachable"}, {"acked", 300}});
  r = check_ha(lab(), skipped.records, HaMode::Safety);
  EXPECT_TRUE(of(r, "durability").empty()) << describe(r);
  r = check_ha(lab(), skipped.records, HaMode::Liveness);
  ASSERT_EQ(of(r, "durability").size(), 1u) << describe(r);
  // Never verified although the run lasted long enough.
  r = check_ha(lab(), Trace::settled().records, HaMode::Safety);
  v = of(r, "durability");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_EQ(v[0].explanation, "probe never logged probe.verify (verify at 85.000 s)");
}

TEST(HaCheck, SwactsMustBreakBeforeMakeWithinOneSecond) {
  auto slow = Trace::settled();
  slow.role(30.010, kC0, "standby", "swact").role(31.5, kC1, "active", "swact").swact(31.6, true, kC1).verify(85, 300, 0);
  auto r = check_ha(lab(), slow.records, HaMode::Safety);
  auto v = of(r, "swact");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_EQ(v[0].at, core::at_seconds(31.010));
  EXPECT_NE(v[0].explanation.find("no active for 1.490 s"), std::string::npos) << v[0].explanation;

  auto overlap = Trace::settled();
  overlap.role(30.020, kC1, "active", "swact").role(30.050, kC0, "standby", "swact").swact(30.06, true, kC1);
  r = check_ha(lab(), overlap.verify(85, 300, 0).records, HaMode::Safety);
  v = of(r, "swact");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_NE(v[0].explanation.find("make before break"), std::string::npos) << v[0].explanation;

  // The answer comes when the active accepts (before it lets go of the floating name); a rollback that
  // brings activity back within the bound is fine, a slow one is not.
  auto rollback = Trace::settled();
  rollback.swact(30.0005, true, kC1).role(30.001, kC0, "standby", "swact").role(30.9, kC0, "active", "swact-rollback");
  r = check_ha(lab(), rollback.verify(85, 300, 0).records, HaMode::Safety);
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_NE(verdict(r, "swact").note.find("1 accepted swact(s) judged (1 rolled back)"), std::string::npos)
      << verdict(r, "swact").note;
  auto slow_rollback = Trace::settled();
  slow_rollback.swact(30.0005, true, kC1).role(30.001, kC0, "standby", "swact").role(31.6, kC0, "active", "swact-rollback");
  r = check_ha(lab(), slow_rollback.verify(85, 300, 0).records, HaMode::Safety);
  v = of(r, "swact");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_NE(v[0].explanation.find("no active for 1.599 s (30.001 s to 31.600 s, rolled back to controller-0)"),
            std::string::npos)
      << v[0].explanation;
  auto nobody = Trace::settled();
  nobody.swact(30.0005, true, kC1).role(30.001, kC0, "standby", "swact");
  r = check_ha(lab(), nobody.verify(85, 300, 0).records, HaMode::Safety);
  v = of(r, "swact");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_NE(v[0].explanation.find("no controller active after controller-0 left at 30.001 s"), std::string::npos)
      << v[0].explanation;
  // A partition during the swact excuses the slow rollback: the takeover could not get through.
  r = check_ha(lab({partition(30, 35)}), slow_rollback.records, HaMode::Safety);
  EXPECT_TRUE(of(r, "swact").empty()) << describe(r);
  EXPECT_NE(verdict(r, "swact").note.find("1 excused by a fault"), std::string::npos) << verdict(r, "swact").note;

  auto phantom = Trace::settled();
  phantom.swact(30.1, true, kC1).verify(85, 300, 0);
  r = check_ha(lab(), phantom.records, HaMode::Safety);
  v = of(r, "swact");
  ASSERT_EQ(v.size(), 1u) << describe(r);
  EXPECT_NE(v[0].explanation.find("controller-0 never left active"), std::string::npos) << v[0].explanation;

  // A refused swact is no violation, and leaves the invariant unjudged.
  auto refused = Trace::settled();
  refused.swact(30.1, false, "").verify(85, 300, 0);
  r = check_ha(lab(), refused.records, HaMode::Safety);
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(verdict(r, "swact").state, HaVerdictState::NotChecked);
}

TEST(HaCheck, CoverageListsRulesStatesAndFaultKinds) {
  auto t = Trace::settled();
  t.add(20, kC0, "sm.interface", {{"network", "mgmt"}, {"status", "lost"}, {"peer", kC1}});
  t.add(21, kC0, "sm.sync", {{"state", "away"}, {"peer", kC1}, {"seq", 4}});
  t.add(21, kC0, "sm.decision", {{"rule", "storage-0"}, {"outcome", "active"}, {"role", "active"}});
  t.add(30, kC0, "sm.swact", {{"phase", "requested"}, {"by", "probe"}, {"reason", ""}, {"to", kC1}});
  t.clean_end();
  const auto r = check_ha(lab({partition(15, 30), cut(kC0, core::Network::Oam, 12, 14)}), t.records, HaMode::Safety);
  EXPECT_EQ(r.coverage.rules, (std::set<std::string>{"restart", "initial-wait", "peer-active", "swact"}));
  EXPECT_EQ(r.coverage.items(),
            (std::vector<std::string>{"rule:initial-wait", "rule:peer-active", "rule:restart", "rule:swact",
                                      "decision:storage-0", "role:active", "role:initial", "role:standby", "interface:lost", "sync:away",
                                      "swact:requested", "fault:network-down", "fault:partition"}));
}

TEST(HaCheck, RefusesAConfigWithoutOnePair) {
  auto c = lab();
  c.sites[0].nodes.erase(c.sites[0].nodes.begin());
  try {
    check_ha(c, {}, HaMode::Safety);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "HA check: the config has 1 node(s) of role \"sm-controller\"; the checker judges exactly one pair");
  }
}

TEST(HaCheck, ReportRendersAsJsonAndText) {
  auto t = Trace::settled();
  t.role(20, kC1, "active", "peer-dead").role(23, kC1, "standby", "higher-term").clean_end();
  const auto r = check_ha(lab(), t.records, HaMode::Safety);
  const auto j = to_json(r);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["mode"], "safety");
  EXPECT_EQ(j["violations"][0]["invariant"], "safety");
  EXPECT_DOUBLE_EQ(j["violations"][0]["t"].get<double>(), 21.8);
  EXPECT_EQ(j["timers_ms"]["dead"], 800.0);
  const auto text = describe(r);
  EXPECT_NE(text.find("  safety      FAIL"), std::string::npos) << text;
  EXPECT_NE(text.find("   21.800 s  safety: controller-0 and controller-1"), std::string::npos) << text;
}

}  // namespace
}  // namespace roost::harness
