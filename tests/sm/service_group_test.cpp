// The service group state machine (platform/sm/service_group) on a hand-driven Env: go-active / go-standby
// sequences, member impact -> group status, restart on failure, failure debounce and fatal, audits, action
// timeouts and re-targeting mid-way. Most tests drive members through ControlledActions (the test completes
// each action when it wants); others use the simulated plugin with fixed durations and rates.
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "platform/sm/service_actions.h"
#include "platform/sm/service_group.h"
#include "tests/unit/manual_env.h"

namespace roost::sm {
namespace {

using namespace std::chrono_literals;
using testing::CapturingLogger;
using testing::ManualEnv;

std::string text(const CapturingLogger::Record& r, const std::string& key) {
  for (const auto& f : r.fields)
    if (f.key == key) {
      if (auto* s = std::get_if<std::string>(&f.value)) return *s;
      if (auto* i = std::get_if<std::int64_t>(&f.value)) return std::to_string(*i);
      if (auto* b = std::get_if<bool>(&f.value)) return *b ? "true" : "false";
    }
  return "<none>";
}

// Every start/stop/audit of every member, in call order ("start a", "stop b").
using CallLog = std::vector<std::string>;

// A plugin whose actions complete only when the test says so.
class ControlledActions final : public ServiceActions {
 public:
  ControlledActions(std::string name, CallLog& log) : name_(std::move(name)), log_(log) {}
  std::string_view kind() const override { return "controlled"; }
  void start(ActionDone done) override { add("start", std::move(done)); }
  void stop(ActionDone done) override { add("stop", std::move(done)); }
  void audit(ActionDone done) override { add("audit", std::move(done)); }

  // The verb of the oldest uncompleted action ("" if none).
  std::string next() const { return pending_.empty() ? "" : pending_.front().first; }
  std::size_t pending() const { return pending_.size(); }
  // Completes the oldest action; returns its verb.
  std::string complete(ActionResult r = {}) {
    EXPECT_FALSE(pending_.empty()) << name_ << ": no action to complete";
    if (pending_.empty()) return "";
    auto [verb, done] = std::move(pending_.front());
    pending_.pop_front();
    done(std::move(r));
    return verb;
  }

 private:
  void add(const char* verb, ActionDone done) {
    log_.push_back(std::string(verb) + " " + name_);
    pending_.emplace_back(verb, std::move(done));
  }
  std::string name_;
  CallLog& log_;
  std::deque<std::pair<std::string, ActionDone>> pending_;
};

ServiceSpec member(std::string name, Impact impact = Impact::Critical) {
  ServiceSpec s;
  s.name = std::move(name);
  s.impact = impact;
  s.actions = "controlled";
  s.action_timeout = 1s;
  s.audit_period = 5s;
  s.max_failures = 2;
  s.failure_debounce = 60s;
  return s;
}

class ServiceGroupTest : public ::testing::Test {
 protected:
  // A group of ControlledActions members.
  void make(std::vector<ServiceSpec> members, RedundancyModel model = RedundancyModel::OnePlusOne) {
    ServiceGroupSpec spec{"controller-services", model, std::move(members)};
    group = std::make_unique<ServiceGroup>(
        node, std::move(spec),
        [this](const ServiceSpec& s) {
          auto a = std::make_unique<ControlledActions>(s.name, calls);
          actions[s.name] = a.get();
          return a;
        },
        ServiceGroup::Listener{[this](GroupState st, GroupStatus status) {
          changes.push_back(std::string(to_string(st)) + "/" + std::string(to_string(status)));
          if (on_change) on_change(st, status);
        }});
  }

  ControlledActions& a(const std::string& name) { return *actions.at(name); }
  ServiceView view(const std::string& name) {
    for (auto& v : group->services())
      if (v.name == name) return v;
    ADD_FAILURE() << "no service " << name;
    return {};
  }
  std::string state_of(const std::string& name) { return std::string(to_string(view(name).state)); }
  // The sm.group records so far as "state/status".
  std::vector<std::string> group_log() {
    std::vector<std::string> out;
    for (const auto& r : env.logger.with_event("sm.group")) {
      EXPECT_EQ(text(r, "group"), "controller-services");
      out.push_back(text(r, "state") + "/" + text(r, "status"));
    }
    return out;
  }
  // Brings a group of members a, b, c to active.
  void activate_abc() {
    group->go_active();
    for (const char* n : {"a", "b", "c"}) {
      env.advance(0ms);
      ASSERT_EQ(a(n).next(), "start") << n;
      a(n).complete();
    }
    ASSERT_EQ(group->state(), GroupState::Active);
    calls.clear();
    changes.clear();
  }

