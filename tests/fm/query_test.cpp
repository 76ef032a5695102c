#include <gtest/gtest.h>

#include <set>

#include "platform/fm/fault_manager.h"
#include "tests/fm/fm_test_support.h"

namespace roost::fm {
namespace {

using testing::at_second;
using testing::make_alarm;
using testing::make_log;

class QueryTest : public ::testing::Test {
 protected:
  QueryTest() : fm(builtin_catalogue(), store, rng) {
    fm.load();
    // 20 hosts x (heartbeat major|critical, one process alarm minor), raised one second apart.
    int t = 0;
    for (int h = 0; h < 20; ++h) {
      const std::string host = "host=compute-" + std::to_string(h);
      fm.set(make_alarm("200.005", host, h % 4 == 0 ? Severity::Critical : Severity::Major), at_second(++t));
      fm.set(make_alarm("200.006", host + ".process=sshd", Severity::Minor, "host.process"), at_second(++t));
    }
    fm.set(make_alarm("280.001", "subcloud=sc-1", Severity::Critical, "subcloud"), at_second(++t));
  }

  std::vector<AlarmView> list(QueryParams params) {
    auto q = AlarmQuery::from_params(params);
    EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
    auto page = fm.list(q.value());
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
    return page.ok() ? page->alarms : std::vector<AlarmView>{};
  }
  std::string error_of(QueryParams params) {
    auto q = AlarmQuery::from_params(params);
    return q.ok() ? "" : q.error().message;
  }

