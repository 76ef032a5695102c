// ProcessMonitor (StarlingX's pmond) on a hand-driven Env: a fake ProcessControl whose processes the
// test kills, and a real FmNode (on its own ManualEnv, over a MemoryAlarmStore) that the monitor's
// FmClient reaches through the test, so 200.006 is checked where operators would see it.
#include <gtest/gtest.h>

#include <csignal>
#include <map>

#include "platform/fm/fm_client.h"
#include "platform/fm/fm_node.h"
#include "platform/fm/memory_alarm_store.h"
#include "platform/mtce/process_monitor.h"
#include "tests/unit/manual_env.h"

namespace roost::mtce {
namespace {

using core::milliseconds;
using core::seconds;
using roost::testing::ManualEnv;

// Processes that start after the current callback (or fail to, when `start_error` is set) and end
// when the test kills them or the monitor stops them.
class FakeProcesses final : public core::ProcessControl {
 public:
  explicit FakeProcesses(ManualEnv& env) : env_(env) {}

  void start(const core::ProcessSpec& spec, std::function<void(core::ProcessId, std::string)> started,
             std::function<void(core::ProcessExit)> exited) override {
    specs.push_back(spec);
    env_.after(core::Duration::zero(), [this, name = spec.name, started = std::move(started),
                                        exited = std::move(exited)]() mutable {
      if (!start_error.empty()) return started(0, start_error);
      const core::ProcessId id = next_id_++;
      running[id] = {name, std::move(exited)};
      started(id, {});
    });
  }
  void stop(core::ProcessId id) override {
    stopped.push_back(id);
    end(id, SIGTERM);
  }

  // Ends process `id` as `kill -<signal>` would; its exit is seen after the current callback.
  void end(core::ProcessId id, int signal = SIGKILL) {
    auto it = running.find(id);
    if (it == running.end()) return;
    auto exited = std::move(it->second.exited);
    running.erase(it);
    env_.after(core::Duration::zero(), [exited = std::move(exited), id, signal] { exited({id, 0, signal}); });
  }

  struct Running {
    std::string name;
    std::function<void(core::ProcessExit)> exited;
  };
  std::map<core::ProcessId, Running> running;
  std::vector<core::ProcessSpec> specs;  // every start asked for
  std::vector<core::ProcessId> stopped;
  std::string start_error;  // non-empty: every start fails with it

 private:
  ManualEnv& env_;
  core::ProcessId next_id_ = 100;
};

class FakeHardware final : public core::HardwareAccess {
 public:
  explicit FakeHardware(ManualEnv& env) : processes_(env) {}
  std::shared_ptr<core::Bmc> bmc(const core::BmcEndpoint& endpoint) override {
    return std::make_shared<core::FailingBmc>(endpoint, core::BmcError{core::BmcErrorCode::Unsupported, "no BMC here"},
                                              [](std::function<void()>) {});
  }
  core::ProcessControl& processes() override { return processes_; }
  FakeProcesses& fake() { return processes_; }

 private:
  FakeProcesses processes_;
};

class PmonNode final : public core::Node {
 public:
  PmonNode(core::Env& env, ProcessMonitorConfig config)
      : core::Node(env, core::NodeSpec{"worker-0", "test", "lab", {}}),
        fm(*this, fm::FmClientConfig{.fm_node = "controller-0"}),
        monitor(*this, std::move(config), fm, [this] { ++impact_changes; }) {}
  fm::FmClient fm;
  ProcessMonitor monitor;
  int impact_changes = 0;
};

MonitoredProcess process(std::string name, ProcessImpact severity = ProcessImpact::Major, int restarts = 3) {
  MonitoredProcess p;
  p.name = name;
  p.argv = {"sleep", "infinity"};
  p.severity = severity;
  p.restarts = restarts;
  p.interval = seconds(1);
  p.debounce = seconds(10);
  return p;
}

class ProcessMonitorTest : public ::testing::Test {
 protected:
  ProcessMonitorTest() : hw_(env_) {
    env_.set_hardware(&hw_);
    fm_env_.resources[std::type_index(typeid(fm::AlarmStore))] = std::shared_ptr<fm::AlarmStore>(store_);
    fm_ = std::make_unique<fm::FmNode>(fm_env_, core::NodeSpec{"controller-0", "fm", "lab", {{"rest_port", 0}}});
    fm_->start();
  }

  void make(std::vector<MonitoredProcess> processes) {
    node_ = std::make_unique<PmonNode>(env_, ProcessMonitorConfig{std::move(processes)});
    node_->monitor.start();
  }