  ManualEnv env{"controller-0"};
  core::Node node{env, core::NodeSpec{"controller-0", "sm-controller", "lab", {}}};
  CallLog calls;
  std::map<std::string, ControlledActions*> actions;
  std::vector<std::string> changes;
  std::function<void(GroupState, GroupStatus)> on_change;
  std::unique_ptr<ServiceGroup> group;
};

TEST_F(ServiceGroupTest, GoActiveStartsMembersOneAfterAnotherInOrder) {
  make({member("a"), member("b"), member("c")});
  EXPECT_EQ(group->state(), GroupState::Initial);
  group->go_active();
  EXPECT_EQ(group->state(), GroupState::GoActive);
  EXPECT_FALSE(group->stable());
  EXPECT_EQ(calls, (CallLog{"start a"}));
  EXPECT_EQ(state_of("a"), "enabling");
  EXPECT_EQ(state_of("b"), "initial");
  a("a").complete();
  EXPECT_EQ(state_of("a"), "enabled-active");
  EXPECT_EQ(calls, (CallLog{"start a", "start b"}));
  a("b").complete();
  EXPECT_EQ(group->state(), GroupState::GoActive);
  a("c").complete();
  EXPECT_EQ(calls, (CallLog{"start a", "start b", "start c"}));
  EXPECT_EQ(group->state(), GroupState::Active);
  EXPECT_EQ(group->status(), GroupStatus::None);
  EXPECT_TRUE(group->stable());
  EXPECT_EQ(group_log(), (std::vector<std::string>{"go-active/none", "active/none"}));
  EXPECT_EQ(changes, group_log());
  // Each member's changes are logged as sm.service.
  std::vector<std::string> a_states;
  for (const auto& r : env.logger.with_event("sm.service"))
    if (text(r, "service") == "a") a_states.push_back(text(r, "state"));
  EXPECT_EQ(a_states, (std::vector<std::string>{"enabling", "enabled-active"}));
  // Asking again changes nothing.
  group->go_active();
  EXPECT_EQ(calls.size(), 3u);
}

TEST_F(ServiceGroupTest, GoStandbyStopsMembersInReverseOrder) {
  make({member("a"), member("b"), member("c")});
  activate_abc();
  group->go_standby();
  EXPECT_EQ(group->state(), GroupState::GoStandby);
  for (const char* n : {"c", "b", "a"}) {
    ASSERT_EQ(a(n).next(), "stop") << n;
    EXPECT_EQ(state_of(n), "disabling");
    a(n).complete();
    EXPECT_EQ(state_of(n), "enabled-standby");
  }
  EXPECT_EQ(calls, (CallLog{"stop c", "stop b", "stop a"}));
  EXPECT_EQ(group->state(), GroupState::Standby);
  EXPECT_TRUE(group->stable());
  EXPECT_EQ(changes, (std::vector<std::string>{"go-standby/none", "standby/none"}));
}

TEST_F(ServiceGroupTest, AFreshGroupGoingStandbyStopsEveryMemberToKnowItIsStopped) {
  make({member("a"), member("b")});
  group->go_standby();
  EXPECT_EQ(calls, (CallLog{"stop b"}));
  a("b").complete();
  a("a").complete();
  EXPECT_EQ(group->state(), GroupState::Standby);
  // Standby -> disabled needs no action: both are known to be stopped.
  calls.clear();
  group->disable();
  EXPECT_TRUE(calls.empty());
  EXPECT_EQ(group->state(), GroupState::Disabled);
  EXPECT_EQ(state_of("a"), "disabled");
  EXPECT_EQ(changes, (std::vector<std::string>{"go-standby/none", "standby/none", "disabling/none", "disabled/none"}));
}

TEST_F(ServiceGroupTest, MemberImpactSetsTheGroupStatus) {
  std::vector<ServiceSpec> members{member("a", Impact::Minor), member("b", Impact::Major), member("c", Impact::Critical)};
  for (auto& m : members) m.action_timeout = 60s;  // recoveries wait for the test below
  make(members);
  activate_abc();
  auto fail_audit = [&](const char* n) {
    env.advance(5s);  // every member is audited
    for (const char* m : {"a", "b", "c"})
      if (a(m).next() == "audit") a(m).complete(std::string(m) == n ? ActionResult{false, "audit: broken"} : ActionResult{});
  };
  fail_audit("a");
  EXPECT_EQ(group->status(), GroupStatus::Warn);
  EXPECT_EQ(state_of("a"), "failed");
  EXPECT_EQ(view("a").last_error, "audit: broken");
  EXPECT_EQ(group->state(), GroupState::Active);  // the group stays active while a member recovers
  EXPECT_FALSE(group->stable());
  // b fails while a is being restarted: the worst impact wins.
  fail_audit("b");
  EXPECT_EQ(group->status(), GroupStatus::Degraded);
  fail_audit("c");
  EXPECT_EQ(group->status(), GroupStatus::Failed);
  // Recovery, one at a time in order: a (stop, start), b, c.
  std::vector<std::string> statuses;
  for (const char* n : {"a", "b", "c"}) {
    ASSERT_EQ(a(n).complete(), "stop") << n;
    EXPECT_EQ(state_of(n), "enabling");  // started again at once
    EXPECT_NE(group->status(), GroupStatus::None);  // still counts until it runs again
    ASSERT_EQ(a(n).complete(), "start") << n;
    EXPECT_EQ(state_of(n), "enabled-active");
    statuses.emplace_back(to_string(group->status()));
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"failed", "failed", "none"}));
  EXPECT_TRUE(group->stable());
  EXPECT_EQ(changes, (std::vector<std::string>{"active/warn", "active/degraded", "active/failed", "active/none"}));
  const auto failed = env.logger.with_event("sm.service");
  int failures = 0;
  for (const auto& r : failed)
    if (text(r, "state") == "failed") {
      ++failures;
      EXPECT_EQ(text(r, "error"), "audit: broken");
    }
  EXPECT_EQ(failures, 3);
}

