#include <gtest/gtest.h>

#include "platform/fm/fault_manager.h"
#include "platform/fm/uuid.h"
#include "tests/fm/fm_test_support.h"

namespace roost::fm {
namespace {

using testing::at_second;
using testing::make_alarm;
using testing::make_log;

class FaultManagerTest : public ::testing::Test {
 protected:
  explicit FaultManagerTest(FmConfig config = {}) : fm(builtin_catalogue(), store, rng, config) { fm.load(); }

  std::string raise(const std::string& id, const std::string& eid, Severity sev, int t = 1) {
    auto r = fm.set(make_alarm(id, eid, sev), at_second(t));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->uuid : "";
  }
  std::vector<std::string> visible_ids(bool include_suppress = false) {
    AlarmQuery q;
    q.include_suppress = include_suppress;
    q.sort_keys = {"entity_instance_id", "alarm_id"};
    std::vector<std::string> out;
    const auto page = fm.list(q);
    for (const auto& v : page->alarms) out.push_back(v.alarm.alarm_id + "@" + v.alarm.entity_instance_id);
    return out;
  }

  MemoryAlarmStore store;
  core::Rng rng{7};
  FaultManager fm;
};

TEST_F(FaultManagerTest, SetCreatesAnAlarmFilledFromTheCatalogue) {
  Outcome<SetResult> acked = invalid_argument("no ack");
  auto r = fm.set(make_alarm("200.006", "host=controller-0.process=sshd", Severity::Major), at_second(5), {},
                  [&](const Outcome<SetResult>& o) { acked = o; });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->action, SetResult::Action::Created);
  EXPECT_TRUE(is_uuid(r->uuid));
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(acked.value(), r.value());

  const auto v = fm.find(r->uuid);
  ASSERT_TRUE(v);
  const Alarm& a = v->alarm;
  EXPECT_EQ(a.alarm_type, AlarmType::OperationalViolation);
  EXPECT_EQ(a.probable_cause, "unknown");
  EXPECT_EQ(a.reason_text, builtin_catalogue().find("200.006")->description_for(Severity::Major));
  EXPECT_FALSE(a.proposed_repair_action.empty());
  EXPECT_TRUE(a.service_affecting);
  EXPECT_TRUE(a.suppression);
  EXPECT_FALSE(a.inhibit_alarms);
  EXPECT_EQ(a.timestamp_us, at_second(5).wall_us);
  EXPECT_EQ(a.time, at_second(5).time);
  EXPECT_TRUE(v->mgmt_affecting);
  EXPECT_TRUE(v->degrade_affecting);
  EXPECT_FALSE(v->masked);
  EXPECT_EQ(fm.event_count(), 1u);
  EXPECT_EQ(store.load().alarms.size(), 1u);
}

TEST_F(FaultManagerTest, RaiserTimestampAndTextAreKept) {
  Alarm a = make_alarm("100.101", "host=compute-0", Severity::Critical);
  a.timestamp_us = 1714564800123456;
  a.reason_text = "Platform CPU threshold exceeded; threshold 95%, actual 97%";
  const auto r = fm.set(a, at_second(9));
  ASSERT_TRUE(r);
  EXPECT_EQ(fm.find(r->uuid)->alarm.timestamp_us, 1714564800123456);
  EXPECT_EQ(fm.find(r->uuid)->alarm.reason_text, a.reason_text);
}

TEST_F(FaultManagerTest, RefusesWhatTheCatalogueDoesNotAllow) {
  int acks = 0;
  const auto refused = [&](Alarm a, std::string_view expect) {
    ErrorCode code{};
    const auto r = fm.set(a, at_second(1), {}, [&](const Outcome<SetResult>& o) {
      ++acks;
      code = o.ok() ? ErrorCode{} : o.error().code;
    });
    ASSERT_FALSE(r.ok()) << expect;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(code, ErrorCode::InvalidArgument);
    EXPECT_NE(r.error().message.find(expect), std::string::npos) << r.error().message;
  };
  refused(make_alarm("123.456", "host=a", Severity::Major), "123.456 is not in the alarm catalogue");
  refused(make_alarm("12.3456", "host=a", Severity::Major), "is not of the form GGG.EEE");
  refused(make_alarm("200.005", "host=a", Severity::Minor), "severity 'minor' is not allowed for 200.005 (allowed: critical, major)");
  refused(make_alarm("200.005", "host=a", Severity::Clear), "severity 'clear' is not allowed");
  refused(make_alarm("200.005", "host a", Severity::Major), "entity instance id");
  refused(make_log("200.005", "host=a", Severity::Major), "is an alarm; raise it with state 'set'");
  refused(make_alarm("401.007", "host=a", Severity::Critical), "is a log; raise it with state 'msg' or 'log'");
  Alarm typed = make_alarm("200.005", "host=a", Severity::Major);
  typed.alarm_type = AlarmType::Equipment;
  refused(typed, "contradicts the catalogue's 'communication'");
  Alarm caused = make_alarm("200.005", "host=a", Severity::Major);
  caused.probable_cause = "fire-detected";
  refused(caused, "probable cause 'fire-detected' is not one the catalogue lists");
  EXPECT_EQ(acks, 9);
  EXPECT_EQ(fm.active_count(), 0u);
  EXPECT_EQ(fm.event_count(), 0u);
}

TEST_F(FaultManagerTest, SetUpsertsOnAlarmIdAndEntity) {
  const std::string first = raise("200.005", "host=compute-1", Severity::Major, 1);
  const auto again = fm.set(make_alarm("200.005", "host=compute-1", Severity::Critical), at_second(2));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->uuid, first);
  EXPECT_EQ(again->action, SetResult::Action::Updated);
  EXPECT_EQ(fm.active_count(), 1u);
  EXPECT_EQ(fm.find(first)->alarm.severity, Severity::Critical);
  EXPECT_EQ(fm.find(first)->alarm.timestamp_us, at_second(2).wall_us);
  EXPECT_EQ(fm.event_count(), 2u);  // every set is history
  // Another entity or another id is another alarm.
  EXPECT_NE(raise("200.005", "host=compute-2", Severity::Major), first);
  EXPECT_NE(raise("200.009", "host=compute-1", Severity::Major), first);
  EXPECT_EQ(fm.active_count(), 3u);
}