  // Moves time on by `d`, carrying the FM client's calls to the FM node as they are made.
  void advance(core::Duration d) {
    const core::Duration step = milliseconds(10);
    for (core::Duration done{}; done < d; done += step) {
      env_.advance(std::min(step, d - done));
      deliver();
    }
    if (d == core::Duration::zero()) {
      env_.advance(d);
      deliver();
    }
  }
  void deliver() {
    while (!env_.calls.empty()) {
      auto calls = std::move(env_.calls);
      env_.calls.clear();
      for (auto& c : calls) fm_->serve(core::Peer{"worker-0", c.net}, c.request, core::Reply(c.done));
    }
  }

  FakeProcesses& procs() { return hw_.fake(); }
  core::ProcessId pid(const std::string& name) const { return node_->monitor.pid(name); }
  // Kills the current run of `name` and lets the monitor see it.
  void kill(const std::string& name) {
    const auto id = pid(name);
    ASSERT_NE(id, 0u) << name << " is not running";
    procs().end(id);
    advance(core::Duration::zero());
  }
  std::size_t count(std::string_view event) const { return env_.logger.with_event(event).size(); }

  // The active 200.006 alarms in the FM: entity -> severity.
  std::map<std::string, fm::Severity> alarms() const {
    std::map<std::string, fm::Severity> out;
    for (const auto& v : fm_->manager()->find_by_id("200.006")) out[v.alarm.entity_instance_id] = v.alarm.severity;
    return out;
  }

  ManualEnv env_{"worker-0"};
  FakeHardware hw_;
  ManualEnv fm_env_{"controller-0"};
  std::shared_ptr<fm::MemoryAlarmStore> store_ = std::make_shared<fm::MemoryAlarmStore>();
  std::unique_ptr<fm::FmNode> fm_;
  std::unique_ptr<PmonNode> node_;
};

TEST_F(ProcessMonitorTest, StartsEveryConfiguredProcess) {
  make({process("sshd"), process("ntpd")});
  EXPECT_EQ(pid("sshd"), 0u) << "a start completes later, never inside start()";
  advance(core::Duration::zero());
  ASSERT_EQ(procs().specs.size(), 2u);
  EXPECT_EQ(procs().specs[0].argv, (std::vector<std::string>{"sleep", "infinity"}));
  EXPECT_NE(pid("sshd"), 0u);
  EXPECT_NE(pid("ntpd"), 0u);
  EXPECT_EQ(count("pmon.started"), 2u);
  EXPECT_EQ(node_->monitor.impact(), ProcessImpact::None);
}

TEST_F(ProcessMonitorTest, RestartsADeadProcessAfterTheInterval) {
  make({process("sshd")});
  advance(core::Duration::zero());
  const auto first = pid("sshd");
  kill("sshd");
  EXPECT_EQ(pid("sshd"), 0u);
  const auto exited = env_.logger.with_event("pmon.exited");
  ASSERT_EQ(exited.size(), 1u);
  EXPECT_EQ(core::format_fields(exited[0].fields), "process=sshd pid=" + std::to_string(first) + " signal=9");
  const auto restarting = env_.logger.with_event("pmon.restarting");
  ASSERT_EQ(restarting.size(), 1u);
  EXPECT_EQ(core::format_fields(restarting[0].fields), "process=sshd attempt=1 of=3");

  advance(milliseconds(990));
  EXPECT_EQ(procs().specs.size(), 1u) << "not restarted before the interval";
  advance(milliseconds(20));
  EXPECT_EQ(procs().specs.size(), 2u);
  EXPECT_NE(pid("sshd"), 0u);
  EXPECT_NE(pid("sshd"), first);
  EXPECT_TRUE(alarms().empty());
}

TEST_F(ProcessMonitorTest, ExhaustedRestartsRaise200006AtTheProcessSeverity) {
  make({process("sshd", ProcessImpact::Major, 2)});
  advance(core::Duration::zero());
  for (int i = 0; i < 2; ++i) {  // two restarts allowed, each killed well inside the debounce
    kill("sshd");
    advance(seconds(1));
    EXPECT_TRUE(node_->monitor.failed().empty());
  }
  kill("sshd");
  EXPECT_EQ(count("pmon.failed"), 1u);
  EXPECT_EQ(core::format_fields(env_.logger.with_event("pmon.failed")[0].fields), "process=sshd severity=major");
  EXPECT_EQ(node_->monitor.impact(), ProcessImpact::Major);
  EXPECT_EQ(node_->monitor.failed(), std::vector<std::string>{"sshd"});
  EXPECT_EQ(node_->impact_changes, 1);
  EXPECT_EQ(alarms(), (std::map<std::string, fm::Severity>{{"host=worker-0.process=sshd", fm::Severity::Major}}));
  const auto active = fm_->manager()->find_by_id("200.006");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].alarm.entity_type_id, "host");
  EXPECT_NE(active[0].alarm.reason_text.find("'sshd'"), std::string::npos) << active[0].alarm.reason_text;

