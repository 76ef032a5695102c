// `roost sm status` and `roost host swact` (the real CLI binary, run as a child process) against the
// service manager's REST router served by a real HTTP listener on loopback, with hooks the test controls:
// tables, JSON, missing keys, swact accepted / forced / refused, ROOST_SM_URL, and an unreachable server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "backends/http_server.h"
#include "platform/sm/rest_api.h"
#include "tests/support/cli_run.h"

namespace roost::sm {
namespace {

namespace asio = boost::asio;

using roost::testing::CliRun;

class SmCli : public ::testing::Test {
 protected:
  SmCli() {
    SmApiHooks hooks;
    hooks.status = [this] {
      std::lock_guard lock(mu);
      return status;
    };
    hooks.swact = [this](std::string host, bool force, std::function<void(bool, std::string, std::string)> done) {
      std::lock_guard lock(mu);
      swacts.push_back(host + (force ? " force" : ""));
      if (refuse.empty())
        done(true, "", host == "controller-0" ? "controller-1" : "controller-0");
      else
        done(false, refuse, "");
    };
    auto router = make_sm_router(std::move(hooks));
    // A free port: try a few from a random start (another test may hold one).
    std::mt19937 rng(static_cast<unsigned>(::getpid()));
    for (int attempt = 0; attempt < 20 && !listener; ++attempt) {
      port = static_cast<std::uint16_t>(20000 + rng() % 40000);
      auto l = std::make_unique<backends::HttpListener>(io, "127.0.0.1", port, router,
                                                        [](core::LogLevel, std::string_view, core::LogFields) {});
      try {
        l->start();
        listener = std::move(l);
      } catch (const std::runtime_error&) {
      }
    }
    url = "http://127.0.0.1:" + std::to_string(port);
    loop = std::thread([this] { io.run(); });
    err_file = "/tmp/roost-sm-cli-" + std::to_string(::getpid()) + ".err";
  }
  ~SmCli() override {
    asio::post(io, [this] {
      listener->stop();
      work.reset();
    });
    loop.join();
    listener.reset();
    std::remove(err_file.c_str());
  }

  // Runs `roost <args>` with `env` prepended to the shell command; captures stdout and stderr.
  CliRun roost(const std::string& args, const std::string& env = "") {
    return roost::testing::run_cli(env + " " + ROOST_CLI_PATH + " " + args, err_file);
  }

  std::mutex mu;
  nlohmann::json status = nlohmann::json::parse(R"({
    "node": "controller-0", "role": "active", "term": 4,
    "peer": {"name": "controller-1", "role": "standby", "interfaces": {"mgmt": "ok", "oam": "lost"}},
    "sync": {"state": "in-sync", "position": {"term": 4, "seq": 120}},
    "groups": [{"name": "controller-services", "redundancy": "1+1", "desired": "active", "state": "active",
                "status": "degraded",
                "services": [{"name": "fm", "state": "enabled-active", "impact": "critical", "actions": "internal",
                              "failures": 0, "fatal": false},
                             {"name": "web", "state": "failed", "impact": "major", "actions": "process",
                              "failures": 4, "fatal": true, "last_error": "start: exited with status 3"}]}]})");
  std::vector<std::string> swacts;
  std::string refuse;

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::unique_ptr<backends::HttpListener> listener;
  std::uint16_t port = 0;
  std::string url;
  std::thread loop;
  std::string err_file;
};

TEST_F(SmCli, StatusPrintsNodesSyncGroupsAndServices) {
  ASSERT_TRUE(listener) << "no free port";
  auto r = roost("sm status --url " + url);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("controller-0  active   4     (this node)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("controller-1  standby  -     mgmt ok, oam lost"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sync: in-sync at 4:120"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("controller-services  1+1         active   active  degraded"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("controller-services  web      failed          major     process   4 (fatal)  start: exited "
                       "with status 3"),
            std::string::npos)
      << r.out;
}

TEST_F(SmCli, StatusAsJsonIsTheServersJson) {
  ASSERT_TRUE(listener) << "no free port";
  auto r = roost("sm status --json", "ROOST_SM_URL=" + url);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), status);
}

TEST_F(SmCli, StatusToleratesMissingKeys) {
  ASSERT_TRUE(listener) << "no free port";
  {
    std::lock_guard lock(mu);
    status = {{"node", "controller-1"}, {"role", "initial"}};
  }
  auto r = roost("sm status --url " + url);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("controller-1  initial  -     (this node)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no service groups"), std::string::npos) << r.out;
}

TEST_F(SmCli, SwactAskedForcedAndRefused) {
  ASSERT_TRUE(listener) << "no free port";
  auto r = roost("host swact controller-0 --url " + url);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Swact from controller-0 done: controller-1 is active\n");
  r = roost("host swact controller-1 --force", "ROOST_SM_URL=" + url);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(swacts, (std::vector<std::string>{"controller-0", "controller-1 force"}));
    refuse = "the standby is not in sync";
  }
  r = roost("host swact controller-0 --url " + url);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "roost: PATCH /v1/servicenode/controller-0: HTTP 409 swact-refused: the standby is not in sync\n");
}

TEST_F(SmCli, AnUnreachableServerIsExit3) {
  auto r = roost("sm status --url http://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err.rfind("roost: cannot reach the service manager at http://127.0.0.1:1: ", 0), 0u) << r.err;
  r = roost("host swact controller-0 --url http://127.0.0.1:1");
  EXPECT_EQ(r.exit_code, 3);
  r = roost("host swact");
  EXPECT_EQ(r.exit_code, 2) << "a missing host is a usage error";
}

}  // namespace
}  // namespace roost::sm
