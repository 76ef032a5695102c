// roostd as processes: a pulse-controller process and two pulse-host processes on loopback; the
// controller notices exactly the host that was SIGKILLed, and a SIGSTOPped host that comes back.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/support/real_lab.h"

namespace roost::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kPeriodMs = 100;
constexpr int kMissThreshold = 5;

std::vector<LabNode> pulse_lab() {
  return {{"controller-0", "pulse-controller", "ctl",
           {{"hosts", {"worker-0", "worker-1"}}, {"period_ms", kPeriodMs}, {"miss_threshold", kMissThreshold}}},
          {"worker-0", "pulse-host", "w0"},
          {"worker-1", "pulse-host", "w1"}};
}

LogQuery lost(const std::string& host, double since) {
  return {.event = "pulse.host_lost", .node = "controller-0", .fields = {{"host", host}}, .since_wall = since};
}

TEST(Roostd, ControllerDetectsAKilledAndAPausedHost) {
  RealLab lab(pulse_lab());
  lab.start();
  lab.expect({.event = "pulse.monitor_started", .node = "controller-0"}, 5s);
  // Let a few periods pass with everyone answering.
  std::this_thread::sleep_for(std::chrono::milliseconds(4 * kPeriodMs));
  ASSERT_EQ(lab.count({.event = "pulse.host_lost"}), 0u);

  // SIGKILL worker-0's process: lost after K unanswered pulses, i.e. between (K-1) and (K+1) periods
  // after the kill (plus scheduling slack); worker-1 is not.
  const double killed_at = RealLab::wall_now();
  lab.kill("w0");
  const auto r = lab.expect(lost("worker-0", killed_at), 10s);
  const double after_ms = (r.wall - killed_at) * 1000;
  std::printf("[ measure  ] host_lost %.0f ms after SIGKILL (period %d ms, threshold %d)\n", after_ms, kPeriodMs,
              kMissThreshold);
  EXPECT_GE(after_ms, (kMissThreshold - 1) * kPeriodMs - 50);
  EXPECT_LE(after_ms, (kMissThreshold + 1) * kPeriodMs + 2000);
  EXPECT_EQ(r.fields["misses"], kMissThreshold);
  EXPECT_EQ(lab.count(lost("worker-0", 0)), 1u);
  EXPECT_EQ(lab.count(lost("worker-1", 0)), 0u);

  // SIGSTOP worker-1: lost; SIGCONT: recovered.
  const double paused_at = RealLab::wall_now();
  lab.pause("w1");
  lab.expect(lost("worker-1", paused_at), 10s);
  const double resumed_at = RealLab::wall_now();
  lab.resume("w1");
  const auto back = lab.expect({.event = "pulse.host_recovered", .node = "controller-0",
                                .fields = {{"host", "worker-1"}}, .since_wall = resumed_at}, 10s);
  EXPECT_LE(back.wall - resumed_at, 3.0);
  EXPECT_EQ(lab.count({.event = "pulse.host_recovered", .fields = {{"host", "worker-0"}}}), 0u);

  // A restarted worker-0 is found again.
  const double restarted_at = RealLab::wall_now();
  lab.restart("w0");
  lab.expect({.event = "pulse.host_recovered", .fields = {{"host", "worker-0"}}, .since_wall = restarted_at}, 10s);

  // SIGTERM: clean exit 0, with a last record.
  EXPECT_EQ(lab.stop("ctl"), 0) << lab.stderr_tail("ctl");
  EXPECT_EQ(lab.count({.event = "runtime.stopped", .process = "ctl"}), 1u);
}

// Runs roostd with `args`, returns (exit status, stderr).
std::pair<int, std::string> run_roostd(const std::string& args) {
  const std::string out = ::testing::TempDir() + "/roostd_cli_" + std::to_string(getpid()) + ".txt";
  const int status = std::system((default_roostd_path() + " " + args + " >" + out + " 2>&1").c_str());
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(out.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

TEST(Roostd, HelpAndBadConfigs) {
  auto [help_status, help] = run_roostd("--help");
  EXPECT_EQ(help_status, 0);
  EXPECT_NE(help.find("--config"), std::string::npos) << help;

  const std::string path = ::testing::TempDir() + "/roostd_bad_" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << R"({"nodes": [{"name": "c", "role": "pulse-controller", "addresses": {"mgmt": "127.0.0.300"}}]})";
  auto [bad_status, bad] = run_roostd("--config " + path);
  EXPECT_EQ(bad_status, 2);
  EXPECT_NE(bad.find("nodes[0].addresses.mgmt"), std::string::npos) << bad;

  std::ofstream(path) << R"({"nodes": []})";
  auto [level_status, level] = run_roostd("--config " + path + " --log-level chatty");
  EXPECT_EQ(level_status, 2);
  EXPECT_NE(level.find("--log-level"), std::string::npos) << level;
  std::remove(path.c_str());

  auto [missing_status, missing] = run_roostd("");
  EXPECT_NE(missing_status, 0);
  EXPECT_NE(missing.find("--config"), std::string::npos) << missing;
}

TEST(Roostd, AProcessThatCannotStartReportsWhy) {
  // Two processes claiming the same node's addresses: the second cannot bind and says so.
  RealLab lab({{"worker-0", "pulse-host", "w0"}});
  lab.start();
  const std::string config = lab.config_path("w0").string();
  auto [status, err] = run_roostd("--config " + config + " --log-file " + lab.dir().string() + "/second.jsonl");
  EXPECT_EQ(status, 1);
  EXPECT_NE(err.find(lab.address("worker-0", core::Network::Management)), std::string::npos) << err;
  EXPECT_TRUE(lab.running("w0"));
}

}  // namespace
}  // namespace roost::testing
