// ProcessServiceActions with real processes: a ServiceGroup on a hand-driven Env whose hardware is the
// real runtime's ProcessControl (posix_spawn, pidfd on Asio). The test runs the Asio loop and moves the
// Env's clock together, in small steps. A killed process is restarted under a new pid; a command that
// dies at once fails its start with its exit status; going standby ends the process.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "backends/process_control.h"
#include "platform/sm/service_actions.h"
#include "tests/unit/manual_env.h"

namespace roost::sm {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

bool alive(core::ProcessId pid) { return pid != 0 && std::filesystem::exists("/proc/" + std::to_string(pid)); }

class RealProcesses final : public core::HardwareAccess {
 public:
  explicit RealProcesses(asio::io_context& io) : control(io) {}
  std::shared_ptr<core::Bmc> bmc(const core::BmcEndpoint& endpoint) override {
    return std::make_shared<core::FailingBmc>(endpoint, core::BmcError{core::BmcErrorCode::Unsupported, "no BMC"},
                                              [](std::function<void()>) {});
  }
  core::ProcessControl& processes() override { return control; }
  backends::ProcessControl control;
};

class ProcessActionsReal : public ::testing::Test {
 protected:
  ProcessActionsReal() { env.set_hardware(&hardware); }
  ~ProcessActionsReal() override {
    group.reset();  // stops what it started
    env.set_hardware(nullptr);
  }

  // Runs the Asio loop and the Env's clock in 5 ms steps until `done()` or `limit` (wall time).
  bool until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_one_for(5ms);
      env.advance(5ms);
    }
    return done();
  }

  void make(nlohmann::json config, int max_failures = 3) {
    ServiceSpec s;
    s.name = "sleeper";
    s.actions = "process";
    s.config = std::move(config);
    s.action_timeout = 3s;
    s.audit_period = 100ms;
    s.max_failures = max_failures;
    auto standard = make_actions_factory(node);
    group = std::make_unique<ServiceGroup>(
        node, ServiceGroupSpec{"real", RedundancyModel::OnePlusOne, {s}},
        [this, standard](const ServiceSpec& spec) {
          auto a = standard(spec);
          plugin = dynamic_cast<ProcessServiceActions*>(a.get());
          return a;
        },
        ServiceGroup::Listener{});
  }
  core::ProcessId pid() const { return plugin && plugin->pid() ? *plugin->pid() : 0; }
  ServiceView view() const { return group->services().at(0); }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  RealProcesses hardware{io};
  testing::ManualEnv env{"controller-0"};
  core::Node node{env, core::NodeSpec{"controller-0", "sm-controller", "lab", {}}};
  std::unique_ptr<ServiceGroup> group;
  ProcessServiceActions* plugin = nullptr;
};

TEST_F(ProcessActionsReal, StartsAuditsRestartsAndStopsARealProcess) {
  make({{"command", {"sleep", "30"}}, {"restart_grace_ms", 100}});
  group->go_active();
  ASSERT_TRUE(until([&] { return group->state() == GroupState::Active; }));
  const core::ProcessId first = pid();
  ASSERT_TRUE(alive(first));
  EXPECT_EQ(plugin->kind(), "process");
  // Audits pass while it runs.
  until([] { return false; }, 300ms);
  EXPECT_EQ(view().failures, 0);
  EXPECT_EQ(pid(), first);

  ASSERT_EQ(::kill(static_cast<pid_t>(first), SIGKILL), 0);
  ASSERT_TRUE(until([&] { return view().failures == 1 && view().state == ServiceState::EnabledActive; }))
      << "state " << to_string(view().state) << ", error " << view().last_error;
  EXPECT_EQ(view().last_error, "audit: sleeper is not running (killed by signal 9)");
  const core::ProcessId second = pid();
  EXPECT_NE(second, first);
  EXPECT_TRUE(alive(second));
  EXPECT_EQ(group->status(), GroupStatus::None);

  group->go_standby();
  ASSERT_TRUE(until([&] { return group->state() == GroupState::Standby; }));
  EXPECT_EQ(pid(), 0u);
  EXPECT_FALSE(alive(second));
  EXPECT_EQ(hardware.control.running(), 0u);
}

TEST_F(ProcessActionsReal, ACommandThatDiesAtOnceFailsItsStartWithItsStatus) {
  make({{"command", {"sh", "-c", "exit 3"}}, {"restart_grace_ms", 500}}, 0);
  group->go_active();
  ASSERT_TRUE(until([&] { return group->state() == GroupState::Active; }));
  EXPECT_TRUE(view().fatal);
  EXPECT_EQ(view().last_error, "start: sh -c exit 3 exited with status 3 within 500 ms of starting");
  EXPECT_EQ(group->status(), GroupStatus::Failed);
}

TEST_F(ProcessActionsReal, AProgramThatCannotBeSpawnedFailsItsStart) {
  make({{"command", {"/nonexistent/roost-no-such-program"}}}, 0);
  group->go_active();
  ASSERT_TRUE(until([&] { return group->state() == GroupState::Active; }));
  EXPECT_EQ(view().last_error.rfind("start: /nonexistent/roost-no-such-program: ", 0), 0u) << view().last_error;
  EXPECT_EQ(hardware.control.running(), 0u);
}

TEST_F(ProcessActionsReal, AStopDuringTheStartGraceEndsTheProcessAndFailsTheStart) {
  ProcessServiceActions p(node, "sleeper", ProcessServiceActions::parse_config(
                                               {{"command", {"sleep", "30"}}, {"restart_grace_ms", 10000}}, "test"));
  std::optional<ActionResult> started, stopped;
  p.start([&](ActionResult r) { started = r; });
  ASSERT_TRUE(until([&] { return p.pid().has_value(); }));
  const core::ProcessId id = *p.pid();
  EXPECT_TRUE(alive(id));
  p.stop([&](ActionResult r) { stopped = r; });
  EXPECT_FALSE(stopped) << "done ran inside stop()";
  ASSERT_TRUE(until([&] { return started && stopped; }));
  EXPECT_FALSE(started->ok);
  EXPECT_EQ(started->error, "start: sleeper was stopped before it was up");
  EXPECT_TRUE(stopped->ok);
  EXPECT_FALSE(alive(id));
  // Stopping a stopped service succeeds; auditing it fails.
  std::optional<ActionResult> again, audit;
  p.stop([&](ActionResult r) { again = r; });
  p.audit([&](ActionResult r) { audit = r; });
  ASSERT_TRUE(until([&] { return again && audit; }));
  EXPECT_TRUE(again->ok);
  EXPECT_FALSE(audit->ok);
  EXPECT_EQ(audit->error, "audit: sleeper is not running (killed by signal 15)");
}

TEST_F(ProcessActionsReal, DestroyingThePluginEndsItsProcess) {
  core::ProcessId id = 0;
  {
    ProcessServiceActions p(node, "sleeper",
                            ProcessServiceActions::parse_config({{"command", {"sleep", "30"}}, {"restart_grace_ms", 0}}, "test"));
    std::optional<ActionResult> started;
    p.start([&](ActionResult r) { started = r; });
    ASSERT_TRUE(until([&] { return started.has_value(); }));
    ASSERT_TRUE(started->ok);
    id = *p.pid();
  }
  ASSERT_TRUE(until([&] { return !alive(id); }));
  EXPECT_EQ(hardware.control.running(), 0u);
}

}  // namespace
}  // namespace roost::sm