TEST_F(FaultManagerTest, KeepExistingReturnsTheExistingUuidAndChangesNothing) {
  const std::string first = raise("200.005", "host=compute-1", Severity::Major);
  const auto kept = fm.set(make_alarm("200.005", "host=compute-1", Severity::Critical), at_second(3), {.keep_existing = true});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->uuid, first);
  EXPECT_EQ(kept->action, SetResult::Action::KeptExisting);
  EXPECT_EQ(fm.find(first)->alarm.severity, Severity::Major);
  EXPECT_EQ(fm.event_count(), 1u);
  // Absent: keep_existing creates it.
  const auto created = fm.set(make_alarm("200.005", "host=compute-2", Severity::Major), at_second(3), {.keep_existing = true});
  EXPECT_EQ(created->action, SetResult::Action::Created);
}

TEST_F(FaultManagerTest, ClearTakesAnAlarmIdAndAnEntityPrefix) {
  raise("200.006", "host=controller-1.process=sshd", Severity::Major);
  raise("200.006", "host=controller-1.process=mtcClient", Severity::Minor);
  raise("200.006", "host=controller-10.process=sshd", Severity::Major);
  raise("200.005", "host=controller-1", Severity::Major);
  const auto r = fm.clear("200.006", "host=controller-1", at_second(4));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->cleared.size(), 2u);
  EXPECT_EQ(visible_ids(), (std::vector<std::string>{"200.005@host=controller-1", "200.006@host=controller-10.process=sshd"}));
  // The clear rows carry the clear's time and the alarm's severity.
  EventQuery q;
  q.sort_keys = {"id"};
  q.sort_dir = SortDir::Asc;
  const auto events = fm.events(q)->events;
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[4].event.state, AlarmState::Clear);
  EXPECT_EQ(events[4].event.timestamp_us, at_second(4).wall_us);
  EXPECT_EQ(events[4].event.entity_instance_id, "host=controller-1.process=mtcClient");
  EXPECT_EQ(events[4].event.severity, Severity::Minor);
  // Clearing nothing is fine; a malformed request is not.
  EXPECT_TRUE(fm.clear("200.006", "host=nowhere", at_second(5))->cleared.empty());
  EXPECT_EQ(fm.clear("200.006", "", at_second(5)).error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(fm.clear("bogus", "host=a", at_second(5)).error().code, ErrorCode::InvalidArgument);
}