TEST_F(ServiceGroupTest, AuditsEveryAuditPeriodWhileActive) {
  make({member("a")});
  group->go_active();
  a("a").complete();
  int audits = 0;
  for (int i = 0; i < 4; ++i) {
    env.advance(4999ms);
    EXPECT_EQ(a("a").pending(), 0u) << "audited before its period";
    env.advance(1ms);
    ASSERT_EQ(a("a").next(), "audit");
    a("a").complete();
    ++audits;
  }
  EXPECT_EQ(audits, 4);
  EXPECT_EQ(view("a").failures, 0);
  // Standby: no audits.
  group->go_standby();
  a("a").complete();
  env.advance(20s);
  EXPECT_EQ(a("a").pending(), 0u);
}

TEST_F(ServiceGroupTest, AMemberFailingMoreThanMaxFailuresWithinTheDebounceIsFatal) {
  auto s = member("a");
  s.max_failures = 2;
  s.failure_debounce = 60s;
  auto b = member("b", Impact::Major);
  b.audit_period = 3600s;  // b just runs
  make({s, b});
  group->go_active();
  // Three failed starts within the debounce window: the third is one too many.
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(a("a").next(), "start");
    env.advance(500ms);  // time moves, but stays within 60 s (and the 1 s action timeout)
    a("a").complete({false, "start: exit status " + std::to_string(i)});
    EXPECT_EQ(view("a").failures, i);
    EXPECT_EQ(view("a").fatal, i == 3);
    if (i < 3) {
      ASSERT_EQ(a("a").complete(), "stop");  // the restart: stop what is left, start again
    }
  }
  // Fatal: left failed, not restarted; the group goes on with b and settles active, status failed.
  EXPECT_EQ(state_of("a"), "failed");
  EXPECT_EQ(view("a").last_error, "start: exit status 3");
  ASSERT_EQ(a("b").next(), "start");
  a("b").complete();
  EXPECT_EQ(group->state(), GroupState::Active);
  EXPECT_EQ(group->status(), GroupStatus::Failed);
  EXPECT_TRUE(group->stable());
  EXPECT_EQ(a("a").pending(), 0u);
  env.advance(120s);  // the window passing does not revive a fatal member
  EXPECT_EQ(state_of("a"), "failed");
  EXPECT_TRUE(view("a").fatal);

  // Going standby tries one stop of the fatal member; it stays failed (fatal) on the standby side.
  calls.clear();
  group->go_standby();
  a("b").complete();
  ASSERT_EQ(a("a").next(), "stop");
  a("a").complete();
  EXPECT_EQ(group->state(), GroupState::Standby);
  EXPECT_EQ(state_of("a"), "failed");
  EXPECT_EQ(group->status(), GroupStatus::Failed);
  // Disabling clears it; enabling again starts it.
  group->disable();
  EXPECT_EQ(group->state(), GroupState::Disabled);
  EXPECT_EQ(group->status(), GroupStatus::None);
  EXPECT_FALSE(view("a").fatal);
  EXPECT_EQ(view("a").failures, 0);
  EXPECT_EQ(state_of("a"), "disabled");
  group->go_active();
  EXPECT_EQ(a("a").next(), "start");
}

