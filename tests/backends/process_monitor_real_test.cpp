// The process monitor on the real runtime: an in-process RealRuntime hosts the "fm" node (SQLite store
// in a temporary data dir) and a "pmon-test" node monitoring `sleep 600` as process "sleeper" (restarts
// 2, interval 200 ms, debounce 1 s). The test kills the real child with kill -9: it is restarted under a
// new pid; killed again faster than the debounce, its restarts run out and 200.006 is raised in the FM;
// left alone, it stays up for the debounce and the alarm is cleared.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "backends/log_sink.h"
#include "backends/runtime.h"
#include "backends/runtime_config.h"
#include "platform/fm/fm_node.h"
#include "platform/roles.h"
#include "tests/support/lab_layout.h"
#include "tests/support/pmon_test_node.h"

namespace roost::testing {
namespace {

using namespace std::chrono_literals;

bool alive(core::ProcessId pid) { return std::filesystem::exists("/proc/" + std::to_string(pid)); }

std::string cmdline(core::ProcessId pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto& c : s)
    if (c == '\0') c = ' ';
  return s;
}

// Our own children running `sleep` (not zombies), from /proc.
int sleeping_children() {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    const auto close = line.rfind(')');
    if (line.find("(sleep)") == std::string::npos || close == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == ::getpid() && state != 'Z') ++n;
  }
  return n;
}

core::RoleRegistry roles_with_pmon() {
  core::RoleRegistry r = platform::roles();
  add_pmon_test_role(r);
  return r;
}

class PmonReal : public ::testing::Test {
 protected:
  PmonReal() : roles(roles_with_pmon()) {
    data_dir = std::filesystem::temp_directory_path() /
               ("roost-pmon-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    LabNode fm{"fm", "fm", "here", {{"rest_port", 0}}};
    const nlohmann::json sleeper = {{"name", "sleeper"},     {"argv", {"sleep", "600"}}, {"severity", "major"},
                                    {"restarts", 2},          {"interval_ms", 200},       {"debounce_ms", 1000}};
    LabNode worker{"worker-0", "pmon-test", "here",
                   {{"fm_node", "fm"}, {"processes", nlohmann::json::array({sleeper})}}};
    layout = std::make_unique<LabLayout>(std::vector<LabNode>{fm, worker});
    auto j = layout->config_for("here", {{"level", "debug"}, {"stderr", false}});
    j["data_dir"] = data_dir.string();
    config = backends::parse_runtime_config(j, roles);
    sink = std::make_unique<backends::LogSink>(config.log);
    sink->set_tap([this](const backends::LogRecord& r) { records.push_back(r); });
    runtime = std::make_unique<backends::RealRuntime>(config, *sink, roles);
  }
  ~PmonReal() override {
    runtime.reset();
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }

  core::ProcessId pid() {
    auto* n = dynamic_cast<PmonTestNode*>(runtime->node("worker-0"));
    return n ? n->monitor.pid("sleeper") : 0;
  }
  mtce::ProcessMonitor& monitor() { return dynamic_cast<PmonTestNode&>(*runtime->node("worker-0")).monitor; }
  std::vector<fm::AlarmView> alarms() {
    auto* fm = dynamic_cast<fm::FmNode*>(runtime->node("fm"));
    if (!fm || !fm->manager()) return {};
    return fm->manager()->find_by_id("200.006");
  }
  std::size_t count(const std::string& event) const {
    return std::count_if(records.begin(), records.end(), [&](const auto& r) { return r.event == event; });
  }
  // Waits for a run of "sleeper" other than `old`; returns its pid (0 on timeout).
  core::ProcessId next_run(core::ProcessId old) {
    runtime->run_until([&] { return pid() != 0 && pid() != old; }, 5s);
    const auto p = pid();
    return p != old ? p : 0;
  }

  std::filesystem::path data_dir;
  core::RoleRegistry roles;
  std::unique_ptr<LabLayout> layout;
  backends::RuntimeConfig config;
  std::vector<backends::LogRecord> records;  // declared before the runtime: it logs while it is destroyed
  std::unique_ptr<backends::LogSink> sink;
  std::unique_ptr<backends::RealRuntime> runtime;
};

TEST_F(PmonReal, KilledProcessIsRestartedThenFailsWith200006AndRecovers) {
  runtime->start();
  const core::ProcessId first = next_run(0);
  ASSERT_NE(first, 0u) << "sleeper never started";
  // The parent resumes while the kernel is still inside execve: the command line shows up a moment later.
  EXPECT_TRUE(runtime->run_until([&] { return cmdline(first) == "sleep 600 "; }, 2s)) << cmdline(first);

  // kill -9: restarted after the interval, as a new process.
  ASSERT_EQ(::kill(static_cast<pid_t>(first), SIGKILL), 0);
  const core::ProcessId second = next_run(first);
  ASSERT_NE(second, 0u) << "not restarted";
  EXPECT_TRUE(alive(second));
  EXPECT_FALSE(alive(first)) << "the killed child was reaped";
  EXPECT_TRUE(alarms().empty());

  // Killed again and again faster than the debounce: the two restarts run out and the process fails.
  core::ProcessId current = second;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(::kill(static_cast<pid_t>(current), SIGKILL), 0);
    if (i == 0) {
      current = next_run(current);
      ASSERT_NE(current, 0u);
    }
  }
  ASSERT_TRUE(runtime->run_until([&] { return alarms().size() == 1; }, 5s)) << "200.006 never reached the FM";
  const auto raised = alarms();
  EXPECT_EQ(raised[0].alarm.entity_instance_id, "host=worker-0.process=sleeper");
  EXPECT_EQ(raised[0].alarm.entity_type_id, "host");
  EXPECT_EQ(raised[0].alarm.severity, fm::Severity::Major);
  EXPECT_EQ(monitor().impact(), mtce::ProcessImpact::Major);
  EXPECT_EQ(count("pmon.failed"), 1u);
  EXPECT_EQ(count("pmon.restarting"), 2u);