TEST_F(FaultManagerTest, ClearAllClearsEverythingAtOrBelowTheEntity) {
  raise("200.006", "host=controller-1.process=sshd", Severity::Major);
  raise("200.005", "host=controller-1", Severity::Major);
  raise("200.005", "host=controller-10", Severity::Major);
  const auto r = fm.clear_all("host=controller-1", at_second(2));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->cleared.size(), 2u);
  EXPECT_EQ(visible_ids(), std::vector<std::string>{"200.005@host=controller-10"});
  EXPECT_EQ(fm.clear_all("", at_second(2)).error().code, ErrorCode::InvalidArgument);
}

TEST_F(FaultManagerTest, ClearByUuid) {
  const std::string u = raise("200.005", "host=a", Severity::Major);
  EXPECT_EQ(fm.clear_uuid(u, at_second(2))->cleared, std::vector<std::string>{u});
  EXPECT_EQ(fm.clear_uuid(u, at_second(3)).error().code, ErrorCode::NotFound);
  EXPECT_FALSE(fm.find(u));
}

TEST_F(FaultManagerTest, GetsByUuidKeyEntityAndId) {
  const std::string a = raise("200.006", "host=c-1.process=sshd", Severity::Major);
  const std::string b = raise("200.005", "host=c-1", Severity::Major);
  const std::string c = raise("200.005", "host=c-2", Severity::Critical);
  EXPECT_EQ(fm.find("200.005", "host=c-2")->alarm.uuid, c);
  EXPECT_FALSE(fm.find("200.005", "host=c-3"));
  EXPECT_FALSE(fm.find("not-a-uuid"));
  const auto by_entity = fm.find_by_entity("host=c-1");
  ASSERT_EQ(by_entity.size(), 2u);
  EXPECT_EQ(by_entity[0].alarm.uuid, b);  // (entity, id) order
  EXPECT_EQ(by_entity[1].alarm.uuid, a);
  const auto by_id = fm.find_by_id("200.005");
  ASSERT_EQ(by_id.size(), 2u);
}

TEST_F(FaultManagerTest, SuppressionHidesButKeeps) {
  const std::string u = raise("200.005", "host=a", Severity::Critical);
  raise("200.001", "host=b", Severity::Warning);
  EXPECT_EQ(fm.summary().critical, 1u);
  const auto s = fm.set_suppression("200.005", true);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->suppressed);
  EXPECT_TRUE(is_uuid(s->uuid));
  EXPECT_EQ(visible_ids(), std::vector<std::string>{"200.001@host=b"});
  EXPECT_EQ(visible_ids(true).size(), 2u);
  EXPECT_TRUE(fm.find(u)->suppressed);
  EXPECT_EQ(fm.summary(), (AlarmSummary{0, 0, 0, 1, "OK"}));
  EXPECT_EQ(fm.summary(true).critical, 1u);
  // By row uuid, too; unsuppress brings it back.
  EXPECT_FALSE(fm.set_suppression(s->uuid, false)->suppressed);
  EXPECT_EQ(visible_ids().size(), 2u);
  // 280.001 is not suppressible; unknown ids have no row.
  const auto refused = fm.set_suppression("280.001", true);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("may not be suppressed"), std::string::npos);
  EXPECT_EQ(fm.set_suppression("999.999", true).error().code, ErrorCode::NotFound);
  // One row per catalogue alarm (not log).
  std::size_t alarms_in_catalogue = 0;
  for (const auto& e : builtin_catalogue().entries()) alarms_in_catalogue += e.kind == EntryKind::Alarm;
  EXPECT_EQ(fm.suppressions().size(), alarms_in_catalogue);
  EXPECT_FALSE(fm.find_suppression("401.007"));
}