  MemoryAlarmStore store;
  core::Rng rng{11};
  FaultManager fm;
};

TEST_F(QueryTest, FiltersByEveryField) {
  EXPECT_EQ(list({}).size(), 41u);
  EXPECT_EQ(list({{"alarm_id", "200.006"}}).size(), 20u);
  EXPECT_EQ(list({{"entity_type_id", "subcloud"}}).size(), 1u);
  EXPECT_EQ(list({{"entity_instance_id", "host=compute-1"}}).size(), 2u);  // not compute-10..19
  EXPECT_EQ(list({{"severity", "critical"}}).size(), 6u);
  EXPECT_EQ(list({{"alarm_type", "communication"}}).size(), 21u);  // 200.005 and 280.001
  const std::string u = list({{"entity_instance_id", "subcloud=sc-1"}})[0].alarm.uuid;
  EXPECT_EQ(list({{"uuid", u}}).size(), 1u);
  // q.field / q.op / q.value, ANDed.
  EXPECT_EQ(list({{"q.field", "severity"}, {"q.op", "ge"}, {"q.value", "major"}}).size(), 21u);
  EXPECT_EQ(list({{"q.field", "severity"}, {"q.op", "lt"}, {"q.value", "major"}}).size(), 20u);
  EXPECT_EQ(list({{"q.field", "severity"}, {"q.op", "ne"}, {"q.value", "minor"}}).size(), 21u);
  EXPECT_EQ(list({{"q.field", "severity"}, {"q.field", "alarm_id"}, {"q.op", "gt"}, {"q.op", "eq"},
                  {"q.value", "major"}, {"q.value", "200.005"}})
                .size(),
            5u);
  // Timestamps: alarm k was raised at second k.
  const std::string t10 = "2023-11-14T22:13:30.000000";  // at_second(10)
  EXPECT_EQ(list({{"q.field", "timestamp"}, {"q.op", "le"}, {"q.value", t10}}).size(), 10u);
  EXPECT_EQ(list({{"q.field", "timestamp"}, {"q.op", "gt"}, {"q.value", std::to_string(at_second(10).wall_us)}}).size(), 31u);
  EXPECT_EQ(list({{"q.field", "entity_instance_id"}, {"q.op", "ne"}, {"q.value", "host=compute-1"}}).size(), 39u);
}

TEST_F(QueryTest, RefusesBadQueriesNamingWhatIsWrong) {
  EXPECT_NE(error_of({{"colour", "red"}}).find("unknown alarm query parameter 'colour'"), std::string::npos);
  EXPECT_NE(error_of({{"q.field", "colour"}, {"q.value", "red"}}).find("cannot filter on 'colour'"), std::string::npos);
  EXPECT_NE(error_of({{"q.field", "severity"}, {"q.op", "about"}, {"q.value", "major"}}).find("q.op 'about'"), std::string::npos);
  EXPECT_NE(error_of({{"severity", "huge"}}).find("'huge' is not a severity"), std::string::npos);
  EXPECT_NE(error_of({{"q.field", "timestamp"}, {"q.value", "noon"}}).find("is not a UTC time"), std::string::npos);
  EXPECT_NE(error_of({{"q.field", "severity"}}).find("must come in pairs"), std::string::npos);
  EXPECT_NE(error_of({{"limit", "0"}}).find("limit must be a positive integer"), std::string::npos);
  EXPECT_NE(error_of({{"sort_key", "colour"}}).find("cannot sort on 'colour'"), std::string::npos);
  EXPECT_NE(error_of({{"sort_dir", "sideways"}}).find("sort_dir must be asc or desc"), std::string::npos);
  AlarmQuery q;
  q.marker = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(fm.list(q).error().code, ErrorCode::InvalidArgument);
}

TEST_F(QueryTest, SortsByKeysThenId) {
  const auto by_id = list({});
  for (std::size_t i = 1; i < by_id.size(); ++i) EXPECT_LT(by_id[i - 1].alarm.id, by_id[i].alarm.id);
  const auto by_sev = list({{"sort_key", "severity,entity_instance_id"}, {"sort_dir", "desc"}});
  EXPECT_EQ(by_sev.front().alarm.severity, Severity::Critical);
  EXPECT_EQ(by_sev.front().alarm.entity_instance_id, "subcloud=sc-1");
  EXPECT_EQ(by_sev.back().alarm.severity, Severity::Minor);
  for (std::size_t i = 1; i < by_sev.size(); ++i) EXPECT_GE(by_sev[i - 1].alarm.severity, by_sev[i].alarm.severity);
}

TEST_F(QueryTest, PagesWalkEveryAlarmOnceInOrder) {
  for (const std::string sort : {"id", "severity", "entity_instance_id"}) {
    AlarmQuery q;
    q.sort_keys = {sort};
    q.limit = 7;
    std::vector<std::string> walked;
    int pages = 0;
    for (;;) {
      const auto page = fm.list(q);
      ASSERT_TRUE(page) << page.error().message;
      ++pages;
      for (const auto& v : page->alarms) walked.push_back(v.alarm.uuid);
      if (page->next_marker.empty()) break;
      EXPECT_EQ(page->alarms.size(), 7u);
      q.marker = page->next_marker;
    }
    EXPECT_EQ(pages, 6);
    AlarmQuery all;
    all.sort_keys = {sort};
    std::vector<std::string> expected;
    const auto all_page = fm.list(all);
    for (const auto& v : all_page->alarms) expected.push_back(v.alarm.uuid);
    EXPECT_EQ(walked, expected) << sort;
  }
}

TEST_F(QueryTest, EventLogFiltersByTimeKindAndFields) {
  fm.clear_all("host=compute-0", at_second(100));
  fm.set(make_log("401.007", "host=controller-0"), at_second(101));
  const auto events = [&](QueryParams p) {
    auto q = EventQuery::from_params(p);
    EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
    return fm.events(q.value())->events;
  };
  EXPECT_EQ(events({}).size(), 44u);  // 41 sets, 2 clears, 1 log
  EXPECT_EQ(events({}).front().event.event_log_id, "401.007");  // newest first
  EXPECT_EQ(events({{"logs", "true"}}).size(), 1u);
  EXPECT_EQ(events({{"alarms", "true"}}).size(), 43u);
  EXPECT_EQ(events({{"start", std::to_string(at_second(100).wall_us)}}).size(), 3u);
  EXPECT_EQ(events({{"start", std::to_string(at_second(5).wall_us)}, {"end", std::to_string(at_second(9).wall_us)}}).size(), 5u);
  EXPECT_EQ(events({{"event_log_id", "200.006"}}).size(), 21u);
  EXPECT_EQ(events({{"state", "clear"}}).size(), 2u);
  EXPECT_EQ(events({{"entity_instance_id", "host=compute-0"}}).size(), 4u);
  // Suppressed ids' set/clear rows hide unless asked; logs always show.
  fm.set_suppression("200.006", true);
  EXPECT_EQ(events({}).size(), 23u);
  EXPECT_EQ(events({{"include_suppress", "true"}}).size(), 44u);
  // Pagination.
  EventQuery q;
  q.limit = 10;
  q.include_suppress = true;
  std::set<std::string> seen;
  for (;;) {
    const auto page = fm.events(q);
    ASSERT_TRUE(page);
    for (const auto& e : page->events) EXPECT_TRUE(seen.insert(e.event.uuid).second);
    if (page->next_marker.empty()) break;
    q.marker = page->next_marker;
  }
  EXPECT_EQ(seen.size(), 44u);
  EXPECT_NE(EventQuery::from_params({{"start", "soon"}}).error().message.find("start must be a UTC time"), std::string::npos);
}

}  // namespace
}  // namespace roost::fm