TEST_F(ServiceGroupTest, FailuresFurtherApartThanTheDebounceNeverAddUpToFatal) {
  auto s = member("a");
  s.max_failures = 1;
  s.failure_debounce = 10s;
  s.audit_period = 11s;
  make({s});
  group->go_active();
  a("a").complete();
  for (int i = 0; i < 5; ++i) {
    env.advance(11s);
    ASSERT_EQ(a("a").next(), "audit");
    a("a").complete({false, "audit: gone"});
    EXPECT_EQ(view("a").failures, 1) << "round " << i;
    EXPECT_FALSE(view("a").fatal);
    ASSERT_EQ(a("a").complete(), "stop");
    ASSERT_EQ(a("a").complete(), "start");
    EXPECT_EQ(state_of("a"), "enabled-active");
  }
}

TEST_F(ServiceGroupTest, AnActionThatTakesLongerThanItsTimeoutFailsAndItsLateAnswerIsIgnored) {
  auto s = member("a");
  s.action_timeout = 1s;
  s.max_failures = 10;
  make({s});
  group->go_active();
  env.advance(999ms);
  EXPECT_EQ(state_of("a"), "enabling");
  env.advance(1ms);
  EXPECT_EQ(state_of("a"), "failed");
  EXPECT_EQ(view("a").last_error, "start: timed out after 1000 ms");
  EXPECT_EQ(group->status(), GroupStatus::Failed);
  // The timed-out start's answer comes late: ignored (the restart's stop is what counts now).
  ASSERT_EQ(a("a").pending(), 2u);
  EXPECT_EQ(a("a").complete(), "start");
  EXPECT_EQ(state_of("a"), "failed");
  EXPECT_EQ(a("a").complete(), "stop");
  EXPECT_EQ(a("a").complete(), "start");
  EXPECT_EQ(state_of("a"), "enabled-active");
  EXPECT_EQ(group->status(), GroupStatus::None);
  // An audit that never answers times out too.
  env.advance(5s);
  ASSERT_EQ(a("a").next(), "audit");
  env.advance(1s);
  EXPECT_EQ(view("a").last_error, "audit: timed out after 1000 ms");
  // A stop that never answers (going standby) is a failure as well: it is retried.
  a("a").complete();  // the stale audit
  a("a").complete();  // the restart's stop
  a("a").complete();  // the restart's start
  group->go_standby();
  ASSERT_EQ(a("a").next(), "stop");
  env.advance(1s);
  EXPECT_EQ(view("a").last_error, "stop: timed out after 1000 ms");
  EXPECT_EQ(a("a").pending(), 2u);  // the retry
}

TEST_F(ServiceGroupTest, GoStandbyMidwayThroughGoActiveStopsWhatWasStarted) {
  make({member("a"), member("b"), member("c")});
  group->go_active();
  a("a").complete();
  ASSERT_EQ(a("b").next(), "start");
  group->go_standby();  // b's start is in flight: it finishes first
  EXPECT_EQ(group->state(), GroupState::GoStandby);
  EXPECT_EQ(calls, (CallLog{"start a", "start b"}));
  a("b").complete();
  // Then everything in reverse: c (never started, stopped to be sure), b, a.
  for (const char* n : {"c", "b", "a"}) {
    ASSERT_EQ(a(n).next(), "stop") << n;
    a(n).complete();
  }
  EXPECT_EQ(calls, (CallLog{"start a", "start b", "stop c", "stop b", "stop a"}));
  EXPECT_EQ(group->state(), GroupState::Standby);
  EXPECT_EQ(changes, (std::vector<std::string>{"go-active/none", "go-standby/none", "standby/none"}));
}

