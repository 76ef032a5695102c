// ProcessRunner: child processes on Asio, with /bin/sh standing in for ipmitool.
#include <gtest/gtest.h>

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/ipmi/bmc_driver.h"

namespace roost::backends::ipmi {
namespace {

using namespace std::chrono_literals;
using testing::BmcDriver;

ProcessResult run(BmcDriver& d, ProcessSpec spec, std::chrono::milliseconds limit = 10s) {
  std::optional<ProcessResult> got;
  bool inside = true;
  d.runner.run(std::move(spec), [&](ProcessResult r) {
    EXPECT_FALSE(inside) << "a completion ran inside run()";
    got = std::move(r);
  });
  inside = false;
  d.until([&] { return got.has_value(); }, limit);
  if (!got) throw std::runtime_error("no completion");
  return *got;
}

ProcessSpec sh(std::string script, std::vector<std::string> env = {}) {
  ProcessSpec s;
  s.argv = {"/bin/sh", "-c", std::move(script)};
  s.env = std::move(env);
  return s;
}

TEST(ProcessRunner, CapturesBothStreamsAndTheExitStatus) {
  BmcDriver d;
  const auto r = run(d, sh("echo out; echo err >&2; exit 3"));
  EXPECT_TRUE(r.started);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.describe_end(), "exit status 3");
  EXPECT_EQ(d.runner.running(), 0u);
}

TEST(ProcessRunner, TheChildHasOnlyTheEnvironmentItIsGivenAndNoneOfOurDescriptors) {
  BmcDriver d;
  std::ofstream keep_open("/dev/null");  // some descriptor of ours the child must not get
  const auto r = run(d, sh("echo \"FOO=$FOO\"; echo \"HOME=$HOME\"; ls /proc/self/fd; cat",
                          {"FOO=bar", "PATH=/usr/bin:/bin"}));
  EXPECT_TRUE(r.succeeded()) << r.describe_end() << r.err;
  // ls's own descriptors: stdin (/dev/null, so cat ends at once), stdout, stderr, and the directory it lists.
  EXPECT_EQ(r.out, "FOO=bar\nHOME=\n0\n1\n2\n3\n");
}

TEST(ProcessRunner, TheDeadlineKillsTheChildByItsPidAndReapsIt) {
  BmcDriver d;
  ProcessSpec s{{"sleep", "30"}, {"PATH=/usr/bin:/bin"}, 200ms};
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run(d, s);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_GE(took, 0.2);
  EXPECT_LT(took, 2.0);
  EXPECT_EQ(d.runner.running(), 0u);
}

TEST(ProcessRunner, ADeadlineEndsARunEvenWhenAGrandchildHoldsThePipes) {
  BmcDriver d;
  // The shell's background sleep inherits stdout and outlives the shell's SIGKILL.
  const auto t0 = std::chrono::steady_clock::now();
  auto s = sh("sleep 2 & sleep 30");
  s.timeout = 200ms;
  const auto r = run(d, s);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.5);
}

TEST(ProcessRunner, AProgramThatDoesNotExistFailsToStartLater) {
  BmcDriver d;
  const auto r = run(d, {{"roost-no-such-tool"}, {"PATH=/usr/bin:/bin"}});
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.spawn_error.find("roost-no-such-tool"), std::string::npos) << r.spawn_error;
  EXPECT_EQ(r.describe_end().rfind("could not start", 0), 0u);
}

TEST(ProcessRunner, OutputBeyondTheCapIsReadAndDropped) {
  BmcDriver d;
  ProcessSpec s = sh("head -c 200000 /dev/zero", {"PATH=/usr/bin:/bin"});
  s.max_output = 1000;
  const auto r = run(d, s);
  EXPECT_TRUE(r.succeeded()) << r.describe_end();
  EXPECT_EQ(r.out.size(), 1000u);
}

TEST(ProcessRunner, DestroyingTheRunnerKillsAndReapsItsChildren) {
  const auto pid_file = std::filesystem::temp_directory_path() / ("roost-runner-" + std::to_string(::getpid()));
  std::filesystem::remove(pid_file);
  pid_t child = 0;
  bool called = false;
  {
    BmcDriver d;
    d.runner.run(sh("echo $$ > " + pid_file.string() + "; exec sleep 30", {"PATH=/usr/bin:/bin"}),
                 [&](ProcessResult) { called = true; });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (child == 0 && std::chrono::steady_clock::now() < deadline) {
      d.run_for(10ms);
      std::ifstream in(pid_file);
      in >> child;
    }
    ASSERT_GT(child, 0);
    ASSERT_EQ(::kill(child, 0), 0) << "the child is running";
  }
  // Killed and reaped: not even a zombie is left.
  EXPECT_EQ(::kill(child, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_FALSE(called);
  std::filesystem::remove(pid_file);
}

}  // namespace
}  // namespace roost::backends::ipmi