TEST_F(FaultManagerTest, HostLockedMasksSuppressibleAlarmsOfThatHostUntilItClears) {
  raise("200.005", "host=compute-1", Severity::Major);               // suppressible: masked
  raise("200.006", "host=compute-1.process=sshd", Severity::Minor);  // below the host: masked
  raise("200.010", "host=compute-1", Severity::Warning);             // not suppressible: stays
  raise("200.005", "host=compute-10", Severity::Critical);           // another host: stays
  const std::string lock = raise("200.001", "host=compute-1", Severity::Warning);
  EXPECT_EQ(visible_ids(), (std::vector<std::string>{"200.001@host=compute-1", "200.010@host=compute-1",
                                                     "200.005@host=compute-10"}));
  EXPECT_TRUE(fm.find("200.005", "host=compute-1")->masked);
  EXPECT_FALSE(fm.find(lock)->masked);  // the inhibitor does not mask itself
  EXPECT_EQ(fm.summary(), (AlarmSummary{1, 0, 0, 2, "critical"}));
  // Raised while the host is locked: masked too.
  raise("200.004", "host=compute-1", Severity::Critical);
  EXPECT_TRUE(fm.find("200.004", "host=compute-1")->masked);
  AlarmQuery all;
  all.include_masked = true;
  EXPECT_EQ(fm.list(all)->alarms.size(), 6u);
  // Unlock: everything shows again.
  fm.clear("200.001", "host=compute-1", at_second(9));
  EXPECT_EQ(visible_ids().size(), 5u);
  EXPECT_EQ(fm.summary(), (AlarmSummary{2, 1, 1, 1, "critical"}));
}

TEST_F(FaultManagerTest, SummaryStatusFollowsStarlingX) {
  EXPECT_EQ(fm.summary(), (AlarmSummary{0, 0, 0, 0, "OK"}));
  raise("200.010", "host=a", Severity::Warning);
  EXPECT_EQ(fm.summary().status, "OK");  // warnings alone are OK
  raise("280.003", "subcloud=s1", Severity::Minor);
  EXPECT_EQ(fm.summary().status, "degraded");
  raise("280.002", "subcloud=s1.resource=platform", Severity::Major);
  EXPECT_EQ(fm.summary().status, "degraded");
  raise("280.001", "subcloud=s1", Severity::Critical);
  EXPECT_EQ(fm.summary(), (AlarmSummary{1, 1, 1, 1, "critical"}));
}

TEST_F(FaultManagerTest, LogsGoToTheEventLogOnly) {
  const auto r = fm.set(make_log("401.007", "host=controller-0"), at_second(3));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->action, SetResult::Action::Logged);
  EXPECT_EQ(fm.active_count(), 0u);
  const auto e = fm.find_event(r->uuid);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->event.state, AlarmState::Log);
  EXPECT_EQ(e->event.event_log_id, "401.007");
  EXPECT_EQ(e->event.alarm_uuid, "");
  Alarm log_state = make_log("401.001", "service_domain=controller.service_group=oam.host=controller-0");
  log_state.state = AlarmState::Log;
  EXPECT_TRUE(fm.set(log_state, at_second(4)));
  EXPECT_EQ(fm.event_count(), 2u);
}

TEST_F(FaultManagerTest, SetListIsAllOrNothing) {
  const auto bad = fm.set_list({make_alarm("200.005", "host=a", Severity::Major), make_alarm("200.005", "host=b", Severity::Minor)},
                               at_second(1));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("alarm 2 of 2"), std::string::npos);
  EXPECT_EQ(fm.active_count(), 0u);
  const std::size_t batches = store.batches();
  const auto good = fm.set_list({make_alarm("200.005", "host=a", Severity::Major), make_log("401.007", "host=a")}, at_second(1));
  ASSERT_TRUE(good);
  EXPECT_EQ(good->size(), 2u);
  EXPECT_EQ(store.batches(), batches + 1);  // one batch for the list
}