TEST_F(ServiceGroupTest, GoActiveMidwayThroughGoStandbyStartsWhatWasStopped) {
  make({member("a"), member("b"), member("c")});
  activate_abc();
  group->go_standby();
  a("c").complete();
  ASSERT_EQ(a("b").next(), "stop");
  group->go_active();
  EXPECT_EQ(group->state(), GroupState::GoActive);
  a("b").complete();
  // a never stopped; b and c start again, in order.
  for (const char* n : {"b", "c"}) {
    ASSERT_EQ(a(n).next(), "start") << n;
    a(n).complete();
  }
  EXPECT_EQ(calls, (CallLog{"stop c", "stop b", "start b", "start c"}));
  EXPECT_EQ(group->state(), GroupState::Active);
  EXPECT_TRUE(group->stable());
}

TEST_F(ServiceGroupTest, AnAuditFailingWhileTheGroupGoesStandbyIsNotAFailure) {
  make({member("a"), member("b")});
  group->go_active();
  a("a").complete();
  a("b").complete();
  env.advance(5s);
  ASSERT_EQ(a("a").next(), "audit");
  ASSERT_EQ(a("b").next(), "audit");
  group->go_standby();
  EXPECT_EQ(a("b").pending(), 2u);  // its audit is superseded by the stop
  a("a").complete({false, "audit: mid-way"});
  EXPECT_EQ(state_of("a"), "enabled-active");
  EXPECT_EQ(view("a").failures, 0);
  EXPECT_EQ(group->status(), GroupStatus::None);
  ASSERT_EQ(a("b").complete({false, "audit: stale"}), "audit");
  EXPECT_EQ(view("b").failures, 0);
  ASSERT_EQ(a("b").complete(), "stop");
  ASSERT_EQ(a("a").complete(), "stop");
  EXPECT_EQ(group->state(), GroupState::Standby);
  EXPECT_EQ(group->status(), GroupStatus::None);
  EXPECT_TRUE(env.logger.with_event("sm.service").size() > 0);
  for (const auto& r : env.logger.with_event("sm.service")) EXPECT_NE(text(r, "state"), "failed");
}

TEST_F(ServiceGroupTest, DisableMidwayThroughGoActiveEndsDisabled) {
  make({member("a"), member("b")});
  group->go_active();
  group->disable();
  EXPECT_EQ(group->state(), GroupState::Disabling);
  a("a").complete();  // the start in flight
  ASSERT_EQ(a("b").next(), "stop");
  a("b").complete();
  ASSERT_EQ(a("a").next(), "stop");
  a("a").complete();
  EXPECT_EQ(group->state(), GroupState::Disabled);
  EXPECT_EQ(state_of("a"), "disabled");
  EXPECT_EQ(state_of("b"), "disabled");
}

TEST_F(ServiceGroupTest, AListenerMayReTargetTheGroupFromItsCallback) {
  make({member("a"), member("b", Impact::Minor)});
  // What a controller does: a failed group goes standby (the peer takes over).
  on_change = [this](GroupState, GroupStatus status) {
    if (status == GroupStatus::Failed) group->go_standby();
  };
  group->go_active();
  a("a").complete({false, "start: cannot bind"});
  EXPECT_EQ(group->state(), GroupState::GoStandby);
  // The restart's stop of a was issued before the re-target; then b (never started) and a are stopped.
  ASSERT_EQ(a("a").complete(), "stop");
  ASSERT_EQ(a("b").complete(), "stop");
  EXPECT_EQ(group->state(), GroupState::Standby);
  EXPECT_EQ(group->status(), GroupStatus::None);
  // a stopped cleanly on the way to standby: it no longer counts against the group.
  EXPECT_EQ(changes, (std::vector<std::string>{"go-active/none", "go-active/failed", "go-standby/failed",
                                               "go-standby/none", "standby/none"}));
}

TEST_F(ServiceGroupTest, ToJsonIsTheSmDumpView) {
  make({member("a"), member("b", Impact::Major)}, RedundancyModel::N);
  group->go_active();
  a("a").complete({false, "start: no"});
  const auto j = group->to_json();
  EXPECT_EQ(j["name"], "controller-services");
  EXPECT_EQ(j["redundancy"], "N");
  EXPECT_EQ(j["state"], "go-active");
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["desired"], "active");
  EXPECT_EQ(j["stable"], false);
  ASSERT_EQ(j["services"].size(), 2u);
  EXPECT_EQ(j["services"][0]["name"], "a");
  EXPECT_EQ(j["services"][0]["state"], "failed");
  EXPECT_EQ(j["services"][0]["impact"], "critical");
  EXPECT_EQ(j["services"][0]["actions"], "controlled");
  EXPECT_EQ(j["services"][0]["failures"], 1);
  EXPECT_EQ(j["services"][0]["last_error"], "start: no");
  EXPECT_EQ(j["services"][1]["state"], "initial");
  EXPECT_FALSE(j["services"][1].contains("last_error"));
}

