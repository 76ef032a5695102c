// FaultManager::list's default order (id) walks an id index; an explicit sort_key=id goes through the
// generic compiled order. Both must give the same pages: every limit, marker, direction and filter.
#include <gtest/gtest.h>

#include "tests/fm/fm_test_support.h"

namespace roost::fm::testing {
namespace {

std::vector<std::string> pages(const FaultManager& fm, AlarmQuery q) {
  std::vector<std::string> out;
  for (int guard = 0; guard < 1000; ++guard) {
    auto page = fm.list(q);
    EXPECT_TRUE(page.ok());
    if (!page.ok()) return out;
    for (const auto& v : page->alarms) out.push_back(v.alarm.uuid);
    out.push_back("|");  // page boundary
    if (page->next_marker.empty()) return out;
    q.marker = page->next_marker;
  }
  ADD_FAILURE() << "paging did not end";
  return out;
}

TEST(ListOrder, DefaultIdOrderMatchesTheGenericOrderPageForPage) {
  MemoryAlarmStore store;
  core::Rng rng(5);
  FaultManager fm(builtin_catalogue(), store, rng);
  fm.load();
  core::Rng pick(9);
  for (int i = 0; i < 300; ++i) {
    const int host = static_cast<int>(pick.below(20));
    const auto sev = pick.chance(0.5) ? Severity::Major : Severity::Critical;
    fm.set(make_alarm(pick.chance(0.5) ? "200.006" : "200.007",
                      "host=h" + std::to_string(host) + (pick.chance(0.5) ? ".process=a" : ".sensor=b"), sev),
           at_second(i));
    if (i % 7 == 0) fm.clear("200.006", "host=h" + std::to_string(host), at_second(i));
  }
  ASSERT_TRUE(fm.set_suppression("200.007", true).ok());
  ASSERT_GT(fm.active_count(), 20u);
  for (auto dir : {SortDir::Asc, SortDir::Desc})
    for (std::optional<std::size_t> limit : {std::optional<std::size_t>{}, std::optional<std::size_t>{1},
                                             std::optional<std::size_t>{7}, std::optional<std::size_t>{1000}})
      for (bool include_suppress : {false, true})
        for (const char* entity : {"", "host=h3"}) {
          AlarmQuery fast;
          fast.sort_dir = dir;
          fast.limit = limit;
          fast.include_suppress = include_suppress;
          if (*entity) fast.where.push_back(Condition{"entity_instance_id", CompareOp::Eq, entity});
          AlarmQuery generic = fast;
          generic.sort_keys = {"id"};
          EXPECT_EQ(pages(fm, fast), pages(fm, generic))
              << "dir " << to_string(dir) << " limit " << (limit ? *limit : 0) << " suppress " << include_suppress
              << " entity " << entity;
        }
}

}  // namespace
}  // namespace roost::fm::testing
