// Expectation evaluation against hand-built traces: selection by event, node and fields; counts;
// windows after a fault's start or end; and what is reported as observed.
#include <gtest/gtest.h>

#include "harness/expectation.h"

namespace roost::harness {
namespace {

sim::TraceRecord rec(double t, std::string node, std::string event, core::LogFields fields = {}) {
  return sim::TraceRecord{core::at_seconds(t), std::move(node), core::LogLevel::Info, std::move(event),
                          std::move(fields)};
}

sim::SimConfig config_with_crash() {
  sim::SimConfig c;
  c.duration = core::seconds(45);
  sim::FaultSpec crash;
  crash.kind = sim::FaultKind::HostCrash;
  crash.at = core::at_seconds(10);
  crash.until = core::at_seconds(20);
  crash.nodes = {"worker-1"};
  c.faults.push_back(crash);
  return c;
}

Expectation lost(std::string host) {
  Expectation e;
  e.event = "pulse.host_lost";
  e.node = "controller-0";
  e.fields.push_back({"host", FieldMatcher::Op::Equals, {nlohmann::json(std::move(host))}});
  return e;
}

const std::vector<sim::TraceRecord> kTrace{
    rec(0, "controller-0", "pulse.monitor_started", {{"hosts", 4}}),
    rec(11.05, "controller-0", "pulse.host_lost", {{"host", "worker-1"}, {"misses", 10}}),
    rec(23.04, "controller-0", "pulse.host_recovered", {{"host", "worker-1"}}),
    rec(31.0, "controller-0", "pulse.host_lost", {{"host", "worker-2"}, {"misses", 10}}),
    rec(31.0, "controller-1", "pulse.host_lost", {{"host", "worker-1"}, {"misses", 10}}),
};

TEST(Expectation, CountsMatchingRecordsOverTheWholeRun) {
  Expectation e;
  e.event = "pulse.host_lost";
  e.count = {3, 3};
  auto o = evaluate(e, config_with_crash(), kTrace);
  EXPECT_TRUE(o.passed);
  EXPECT_EQ(o.count, 3u);
  EXPECT_DOUBLE_EQ(*o.first_s, 11.05);
  EXPECT_FALSE(o.first_delay_s.has_value());
  EXPECT_EQ(o.observed, "count 3, first at t=11.050 s");

  e.count = {0, 2};
  EXPECT_FALSE(evaluate(e, config_with_crash(), kTrace).passed);
}

TEST(Expectation, SelectsByNodeAndFields) {
  auto e = lost("worker-1");
  e.count = {1, 1};
  EXPECT_TRUE(evaluate(e, config_with_crash(), kTrace).passed) << "controller-1's record is not selected";
  e.node.reset();
  EXPECT_EQ(evaluate(e, config_with_crash(), kTrace).count, 2u);
}

TEST(Expectation, NumbersCompareByValue) {
  Expectation e;
  e.event = "pulse.host_lost";
  e.fields.push_back({"misses", FieldMatcher::Op::Equals, {nlohmann::json(10.0)}});
  EXPECT_EQ(evaluate(e, config_with_crash(), kTrace).count, 3u);
  e.fields[0].values = {nlohmann::json("10")};
  EXPECT_EQ(evaluate(e, config_with_crash(), kTrace).count, 0u) << "a string is not a number";
}

TEST(Expectation, InAndNotIn) {
  Expectation e;
  e.event = "pulse.host_lost";
  e.fields.push_back({"host", FieldMatcher::Op::NotIn, {nlohmann::json("worker-1")}});
  EXPECT_EQ(evaluate(e, config_with_crash(), kTrace).count, 1u);
  e.fields[0].op = FieldMatcher::Op::In;
  e.fields[0].values.push_back(nlohmann::json("worker-2"));
  EXPECT_EQ(evaluate(e, config_with_crash(), kTrace).count, 3u);
  // A record without the field is in no set.
  e.event = "pulse.monitor_started";
  EXPECT_EQ(evaluate(e, config_with_crash(), kTrace).count, 0u);
  e.fields[0].op = FieldMatcher::Op::NotIn;
  EXPECT_EQ(evaluate(e, config_with_crash(), kTrace).count, 1u);
}

TEST(Expectation, WindowAfterFaultStart) {
  auto e = lost("worker-1");
  e.count = {1, 1};
  e.after_fault = 0;
  e.within_s = {{1.0, 1.2}};
  auto o = evaluate(e, config_with_crash(), kTrace);
  EXPECT_TRUE(o.passed);
  EXPECT_DOUBLE_EQ(o.window_from_s, 11.0);
  EXPECT_DOUBLE_EQ(o.window_to_s, 11.2);
  EXPECT_NEAR(*o.first_delay_s, 1.05, 1e-9);
  EXPECT_EQ(o.observed, "count 1 in window, first at +1.050 s after fault 0");

  e.within_s = {{0.0, 1.0}};  // detected too late for this window
  o = evaluate(e, config_with_crash(), kTrace);
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.count, 0u);
  EXPECT_EQ(o.observed, "count 0 in window, first at +1.050 s after fault 0");
}

TEST(Expectation, WindowBoundsAreInclusive) {
  auto e = lost("worker-1");
  e.after_fault = 0;
  e.within_s = {{1.05, 1.05}};
  EXPECT_TRUE(evaluate(e, config_with_crash(), kTrace).passed);
}

TEST(Expectation, WindowAfterFaultEnd) {
  Expectation e;
  e.event = "pulse.host_recovered";
  e.after_fault = 0;
  e.from = FaultEdge::End;
  e.within_s = {{3.0, 3.3}};
  auto o = evaluate(e, config_with_crash(), kTrace);
  EXPECT_TRUE(o.passed);
  EXPECT_DOUBLE_EQ(*o.anchor_s, 20.0);
  EXPECT_NEAR(*o.first_delay_s, 3.04, 1e-9);
}

TEST(Expectation, RecordsBeforeTheFaultAreIgnored) {
  auto e = lost("worker-2");
  e.after_fault = 0;
  e.from = FaultEdge::End;  // from t=20: the 31.0 record counts
  EXPECT_EQ(evaluate(e, config_with_crash(), kTrace).count, 1u);
  auto c = config_with_crash();
  c.faults[0].at = core::at_seconds(32);
  e.from = FaultEdge::Start;
  auto o = evaluate(e, c, kTrace);
  EXPECT_EQ(o.count, 0u);
  EXPECT_FALSE(o.passed);
  EXPECT_EQ(o.observed, "count 0, none after fault 0");
}

TEST(Expectation, NeverMeansCountZero) {
  auto e = lost("worker-3");
  e.count = {0, 0};
  auto o = evaluate(e, config_with_crash(), kTrace);
  EXPECT_TRUE(o.passed);
  EXPECT_EQ(o.observed, "count 0");
}

TEST(Expectation, DescribeSaysWhatIsChecked) {
  auto e = lost("worker-1");
  e.count = {1, 1};
  e.after_fault = 0;
  e.within_s = {{1.0, 1.2}};
  EXPECT_EQ(describe(e, config_with_crash().faults),
            "pulse.host_lost on controller-0 where host=worker-1: exactly 1, within [1, 1.2] s after the start of "
            "fault 0 (host-crash worker-1)");
  EXPECT_EQ(describe_count({0, 0}), "never");
  EXPECT_EQ(describe_count({2, std::nullopt}), "at least 2");
  EXPECT_EQ(describe_count({0, 4}), "at most 4");
  EXPECT_EQ(describe_count({1, 3}), "between 1 and 3");
}

}  // namespace
}  // namespace roost::harness