TEST_F(ServiceGroupTest, DestroyingTheGroupMidActionIsSafe) {
  make({member("a")});
  group->go_active();
  actions.clear();
  group.reset();        // the plugin goes with it; its timeout timer is cancelled
  env.advance(10s);     // nothing fires into the dead group
  SUCCEED();
}

TEST_F(ServiceGroupTest, BadMembersAreRejectedNamingThem) {
  ServiceGroupSpec dup{"g", RedundancyModel::OnePlusOne, {member("a"), member("a")}};
  try {
    ServiceGroup g(node, dup, [&](const ServiceSpec& s) { return std::make_unique<ControlledActions>(s.name, calls); }, {});
    FAIL() << "accepted two members named a";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "service group g: two members are named a");
  }
  ServiceGroupSpec one{"g", RedundancyModel::OnePlusOne, {member("a")}};
  try {
    ServiceGroup g(node, one, [](const ServiceSpec&) { return std::unique_ptr<ServiceActions>(); }, {});
    FAIL() << "accepted a member without actions";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "service group g: member a: no actions of kind \"controlled\"");
  }
}

// --- parse_service_group --------------------------------------------------------------------------------

TEST(ParseServiceGroup, ReadsEveryKeyWithDefaults) {
  const auto g = parse_service_group(nlohmann::json::parse(R"({
    "name": "controller-services", "redundancy": "1+1",
    "members": [
      {"name": "fm", "actions": "internal"},
      {"name": "web", "impact": "minor", "actions": "process", "config": {"command": ["/bin/sleep", "9"]},
       "action_timeout_ms": 2500, "audit_period_ms": 1000, "max_failures": 5, "failure_debounce_ms": 30000}
    ]})"));
  EXPECT_EQ(g.name, "controller-services");
  EXPECT_EQ(g.model, RedundancyModel::OnePlusOne);
  ASSERT_EQ(g.members.size(), 2u);
  EXPECT_EQ(g.members[0].impact, Impact::Critical);
  EXPECT_EQ(g.members[0].action_timeout, core::seconds(10));
  EXPECT_EQ(g.members[0].audit_period, core::seconds(40));
  EXPECT_EQ(g.members[0].max_failures, 3);
  EXPECT_EQ(g.members[0].failure_debounce, core::seconds(300));
  EXPECT_EQ(g.members[1].impact, Impact::Minor);
  EXPECT_EQ(g.members[1].actions, "process");
  EXPECT_EQ(g.members[1].config["command"][1], "9");
  EXPECT_EQ(g.members[1].action_timeout, core::milliseconds(2500));
  EXPECT_EQ(g.members[1].audit_period, core::milliseconds(1000));
  EXPECT_EQ(g.members[1].max_failures, 5);
  EXPECT_EQ(g.members[1].failure_debounce, core::seconds(30));
  EXPECT_EQ(parse_service_group(nlohmann::json::parse(R"({"name": "x", "redundancy": "N", "members": [{"name": "a"}]})"))
                .model,
            RedundancyModel::N);
}

