// backends::ProcessControl with real processes (sleep, sh): spawned children, exits seen through a
// pidfd on Asio, stop() with its SIGKILL escalation, start errors, and no child outliving the control.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "backends/process_control.h"

namespace roost::backends {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

bool alive(core::ProcessId pid) { return std::filesystem::exists("/proc/" + std::to_string(pid)); }

std::string cmdline(core::ProcessId pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto& c : s)
    if (c == '\0') c = ' ';
  return s;
}

class ProcessControlTest : public ::testing::Test {
 protected:
  ~ProcessControlTest() override {
    control.reset();  // kills whatever a failed test left running
  }

  // Runs the loop until `done()` or `limit`; returns done().
  bool until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_one_for(20ms);
    return done();
  }

  struct Run {
    core::ProcessId id = 0;
    std::string error;
    bool started = false;
    std::optional<core::ProcessExit> exit;
  };
  // Starts `argv`; `run` (which must outlive the control's completions) records what happens.
  void start(std::vector<std::string> argv, Run& run) {
    bool inside = true;
    control->start(
        core::ProcessSpec{"test", std::move(argv)},
        [&run, &inside](core::ProcessId id, std::string error) {
          EXPECT_FALSE(inside) << "started ran inside start()";
          run.started = true;
          run.id = id;
          run.error = std::move(error);
        },
        [&run](core::ProcessExit e) { run.exit = e; });
    inside = false;
    ASSERT_TRUE(until([&] { return run.started; }));
  }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::unique_ptr<ProcessControl> control = std::make_unique<ProcessControl>(io);
};

TEST_F(ProcessControlTest, SeesAChildKilledFromOutside) {
  Run run;
  start({"sleep", "30"}, run);
  ASSERT_EQ(run.error, "");
  ASSERT_GT(run.id, 0u);
  EXPECT_TRUE(alive(run.id));
  // The parent resumes while the kernel is still inside execve: the command line shows up a moment later.
  EXPECT_TRUE(until([&] { return cmdline(run.id) == "sleep 30 "; }, 2s)) << cmdline(run.id);
  EXPECT_EQ(control->running(), 1u);
  EXPECT_FALSE(until([&] { return run.exit.has_value(); }, 200ms)) << "it runs until something ends it";

  ASSERT_EQ(::kill(static_cast<pid_t>(run.id), SIGKILL), 0);  // kill -9, not through the control
  ASSERT_TRUE(until([&] { return run.exit.has_value(); }));
  EXPECT_EQ(run.exit->id, run.id);
  EXPECT_EQ(run.exit->signal, SIGKILL);
  EXPECT_EQ(control->running(), 0u);
  EXPECT_FALSE(alive(run.id)) << "reaped: not even a zombie is left";
}

TEST_F(ProcessControlTest, ReportsTheExitCode) {
  Run run;
  start({"sh", "-c", "exit 3"}, run);
  ASSERT_TRUE(until([&] { return run.exit.has_value(); }));
  EXPECT_EQ(run.exit->exit_code, 3);
  EXPECT_EQ(run.exit->signal, 0);
}

TEST_F(ProcessControlTest, StopEndsTheChildWithSigterm) {
  Run run;
  start({"sleep", "30"}, run);
  const auto t0 = std::chrono::steady_clock::now();
  control->stop(run.id);
  EXPECT_FALSE(run.exit.has_value()) << "the exit is seen later, never inside stop()";
  ASSERT_TRUE(until([&] { return run.exit.has_value(); }));
  EXPECT_EQ(run.exit->signal, SIGTERM);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  control->stop(run.id);  // an id that is gone: nothing happens
}

TEST_F(ProcessControlTest, StopEscalatesToSigkillWhenSigtermIsIgnored) {
  Run run;
  // The shell ignores SIGTERM and execs sleep, which keeps the disposition: only SIGKILL ends it.
  start({"sh", "-c", "trap '' TERM; exec sleep 30"}, run);
  ASSERT_TRUE(until([&] { return cmdline(run.id).rfind("sleep", 0) == 0; }, 2s));
  const auto t0 = std::chrono::steady_clock::now();
  control->stop(run.id);
  ASSERT_TRUE(until([&] { return run.exit.has_value(); }, 5s));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(run.exit->signal, SIGKILL);
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 3s);
}

TEST_F(ProcessControlTest, AMissingProgramIsAStartErrorNamingIt) {
  Run run;
  start({"roost-no-such-program"}, run);
  EXPECT_EQ(run.id, 0u);
  EXPECT_EQ(run.error, "roost-no-such-program: No such file or directory");
  EXPECT_EQ(control->running(), 0u);

  Run empty;
  start({}, empty);
  EXPECT_EQ(empty.error, "no program given");
}

TEST_F(ProcessControlTest, DestroyingTheControlKillsAndReapsItsChildren) {
  Run a, b;
  start({"sleep", "30"}, a);
  start({"sleep", "30"}, b);
  ASSERT_TRUE(alive(a.id) && alive(b.id));
  control.reset();
  EXPECT_FALSE(alive(a.id));
  EXPECT_FALSE(alive(b.id));
  io.run_for(50ms);  // whatever was queued for them runs now, and reports nothing
  EXPECT_FALSE(a.exit.has_value());
  EXPECT_FALSE(b.exit.has_value());
}

TEST_F(ProcessControlTest, NoCompletionRunsAfterTheControlIsGone) {
  bool started = false;
  core::ProcessId pid = 0;
  control->start(core::ProcessSpec{"test", {"sleep", "30"}}, [&](core::ProcessId id, std::string) { started = true, pid = id; },
                 [](core::ProcessExit) { ADD_FAILURE() << "exited after the control was destroyed"; });
  control.reset();  // with `started` still queued
  io.run_for(50ms);
  EXPECT_FALSE(started);
  EXPECT_EQ(pid, 0u);
}

}  // namespace
}  // namespace roost::backends
