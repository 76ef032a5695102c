// FM in the simulation: an "fm" node inside a simulated controller, fed by an alarm-generator over an
// FmClient. The fm node crashes mid-run (HostCrash) and restarts; its alarm store (a MemoryAlarmStore
// the simulation keeps per node, like a disk) survives, and every alarm arrives, in order.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "platform/fm/alarm_generator.h"
#include "platform/roles.h"
#include "sim/simulation.h"

namespace roost::fm::testing {
namespace {

using namespace roost::sim;

constexpr int kAlarms = 1000;

SimNodeSpec sim_node(const std::string& name, const std::string& role, nlohmann::json config) {
  SimNodeSpec n;
  n.node.name = name;
  n.node.role = role;
  n.node.site = "central";
  n.node.config = std::move(config);
  n.boot_time = core::milliseconds(300);
  return n;
}

SimConfig fm_fleet(bool crash) {
  SimConfig c;
  c.seed = 11;
  c.duration = core::seconds(30);
  c.trace_level = core::LogLevel::Debug;
  SiteSpec site;
  site.name = "central";
  site.lan = LinkSpec{core::microseconds(100), 1e9, 0.0};
  site.nodes = {sim_node("controller-0", "fm", {{"rest_port", 0}}),
                sim_node("worker-0", "alarm-generator",
                         {{"fm_node", "controller-0"}, {"count", kAlarms}, {"rate_per_s", 200}, {"start_delay_ms", 500}})};
  c.sites = {site};
  if (crash) {
    FaultSpec f;
    f.kind = FaultKind::HostCrash;
    f.at = core::at_seconds(2.0);
    f.until = core::at_seconds(4.0);
    f.nodes = {"controller-0"};
    f.label = "fm controller crash";
    c.faults = {f};
  }
  return c;
}

const core::LogValue* field(const TraceRecord& r, const std::string& key) {
  for (const auto& [k, v] : r.fields)
    if (k == key) return &v;
  return nullptr;
}

std::string text(const TraceRecord& r, const std::string& key) {
  const auto* v = field(r, key);
  return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "";
}

void expect_all_in_order(const SimResult& r) {
  // The index of each durable set's entity, in the order the FM made them durable.
  std::vector<int> order;
  for (const auto& rec : r.trace)
    if (rec.node == "controller-0" && rec.event == "fm.set") {
      const std::string e = text(rec, "entity_instance_id");
      const std::string prefix = "host=worker-0.process=gen-";
      ASSERT_EQ(e.rfind(prefix, 0), 0u) << e;
      order.push_back(std::stoi(e.substr(prefix.size())));
    }
  std::set<int> seen;
  int highest_first = -1;
  for (int i : order) {
    if (seen.insert(i).second) {  // first arrival of alarm i: must come right after i-1's
      EXPECT_EQ(i, highest_first + 1) << "alarm " << i << " arrived before alarm " << highest_first + 1;
      highest_first = i;
    }
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kAlarms));

  const TraceRecord* done = nullptr;
  for (const auto& rec : r.trace)
    if (rec.node == "worker-0" && rec.event == "alarm_generator.done") done = &rec;
  ASSERT_NE(done, nullptr) << "the generator never finished";
  EXPECT_EQ(std::get<std::int64_t>(*field(*done, "acknowledged")), kAlarms);
  EXPECT_EQ(std::get<std::int64_t>(*field(*done, "dropped")), 0);
}

TEST(FmSim, EveryAlarmArrivesInOrder) {
  const SimResult r = run_in_child(fm_fleet(false), platform::roles());
  expect_all_in_order(r);
}

TEST(FmSim, FmCrashMidRunLosesNothingAndKeepsOrder) {
  const SimResult r = run_in_child(fm_fleet(true), platform::roles());
  expect_all_in_order(r);
  // The fm node came back with what it had made durable before the crash.
  std::vector<std::int64_t> ready_counts;
  for (const auto& rec : r.trace)
    if (rec.node == "controller-0" && rec.event == "fm.ready")
      ready_counts.push_back(std::get<std::int64_t>(*field(rec, "active_alarms")));
  ASSERT_EQ(ready_counts.size(), 2u);
  EXPECT_EQ(ready_counts[0], 0);
  EXPECT_GT(ready_counts[1], 0);  // raised before the crash at 2 s: 200/s from 0.5 s
  // The generator saw the outage.
  bool unreachable = false;
  for (const auto& rec : r.trace) unreachable |= rec.node == "worker-0" && rec.event == "fm_client.unreachable";
  EXPECT_TRUE(unreachable);
}

}  // namespace
}  // namespace roost::fm::testing