TEST(ParseServiceGroup, ErrorsNameTheKey) {
  auto error = [](const char* text) -> std::string {
    try {
      parse_service_group(nlohmann::json::parse(text));
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error(R"({"members": [{"name": "a"}]})"), "name: required (a non-empty string)");
  EXPECT_EQ(error(R"({"name": "g", "redundancy": "2+1", "members": [{"name": "a"}]})"),
            "redundancy: must be \"1+1\" or \"N\", got \"2+1\"");
  EXPECT_EQ(error(R"({"name": "g"})"), "members: required (an array of services)");
  EXPECT_EQ(error(R"({"name": "g", "members": []})"), "members: must be a non-empty array of services, got []");
  EXPECT_EQ(error(R"({"name": "g", "member": []})"), "member: unknown key (known: name, redundancy, members)");
  EXPECT_EQ(error(R"({"name": "g", "members": [{"name": "a"}, {"name": "b"}, {"name": "c", "impact": "huge"}]})"),
            "members[2].impact: must be minor, major or critical, got \"huge\"");
  EXPECT_EQ(error(R"({"name": "g", "members": [{"name": "a", "action_timeout_ms": 0}]})"),
            "members[0].action_timeout_ms: must be a number of milliseconds in [1, 3600000], got 0");
  EXPECT_EQ(error(R"({"name": "g", "members": [{"name": "a", "max_failures": 1.5}]})"),
            "members[0].max_failures: must be an integer in [0, 1000], got 1.5");
  EXPECT_EQ(error(R"({"name": "g", "members": [{"name": "a", "config": []}]})"),
            "members[0].config: must be an object, got []");
  EXPECT_EQ(error(R"({"name": "g", "members": [{"name": "a"}, {"name": "a"}]})"),
            "members[1].name: \"a\" is already the name of members[0]");
  EXPECT_EQ(error(R"({"name": "g", "members": [{"name": "a", "timeout_ms": 3}]})"),
            "members[0].timeout_ms: unknown key (known: name, impact, actions, config, action_timeout_ms, "
            "audit_period_ms, max_failures, failure_debounce_ms)");
  EXPECT_EQ(error(R"({"name": "g", "members": [3]})"),
            "members[0]: must be an object {\"name\", \"impact\", \"actions\", ...}, got 3");
}

TEST(ServiceGroupNames, AreStarlingXs) {
  EXPECT_EQ(to_string(GroupState::GoStandby), "go-standby");
  EXPECT_EQ(to_string(GroupState::Shutdown), "shutdown");
  EXPECT_EQ(to_string(GroupStatus::Degraded), "degraded");
  EXPECT_EQ(to_string(ServiceState::EnabledStandby), "enabled-standby");
  EXPECT_EQ(to_string(RedundancyModel::OnePlusOne), "1+1");
  EXPECT_EQ(parse_impact("major"), Impact::Major);
  EXPECT_EQ(parse_impact("Major"), std::nullopt);
  EXPECT_EQ(parse_redundancy("N"), RedundancyModel::N);
}

// --- the simulated plugin in a group ----------------------------------------------------------------------

class SimulatedGroupTest : public ::testing::Test {
 protected:
  std::unique_ptr<ServiceGroup> make(nlohmann::json member_config, int members = 2, int max_failures = 3) {
    ServiceGroupSpec spec;
    spec.name = "sim";
    for (int i = 0; i < members; ++i) {
      ServiceSpec s;
      s.name = "svc" + std::to_string(i);
      s.actions = "simulated";
      s.config = member_config;
      s.action_timeout = 2s;
      s.audit_period = 1s;
      s.max_failures = max_failures;
      spec.members.push_back(s);
    }
    return std::make_unique<ServiceGroup>(node, spec, make_actions_factory(node), ServiceGroup::Listener{});
  }
  ManualEnv env{"controller-0"};
  core::Node node{env, core::NodeSpec{"controller-0", "sm-controller", "lab", {}}};
};

TEST_F(SimulatedGroupTest, FixedDurationsGiveExactTimings) {
  auto g = make({{"start_ms", 100}, {"stop_ms", {{"min", 30}, {"mode", 30}, {"max", 30}}}});
  g->go_active();
  env.advance(199ms);
  EXPECT_EQ(g->state(), GroupState::GoActive);
  env.advance(1ms);
  EXPECT_EQ(g->state(), GroupState::Active);
  g->go_standby();
  env.advance(59ms);
  EXPECT_EQ(g->state(), GroupState::GoStandby);
  env.advance(1ms);
  EXPECT_EQ(g->state(), GroupState::Standby);
}

TEST_F(SimulatedGroupTest, TriangularDurationsAreDrawnFromTheNodesRngAndRepeat) {
  auto time_to_active = [](std::uint64_t seed) {
    ManualEnv e{"controller-0"};
    e.rng() = core::Rng(seed);
    core::Node n{e, core::NodeSpec{"controller-0", "sm-controller", "lab", {}}};
    ServiceGroupSpec spec{"sim", RedundancyModel::OnePlusOne, {}};
    for (int i = 0; i < 3; ++i) {
      ServiceSpec s;
      s.name = "svc" + std::to_string(i);
      s.actions = "simulated";
      s.config = {{"start_ms", {{"min", 100}, {"mode", 200}, {"max", 900}}}};
      spec.members.push_back(s);
    }
    ServiceGroup g(n, spec, make_actions_factory(n), {});
    g.go_active();
    int ms = 0;
    while (g.state() != GroupState::Active && ms < 10000) {
      e.advance(1ms);
      ++ms;
    }
    return ms;
  };
  const int a = time_to_active(7);
  EXPECT_EQ(a, time_to_active(7));
  EXPECT_GE(a, 300);
  EXPECT_LE(a, 2700);
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 20 && !differs; ++seed) differs = time_to_active(seed) != a;
  EXPECT_TRUE(differs) << "durations ignore the seed";
}