  // A failed process is still tried every interval, without a new alarm.
  advance(seconds(1) + milliseconds(10));
  EXPECT_NE(pid("sshd"), 0u);
  EXPECT_EQ(count("pmon.failed"), 1u);
}

TEST_F(ProcessMonitorTest, StayingUpForTheDebounceRefillsTheBudget) {
  make({process("sshd", ProcessImpact::Major, 1)});
  advance(core::Duration::zero());
  kill("sshd");
  advance(seconds(1) + milliseconds(10));  // restarted: the one restart is used
  advance(seconds(10));                    // ...and stays up for the debounce: the budget is back
  kill("sshd");
  EXPECT_TRUE(node_->monitor.failed().empty()) << "the budget refilled, so this death is restart 1 again";
  const auto restarting = env_.logger.with_event("pmon.restarting");
  ASSERT_EQ(restarting.size(), 2u);
  EXPECT_EQ(core::format_fields(restarting[1].fields), "process=sshd attempt=1 of=1");

  advance(seconds(1) + milliseconds(10));
  advance(seconds(9));  // up, but not for a whole debounce
  kill("sshd");
  EXPECT_EQ(node_->monitor.failed(), std::vector<std::string>{"sshd"});
}

TEST_F(ProcessMonitorTest, AFailedProcessThatStaysUpRecoversAndClearsTheAlarm) {
  make({process("sshd", ProcessImpact::Critical, 0)});
  advance(core::Duration::zero());
  kill("sshd");  // no restarts allowed: failed at once
  EXPECT_EQ(node_->monitor.impact(), ProcessImpact::Critical);
  EXPECT_EQ(alarms().size(), 1u);
  advance(seconds(1) + milliseconds(10));  // tried again after the interval
  ASSERT_NE(pid("sshd"), 0u);
  advance(seconds(9));
  EXPECT_EQ(alarms().size(), 1u) << "not recovered before the debounce";
  EXPECT_EQ(count("pmon.recovered"), 0u);
  advance(seconds(1));
  EXPECT_EQ(count("pmon.recovered"), 1u);
  EXPECT_TRUE(alarms().empty());
  EXPECT_EQ(node_->monitor.impact(), ProcessImpact::None);
  EXPECT_TRUE(node_->monitor.failed().empty());
  EXPECT_EQ(node_->impact_changes, 2);  // failed, then recovered
  EXPECT_EQ(fm_->manager()->event_count(), 2u);  // the set and the clear
}

TEST_F(ProcessMonitorTest, ImpactIsTheWorstSeverityAmongFailedProcesses) {
  make({process("a-minor", ProcessImpact::Minor, 0), process("b-major", ProcessImpact::Major, 0),
        process("c-critical", ProcessImpact::Critical, 0)});
  advance(core::Duration::zero());
  kill("a-minor");
  EXPECT_EQ(node_->monitor.impact(), ProcessImpact::Minor);
  kill("b-major");
  EXPECT_EQ(node_->monitor.impact(), ProcessImpact::Major);
  kill("c-critical");
  EXPECT_EQ(node_->monitor.impact(), ProcessImpact::Critical);
  EXPECT_EQ(node_->monitor.failed(), (std::vector<std::string>{"a-minor", "b-major", "c-critical"}));
  EXPECT_EQ(alarms(), (std::map<std::string, fm::Severity>{{"host=worker-0.process=a-minor", fm::Severity::Minor},
                                                           {"host=worker-0.process=b-major", fm::Severity::Major},
                                                           {"host=worker-0.process=c-critical", fm::Severity::Critical}}));
  EXPECT_EQ(node_->impact_changes, 3);
  EXPECT_EQ(to_string(node_->monitor.impact()), "critical");
}

