// Process monitoring in the simulation: a "pmon-test" host monitors "sshd" (critical, 3 restarts,
// interval 500 ms, debounce 2 s) next to an "fm" node. A process-kill fault with crash_loop from 2 s to
// 6 s kills sshd and every restart of it: the restarts run out, 200.006 is raised in the FM at
// critical, and once a run started after 6 s stays up for the debounce it is cleared. A host crash
// later ends the host's processes, and the restarted host starts fresh (ids from 1 again).
#include <gtest/gtest.h>

#include <csignal>

#include "harness/result.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "platform/roles.h"
#include "sim/simulation.h"
#include "tests/support/pmon_test_node.h"
#include "tests/support/trace_query.h"

namespace roost::sim {
namespace {

using testing::TraceQuery;
std::string text(const TraceRecord& r, const std::string& key) { return TraceQuery::text(r, key); }
std::int64_t integer(const TraceRecord& r, const std::string& key) {
  const auto* v = TraceQuery::field(r, key);
  return v && std::holds_alternative<std::int64_t>(*v) ? std::get<std::int64_t>(*v) : -1;
}
double seconds(const TraceRecord& r) { return core::to_seconds(r.t); }

std::vector<const TraceRecord*> records(const SimResult& r, const std::string& node, const std::string& event) {
  std::vector<const TraceRecord*> out;
  for (const auto& rec : r.trace)
    if (rec.node == node && rec.event == event) out.push_back(&rec);
  return out;
}

core::RoleRegistry roles() {
  core::RoleRegistry r = platform::roles();
  roost::testing::add_pmon_test_role(r);
  return r;
}

SimNodeSpec sim_node(const std::string& name, const std::string& role, nlohmann::json config) {
  SimNodeSpec n;
  n.node = {name, role, "lab", std::move(config)};
  return n;
}

SimConfig fleet() {
  SimConfig c;
  c.seed = 5;
  c.duration = core::seconds(14);
  c.trace_level = core::LogLevel::Debug;
  const nlohmann::json sshd = {{"name", "sshd"}, {"severity", "critical"}, {"restarts", 3},
                               {"interval_ms", 500}, {"debounce_ms", 2000}};
  SiteSpec site;
  site.name = "lab";
  site.nodes = {sim_node("controller-0", "fm", {{"rest_port", 0}}),
                sim_node("worker-0", "pmon-test",
                         {{"fm_node", "controller-0"}, {"processes", nlohmann::json::array({sshd})}, {"probe_ms", 250}})};
  c.sites = {site};
  FaultSpec loop;
  loop.kind = FaultKind::ProcessKill;
  loop.at = core::at_seconds(2.0);
  loop.until = core::at_seconds(6.0);
  loop.nodes = {"worker-0"};
  loop.process = "sshd";
  loop.crash_loop = true;
  FaultSpec crash;
  crash.kind = FaultKind::HostCrash;
  crash.at = core::at_seconds(11.0);
  crash.until = core::at_seconds(11.5);
  crash.nodes = {"worker-0"};
  c.faults = {loop, crash};
  return c;
}

TEST(ProcessKill, ACrashLoopExhaustsRestartsRaises200006AndClearsAfterTheLoopEnds) {
  const SimResult r = run_in_child(fleet(), roles());

  // The fault kills the first run at 2 s; every run started before 6 s dies 50 ms after it starts.
  const auto killed = records(r, "sim", "process.killed");
  ASSERT_GE(killed.size(), 5u);
  EXPECT_DOUBLE_EQ(seconds(*killed[0]), 2.0);
  EXPECT_EQ(text(*killed[0], "cause"), "fault");
  EXPECT_EQ(integer(*killed[0], "pid"), 1);
  for (std::size_t i = 1; i < killed.size(); ++i) {
    EXPECT_EQ(text(*killed[i], "cause"), "crash-loop");
    EXPECT_LT(seconds(*killed[i]), 6.0 + 0.05 + 1e-9);
  }
  const auto exited = records(r, "worker-0", "pmon.exited");
  ASSERT_GE(exited.size(), 4u);
  EXPECT_EQ(integer(*exited[0], "signal"), SIGKILL);

  // Three restarts, the fourth death fails it: 2.0 + 3 x (500 ms interval + 10 ms start + 50 ms life).
  EXPECT_EQ(records(r, "worker-0", "pmon.restarting").size(), 3u);
  const auto failed = records(r, "worker-0", "pmon.failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NEAR(seconds(*failed[0]), 3.68, 1e-6);
  EXPECT_EQ(text(*failed[0], "severity"), "critical");

  // The FM made it durable, and the probe saw it active at critical.
  bool set = false;
  for (const auto* rec : records(r, "controller-0", "fm.set"))
    set |= text(*rec, "alarm_id") == "200.006" && text(*rec, "entity_instance_id") == "host=worker-0.process=sshd";
  EXPECT_TRUE(set);
  double first_seen = -1, cleared_seen = -1;
  for (const auto* rec : records(r, "worker-0", "pmon_test.fm_alarms")) {
    if (integer(*rec, "count") == 1 && first_seen < 0) {
      first_seen = seconds(*rec);
      EXPECT_EQ(text(*rec, "severity"), "critical");
    }
    if (first_seen >= 0 && integer(*rec, "count") == 0 && cleared_seen < 0) cleared_seen = seconds(*rec);
  }
  ASSERT_GE(first_seen, 0) << "the FM never held 200.006";
  EXPECT_LT(first_seen, 3.68 + 0.3);

  // The first run started at or after 6 s (6.43) stays up for the 2 s debounce: recovered, cleared.
  const auto recovered = records(r, "worker-0", "pmon.recovered");
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_NEAR(seconds(*recovered[0]), 8.43, 1e-6);
  ASSERT_GE(cleared_seen, 0) << "200.006 was never cleared in the FM";
  EXPECT_GT(cleared_seen, 8.43);
  EXPECT_LT(cleared_seen, 8.43 + 0.3);

  // The host crash at 11 s ends sshd with the host; the new incarnation starts it afresh as pid 1.
  const auto started = records(r, "worker-0", "pmon.started");
  ASSERT_FALSE(started.empty());
  EXPECT_NEAR(seconds(*started.back()), 11.51, 1e-6);
  EXPECT_EQ(integer(*started.back(), "pid"), 1);
  EXPECT_TRUE(records(r, "sim", "process.kill_missed").empty());
}

TEST(ProcessKill, TheSameScenarioGivesTheSameTrace) {
  const SimResult a = run_in_child(fleet(), roles());
  const SimResult b = run_in_child(fleet(), roles());
  EXPECT_EQ(a.trace_hash, b.trace_hash);
}

TEST(ProcessKill, AKillThatFindsNoProcessIsRecorded) {
  SimConfig c = fleet();
  c.faults.resize(1);
  c.faults[0].process = "ntpd";  // not monitored there
  c.faults[0].crash_loop = false;
  c.faults[0].until.reset();
  const SimResult r = run_in_child(c, roles());
  const auto missed = records(r, "sim", "process.kill_missed");
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_EQ(text(*missed[0], "process"), "ntpd");
  EXPECT_TRUE(records(r, "worker-0", "pmon.exited").empty());
}

// The same story as a scenario file would tell it: the harness reads the process-kill fault and the
// scenario's own expectations hold.
TEST(ProcessKill, AsAScenarioItsExpectationsHold) {
  const auto loaded = harness::parse_scenario(R"({
    "roost_scenario": 1, "name": "pmon-crash-loop", "duration_s": 12, "seed": 3,
    "sites": [{"name": "lab", "nodes": [
      {"name": "controller-0", "role": "fm", "config": {"rest_port": 0}},
      {"name": "worker-0", "role": "pmon-test", "config": {"fm_node": "controller-0", "probe_ms": 250,
        "processes": [{"name": "sshd", "severity": "major", "restarts": 2, "interval_ms": 300, "debounce_ms": 1500}]}}]}],
    "faults": [{"kind": "process-kill", "node": "worker-0", "process": "sshd", "crash_loop": true,
                "at_s": 2, "until_s": 5, "label": "sshd crash loop"}],
    "expect": [
      {"event": "pmon.failed", "node": "worker-0", "fields": {"process": "sshd", "severity": "major"},
       "count": 1, "after_fault": 0, "within_s": [0.7, 0.8]},
      {"event": "pmon_test.fm_alarms", "node": "worker-0", "fields": {"count": 1, "severity": "major"},
       "after_fault": 0, "within_s": [0.7, 1.2]},
      {"event": "pmon.recovered", "node": "worker-0", "count": 1, "after_fault": 0, "from": "end",
       "within_s": [1.5, 2.0]},
      {"event": "process.killed", "node": "sim", "fields": {"cause": "crash-loop"}, "count": {"min": 3}}]})",
                                              "pmon-crash-loop.json", roles());
  ASSERT_TRUE(loaded.ok()) << loaded.messages().front();
  const auto& fault = loaded.scenario->config.faults.at(0);
  EXPECT_EQ(fault.kind, FaultKind::ProcessKill);
  EXPECT_EQ(fault.nodes, std::vector<std::string>{"worker-0"});
  EXPECT_EQ(fault.process, "sshd");
  EXPECT_TRUE(fault.crash_loop);

  const auto run = harness::run_scenario(*loaded.scenario, roles(), {.in_child_process = true});
  for (std::size_t i = 0; i < run.outcomes.size(); ++i)
    EXPECT_TRUE(run.outcomes[i].passed) << "expectation " << i << ": " << harness::result_json(run)["expectations"][i].dump();
  const auto result = harness::result_json(run);
  EXPECT_EQ(result["faults"][0]["process"], "sshd");
  EXPECT_EQ(result["faults"][0]["crash_loop"], true);
  EXPECT_EQ(result["faults"][0]["started_s"], 2.0);
}

}  // namespace
}  // namespace roost::sim