TEST_F(SimulatedGroupTest, AServiceThatAlwaysFailsToStartGoesFatal) {
  auto g = make({{"start_ms", 10}, {"stop_ms", 0}, {"start_failure_rate", 1.0}}, 1, 2);
  g->go_active();
  env.advance(1s);
  const auto v = g->services()[0];
  EXPECT_TRUE(v.fatal);
  EXPECT_EQ(v.failures, 3);
  EXPECT_EQ(v.last_error, "start: simulated failure of svc0");
  EXPECT_EQ(g->state(), GroupState::Active);
  EXPECT_EQ(g->status(), GroupStatus::Failed);
}

TEST_F(SimulatedGroupTest, AuditFailuresRestartTheService) {
  auto g = make({{"start_ms", 10}, {"stop_ms", 10}, {"audit_failure_rate", 1.0}}, 1, 100);
  g->go_active();
  env.advance(20ms);
  ASSERT_EQ(g->state(), GroupState::Active);
  env.advance(1s);  // audit fails
  EXPECT_EQ(g->status(), GroupStatus::Failed);
  EXPECT_EQ(g->services()[0].last_error, "audit: simulated failure of svc0");
  env.advance(20ms);  // stop + start
  EXPECT_EQ(g->services()[0].state, ServiceState::EnabledActive);
  EXPECT_EQ(g->status(), GroupStatus::None);
  env.advance(5s);
  EXPECT_GE(g->services()[0].failures, 5);
}

TEST(SimulatedActions, ConfigErrorsNameTheKey) {
  ManualEnv env;
  core::Node node{env, core::NodeSpec{"n", "sm-controller", "lab", {}}};
  auto error = [&](nlohmann::json config, std::string kind = "simulated") -> std::string {
    ServiceSpec s;
    s.name = "web";
    s.actions = std::move(kind);
    s.config = std::move(config);
    try {
      make_actions_factory(node)(s);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error({{"start_ms", {{"min", 10}, {"mode", 5}, {"max", 20}}}}),
            "service web: config (simulated actions): start_ms: needs min <= mode <= max, got "
            "{\"max\":20,\"min\":10,\"mode\":5}");
  EXPECT_EQ(error({{"stop_ms", {{"min", 10}, {"max", 20}}}}),
            "service web: config (simulated actions): stop_ms: mode: required (milliseconds)");
  EXPECT_EQ(error({{"start_failure_rate", 2}}),
            "service web: config (simulated actions): start_failure_rate: must be a number in [0, 1]");
  EXPECT_EQ(error({{"start_rate", 0.5}}).rfind("service web: config (simulated actions): start_rate: unknown key", 0),
            0u);
  EXPECT_EQ(error({}, "process"), "service web: config (process actions): command: required: the program and its "
                                  "arguments, e.g. [\"/usr/bin/sleep\", \"600\"]");
  EXPECT_EQ(error({{"command", nlohmann::json::array()}}, "process"),
            "service web: config (process actions): command: must name a program: a non-empty array of strings "
            "whose first is the program");
  EXPECT_EQ(error({}, "docker"), "service web: actions: unknown kind \"docker\" (known: process, simulated)");
  EXPECT_EQ(error({}), "accepted");
}

TEST(ActionsFactory, TriesExtraKindsFirst) {
  ManualEnv env;
  core::Node node{env, core::NodeSpec{"n", "sm-controller", "lab", {}}};
  CallLog calls;
  auto factory = make_actions_factory(
      node, {{"internal", [&](const ServiceSpec& s) { return std::make_unique<ControlledActions>(s.name, calls); }}});
  ServiceSpec s;
  s.name = "fm";
  s.actions = "internal";
  EXPECT_EQ(factory(s)->kind(), "controlled");
  s.actions = "simulated";
  EXPECT_EQ(factory(s)->kind(), "simulated");
  EXPECT_EQ(make_standard_actions(node, s)->kind(), "simulated");
  s.actions = "internal";
  EXPECT_EQ(make_standard_actions(node, s), nullptr);
  s.actions = "bogus";
  try {
    factory(s);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "service fm: actions: unknown kind \"bogus\" (known: process, simulated, internal)");
  }
}

}  // namespace
}  // namespace roost::sm