TEST_F(ProcessMonitorTest, AStartFailureCountsAgainstTheBudget) {
  procs().start_error = "nosuchd: No such file or directory";
  make({process("nosuchd", ProcessImpact::Minor, 2)});
  advance(core::Duration::zero());
  const auto failures = env_.logger.with_event("pmon.start_failed");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(core::format_fields(failures[0].fields), "process=nosuchd error=nosuchd: No such file or directory");
  EXPECT_EQ(count("pmon.restarting"), 1u);
  advance(seconds(2) + milliseconds(20));  // the two restarts fail too
  EXPECT_EQ(count("pmon.start_failed"), 3u);
  EXPECT_EQ(node_->monitor.failed(), std::vector<std::string>{"nosuchd"});
  EXPECT_EQ(alarms(), (std::map<std::string, fm::Severity>{{"host=worker-0.process=nosuchd", fm::Severity::Minor}}));

  procs().start_error.clear();  // the program is installed: the next try runs and, after the debounce, recovers
  advance(seconds(1) + milliseconds(10));
  EXPECT_NE(pid("nosuchd"), 0u);
  advance(seconds(10));
  EXPECT_TRUE(alarms().empty());
}

TEST_F(ProcessMonitorTest, DestroyingTheMonitorStopsItsProcesses) {
  make({process("sshd"), process("ntpd")});
  advance(core::Duration::zero());
  const std::vector<core::ProcessId> ids{pid("ntpd"), pid("sshd")};
  node_.reset();
  EXPECT_EQ(procs().stopped, ids);  // by name order: ntpd, sshd
  EXPECT_TRUE(procs().running.empty());
  advance(seconds(2));  // their exits find nobody; nothing restarts
  EXPECT_EQ(procs().specs.size(), 2u);
}

TEST_F(ProcessMonitorTest, AProcessThatStartsAfterTheMonitorIsGoneIsStopped) {
  make({process("sshd")});
  node_.reset();  // before the start completes
  advance(core::Duration::zero());
  EXPECT_EQ(procs().stopped.size(), 1u);
  EXPECT_TRUE(procs().running.empty());
}

TEST(ProcessMonitorConfig, ReadsEntriesWithDefaults) {
  const auto c = ProcessMonitorConfig::from_json(nlohmann::json::parse(R"([
    {"name": "sshd"},
    {"name": "mtcClient", "argv": ["sleep", "600"], "severity": "critical", "restarts": 0,
     "interval_ms": 250, "debounce_ms": 2000}])"));
  ASSERT_EQ(c.processes.size(), 2u);
  EXPECT_EQ(c.processes[0].argv, std::vector<std::string>{"sshd"});
  EXPECT_EQ(c.processes[0].severity, ProcessImpact::Major);
  EXPECT_EQ(c.processes[0].restarts, 3);
  EXPECT_EQ(c.processes[0].interval, seconds(1));
  EXPECT_EQ(c.processes[0].debounce, seconds(10));
  EXPECT_EQ(c.processes[1].argv, (std::vector<std::string>{"sleep", "600"}));
  EXPECT_EQ(c.processes[1].severity, ProcessImpact::Critical);
  EXPECT_EQ(c.processes[1].restarts, 0);
  EXPECT_EQ(c.processes[1].interval, milliseconds(250));
  EXPECT_EQ(c.processes[1].debounce, seconds(2));
}

TEST(ProcessMonitorConfig, ErrorsNameTheEntryAndKey) {
  auto error = [](const char* text) -> std::string {
    try {
      ProcessMonitorConfig::from_json(nlohmann::json::parse(text));
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error(R"([{"name": "a"}, {"name": "b", "severity": "fatal"}])"),
            "processes[1].severity: 'fatal' is not one of minor, major, critical");
  EXPECT_EQ(error(R"([{"argv": ["x"]}])"), "processes[0].name: required");
  EXPECT_EQ(error(R"([{"name": "a"}, {"name": "a"}])"), "processes[1].name: 'a' is already monitored (processes[0])");
  EXPECT_EQ(error(R"([{"name": "a", "restart": 2}])"),
            "processes[0].restart: unknown key (expected name, argv, severity, restarts, interval_ms, debounce_ms)");
  EXPECT_EQ(error(R"([{"name": "a", "restarts": -1}])"), "processes[0].restarts: must be an integer in [0, 1000] (got -1)");
  EXPECT_EQ(error(R"([{"name": "a", "debounce_ms": 0}])"),
            "processes[0].debounce_ms: must be > 0 and at most a day (got 0)");
  EXPECT_EQ(error(R"([{"name": "a.b"}])"),
            "processes[0].name: 'a.b' must not contain '.', '=' or spaces (it is part of the alarm's entity id)");
  EXPECT_EQ(error(R"([{"name": "a", "argv": []}])"),
            "processes[0].argv: must be a non-empty array of strings (the command line)");
  EXPECT_EQ(error(R"({"name": "a"})"), R"(processes: must be an array of processes (got {"name":"a"}))");
}

}  // namespace
}  // namespace roost::mtce