class SmallRingTest : public FaultManagerTest {
 protected:
  SmallRingTest() : FaultManagerTest(FmConfig{5}) {}
};

TEST_F(SmallRingTest, EventLogIsABoundedRingInMemoryAndInTheStore) {
  for (int i = 0; i < 8; ++i) raise("200.005", "host=h" + std::to_string(i), Severity::Major, i);
  EXPECT_EQ(fm.event_count(), 5u);
  const auto stored = store.load().events;
  ASSERT_EQ(stored.size(), 5u);
  EXPECT_EQ(stored.front().entity_instance_id, "host=h3");
  EXPECT_EQ(stored.back().entity_instance_id, "host=h7");
}

TEST_F(FaultManagerTest, ReloadRestoresEverythingFromTheStore) {
  const std::string u = raise("200.005", "host=a", Severity::Major);
  raise("200.001", "host=a", Severity::Warning);
  fm.set_suppression("200.004", true);
  fm.set(make_log("401.007", "host=a"), at_second(2));
  core::Rng other_rng{99};
  FaultManager again(builtin_catalogue(), store, other_rng);
  again.load();
  EXPECT_EQ(again.find(u)->alarm, fm.find(u)->alarm);
  EXPECT_TRUE(again.find(u)->masked);
  EXPECT_EQ(again.suppressions(), fm.suppressions());  // rows (and their uuids) are made once
  EXPECT_EQ(again.event_count(), fm.event_count());
  // New alarms do not reuse ids.
  const auto n = again.set(make_alarm("200.005", "host=b", Severity::Major), at_second(3));
  EXPECT_GT(again.find(n->uuid)->alarm.id, again.find(u)->alarm.id);
}

TEST(FaultManagerStoreFailure, AFailedCommitIsReportedAndTheCommittedStateIsServed) {
  testing::FailingStore store;
  core::Rng rng(3);
  FaultManager fm(builtin_catalogue(), store, rng);
  fm.load();
  const auto kept = fm.set(make_alarm("200.005", "host=a", Severity::Major), at_second(1));
  ASSERT_TRUE(kept);
  store.fail_next = 1;
  std::optional<Error> error;
  const auto lost = fm.set(make_alarm("200.005", "host=b", Severity::Major), at_second(2), {},
                           [&](const Outcome<SetResult>& o) {
                             if (!o.ok()) error = o.error();
                           });
  ASSERT_TRUE(lost.ok());  // it was applied in memory...
  ASSERT_TRUE(error);      // ...but never became durable:
  EXPECT_EQ(error->code, ErrorCode::StoreFailed);
  EXPECT_NE(error->message.find("test.db"), std::string::npos);
  EXPECT_FALSE(fm.find(lost->uuid));  // the manager went back to the store's state
  EXPECT_TRUE(fm.find(kept->uuid));
  EXPECT_EQ(fm.event_count(), 1u);
  EXPECT_EQ(fm.stats().store_failures, 1u);
  EXPECT_EQ(fm.stats().resyncs, 1u);
  // And it carries on.
  EXPECT_TRUE(fm.set(make_alarm("200.005", "host=b", Severity::Major), at_second(3)));
  EXPECT_EQ(store.inner.load().alarms.size(), 2u);
}

TEST(FmConfig, ParsesAndRefuses) {
  EXPECT_EQ(FmConfig::from_json({{"event_log_max_size", 10}}).event_log_max_size, 10u);
  EXPECT_EQ(FmConfig::from_json(nullptr).event_log_max_size, 4000u);
  EXPECT_THROW(FmConfig::from_json({{"event_log_max_size", 0}}), std::invalid_argument);
  EXPECT_THROW(FmConfig::from_json({{"colour", 1}}), std::invalid_argument);
}

}  // namespace
}  // namespace roost::fm
