// The lab's log reader: JSON lines read while they are being written.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include <unistd.h>

#include "tests/support/lab_log.h"

namespace roost::testing {
namespace {

TEST(LabLog, ReadsGrowingFilesAndWaitsForCompleteLines) {
  const std::string path = ::testing::TempDir() + "/lab_log_test_" + std::to_string(getpid()) + ".jsonl";
  std::remove(path.c_str());
  JsonLinesReader reader("p", path);
  EXPECT_EQ(reader.poll(), 0u);  // no file yet
  std::ofstream out(path);
  out << R"({"wall": 1.5, "mono": 0.25, "node": "n", "level": "info", "event": "e1", "fields": {"k": 1}})" << "\n"
      << R"({"wall": 2.0, "mono": 0.5, "node": "", "level": "warn", "ev)" << std::flush;
  EXPECT_EQ(reader.poll(), 1u);
  out << R"(ent": "e2", "fields": {}})" << "\n" << "not json\n" << std::flush;
  EXPECT_EQ(reader.poll(), 1u);
  ASSERT_EQ(reader.records().size(), 2u);
  EXPECT_EQ(reader.unparsable_lines(), 1u);
  const auto& r = reader.records()[0];
  EXPECT_EQ(r.process, "p");
  EXPECT_EQ(r.index, 0u);
  EXPECT_DOUBLE_EQ(r.wall, 1.5);
  EXPECT_EQ(r.node, "n");
  EXPECT_EQ(r.fields["k"], 1);
  EXPECT_EQ(reader.records()[1].event, "e2");
  EXPECT_EQ(reader.records()[1].index, 1u);
  std::remove(path.c_str());
}

TEST(LabLog, QueriesMatchEventNodeFieldsAndTime) {
  LabRecord r;
  r.process = "ctl";
  r.index = 4;
  r.wall = 100;
  r.node = "controller-0";
  r.event = "pulse.host_lost";
  r.fields = {{"host", "worker-1"}, {"misses", 5}};
  EXPECT_TRUE((LogQuery{.event = "pulse.host_lost"}.matches(r)));
  EXPECT_FALSE((LogQuery{.event = "pulse.host_recovered"}.matches(r)));
  EXPECT_TRUE((LogQuery{.event = "pulse.host_lost", .node = "controller-0", .process = "ctl"}.matches(r)));
  EXPECT_FALSE((LogQuery{.event = "pulse.host_lost", .node = ""}.matches(r)));
  EXPECT_TRUE((LogQuery{.event = "pulse.host_lost", .fields = {{"host", "worker-1"}, {"misses", 5.0}}}.matches(r)));
  EXPECT_FALSE((LogQuery{.event = "pulse.host_lost", .fields = {{"host", "worker-2"}}}.matches(r)));
  EXPECT_FALSE((LogQuery{.event = "pulse.host_lost", .fields = {{"absent", 1}}}.matches(r)));
  EXPECT_FALSE((LogQuery{.event = "pulse.host_lost", .since_wall = 100.5}.matches(r)));
  EXPECT_FALSE((LogQuery{.event = "pulse.host_lost", .since_index = 5}.matches(r)));
  EXPECT_FALSE((LogQuery{.event = "pulse.host_lost", .where = [](const LabRecord& x) { return x.fields["misses"] > 5; }}.matches(r)));
}

}  // namespace
}  // namespace roost::testing