  // Left alone: tried again after the interval, up for the debounce, recovered and cleared.
  ASSERT_TRUE(runtime->run_until([&] { return alarms().empty(); }, 5s)) << "200.006 was never cleared";
  EXPECT_EQ(count("pmon.recovered"), 1u);
  EXPECT_EQ(monitor().impact(), mtce::ProcessImpact::None);
  const core::ProcessId last = pid();
  ASSERT_NE(last, 0u);
  EXPECT_TRUE(alive(last));

  // A monitored process does not outlive the runtime that started it.
  runtime.reset();
  EXPECT_FALSE(alive(last));
}

TEST_F(PmonReal, ANodeRestartStopsItsProcessesAndStartsFreshOnes) {
  runtime->start();
  const core::ProcessId first = next_run(0);
  ASSERT_NE(first, 0u);
  runtime->restart_node("worker-0");  // the old incarnation's monitor stops its child (SIGTERM)
  const core::ProcessId second = next_run(first);
  ASSERT_NE(second, 0u);
  ASSERT_TRUE(runtime->run_until([&] { return !alive(first); }, 3s)) << "the old incarnation's process lives on";
  EXPECT_TRUE(alive(second));
}

TEST_F(PmonReal, AProcessWhoseIncarnationIsGoneBeforeItHearsOfItIsStopped) {
  runtime->start();                        // the monitor spawns sleeper; its `started` is still queued...
  runtime->restart_node("worker-0");      // ...when the incarnation that asked is replaced
  const core::ProcessId fresh = next_run(0);
  ASSERT_NE(fresh, 0u);
  EXPECT_TRUE(runtime->run_until([] { return sleeping_children() == 1; }, 3s))
      << sleeping_children() << " sleep children: the orphaned start was not stopped";
  EXPECT_TRUE(alive(fresh));
}

}  // namespace
}  // namespace roost::testing
