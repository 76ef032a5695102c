// The controller role's maintenance, driven by hand (ManualEnv): heartbeat replies, mtcAlive and REST
// requests are fed in, time moves only when the test says so. Checks states, alarms and recovery steps
// without any runtime.
#include <gtest/gtest.h>

#include <set>

#include "platform/core/codec.h"
#include "platform/inv/host_store.h"
#include "platform/mtce/controller_node.h"
#include "platform/mtce/pulse.h"
#include "tests/unit/manual_env.h"

namespace roost::mtce {
namespace {

using core::Network;
using namespace std::chrono_literals;

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env.resources[std::type_index(typeid(inv::HostStore))] = std::make_shared<inv::MemoryHostStore>();
  }

  void start(nlohmann::json hosts) {
    core::NodeSpec spec{"controller-0", "controller", "lab",
                        {{"fm_node", "fm"},
                         {"hosts", std::move(hosts)},
                         {"maintenance", {{"soak_s", 1}, {"graceful_recovery_s", 5}, {"bmc_reset_delay_s", 30}}}}};
    node = std::make_unique<ControllerNode>(env, spec);
    node->start();
  }

  // The host's agent: an mtcAlive from `boot`.
  void alive(const std::string& host, std::uint64_t boot, bool goenabled = true) {
    MtcAlive m;
    m.host = host;
    m.boot_id = boot;
    m.goenabled = goenabled;
    node->deliver({host, Network::Management}, core::envelope(m));
  }

  // Answers every pulse sent so far, except to `silent` hosts; forgets them.
  void answer(const std::set<std::string>& silent = {}) {
    auto sent = std::move(env.sent);
    env.sent.clear();
    for (const auto& s : sent) {
      if (s.msg.type != Pulse::kType || silent.count(s.to)) continue;
      Pulse p;
      ASSERT_FALSE(core::decode(s.msg.body, p));
      node->deliver({s.to, s.net}, core::envelope(PulseReply{p.seq}));
    }
  }

  // Moves time in 10 ms steps, answering pulses as they go.
  void run(core::Duration d, const std::set<std::string>& silent = {}) {
    for (auto t = core::Duration::zero(); t < d; t += 10ms) {
      env.advance(10ms);
      answer(silent);
    }
  }

  const inv::Host& host(const std::string& name) { return *node->inventory()->find(name); }
  std::vector<std::string> alarms() {
    std::vector<std::string> out;
    for (const auto& r : env.logger.with_event("mtce.alarm")) {
      std::string line;
      for (const auto& f : r.fields) line += (line.empty() ? "" : " ") + std::get<std::string>(f.value);
      out.push_back(line);
    }
    return out;
  }
  std::size_t calls_of(core::MessageTypeId type, const std::string& to) {
    std::size_t n = 0;
    for (const auto& c : env.calls)
      if (c.request.type == type && c.to == to) ++n;
    return n;
  }
  core::HttpResponse http(const std::string& method, const std::string& target, const std::string& body = "") {
    core::HttpRequest req;
    req.method = method;
    req.target = target;
    core::split_target(target, req.path, req.query);
    req.body = body;
    req.headers["content-type"] = "application/json";
    core::HttpResponse out;
    bool answered = false;
    env.served.at(0).router->dispatch(req, [&](core::HttpResponse r) {
      out = std::move(r);
      answered = true;
    });
    EXPECT_TRUE(answered);
    return out;
  }

  testing::ManualEnv env{"controller-0"};
  std::unique_ptr<ControllerNode> node;
};

const nlohmann::json kTwoWorkers = nlohmann::json::array(
    {{{"hostname", "worker-0"}, {"personality", "worker"}, {"administrative", "unlocked"}},
     {{"hostname", "worker-1"}, {"personality", "worker"}}});

TEST_F(ControllerTest, HeardHostsAreEnabledAfterTheSoakAndLockedOnesRaise200001) {
  start(kTwoWorkers);
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Offline);
  EXPECT_EQ(alarms(), std::vector<std::string>{"worker-1 200.001 warning"});
  alive("worker-0", 7);
  alive("worker-1", 9);
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Intest);
  EXPECT_EQ(host("worker-1").availability, inv::AvailState::Online);
  run(1100ms);
  EXPECT_EQ(host("worker-0").operational, inv::OperState::Enabled);
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Available);
  EXPECT_EQ(host("worker-1").administrative, inv::AdminState::Locked);
  // The agents' inventory is asked for once per boot.
  EXPECT_EQ(calls_of(GetInventory::kType, "worker-0"), 1u);
  // A locked host that goes silent goes offline.
  run(11s, {"worker-1"});
  EXPECT_EQ(host("worker-1").availability, inv::AvailState::Offline);
}

TEST_F(ControllerTest, HeartbeatLossFailsTheHostAndANewBootReEnablesIt) {
  start(kTwoWorkers);
  alive("worker-0", 7);
  run(1100ms);
  ASSERT_EQ(host("worker-0").availability, inv::AvailState::Available);
  env.logger.records.clear();
  run(1200ms, {"worker-0"});
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Failed);
  EXPECT_EQ(host("worker-0").operational, inv::OperState::Disabled);
  // Both networks go silent: degraded on each (6 misses), then failed on mgmt (10).
  EXPECT_EQ(alarms(), (std::vector<std::string>{"worker-0 200.005 major", "worker-0 200.009 major",
                                                "worker-0 200.004 critical", "worker-0 200.005 critical"}));
  // The graceful recovery window passes without word: a reboot request.
  EXPECT_EQ(calls_of(HostCommand::kType, "worker-0"), 0u);
  run(5s, {"worker-0"});
  EXPECT_EQ(calls_of(HostCommand::kType, "worker-0"), 1u);
  EXPECT_EQ(host("worker-0").task, "Rebooting");
  // Back from a new boot: enabled after the soak; the alarms are cleared.
  alive("worker-0", 8);
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Intest);
  run(1100ms);
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Available);
  const auto a = alarms();
  EXPECT_EQ(std::vector<std::string>(a.end() - 3, a.end()),
            (std::vector<std::string>{"worker-0 200.004 clear", "worker-0 200.005 clear", "worker-0 200.009 clear"}));
}

TEST_F(ControllerTest, AliveFromTheSameBootInTheGracefulWindowIsAFastEnable) {
  start(kTwoWorkers);
  alive("worker-0", 7);
  run(1100ms);
  run(1200ms, {"worker-0"});
  ASSERT_EQ(host("worker-0").availability, inv::AvailState::Failed);
  alive("worker-0", 7);
  run(1100ms);
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Available);
  EXPECT_EQ(calls_of(HostCommand::kType, "worker-0"), 0u);
  EXPECT_EQ(env.logger.with_event("mtce.recovery").size() >= 1, true);
}

TEST_F(ControllerTest, GoEnabledFailureFailsTheEnableAndRetriesAreLimited) {
  start(kTwoWorkers);
  for (std::uint64_t boot = 1; boot <= 7; ++boot) alive("worker-0", boot, /*goenabled=*/false);
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Failed);
  EXPECT_EQ(host("worker-0").task, "Auto recovery disabled");
  EXPECT_EQ(env.logger.with_event("mtce.auto_recovery_disabled").size(), 1u);
}

TEST_F(ControllerTest, LockUnlockAndDeleteThroughTheRestApi) {
  start(kTwoWorkers);
  alive("worker-0", 7);
  alive("worker-1", 9);
  run(1100ms);
  // Delete needs a locked host.
  EXPECT_EQ(http("DELETE", "/v1/ihosts/worker-0").status, 409);
  auto r = http("PATCH", "/v1/ihosts/worker-0", R"({"action": "lock"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(host("worker-0").administrative, inv::AdminState::Locked);
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Online);
  EXPECT_EQ(alarms().back(), "worker-0 200.001 warning");
  // Locked hosts are not heartbeated: silence does not fail it.
  run(2s, {"worker-0"});
  EXPECT_EQ(host("worker-0").availability, inv::AvailState::Online);
  // Unlocking an unlocked host is refused; unlocking worker-1 enables it.
  EXPECT_EQ(http("PATCH", "/v1/ihosts/worker-0", R"({"action": "lock"})").status, 409);
  r = http("PATCH", "/v1/ihosts/worker-1", R"({"action": "unlock"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(host("worker-1").availability, inv::AvailState::Intest);
  run(1100ms);
  EXPECT_EQ(host("worker-1").availability, inv::AvailState::Available);
  // A BMC action on a host without a BMC is a bad request.
  EXPECT_EQ(http("PATCH", "/v1/ihosts/worker-0", R"({"action": "reset"})").status, 400);
  r = http("DELETE", "/v1/ihosts/worker-0");
  EXPECT_TRUE(r.status == 200 || r.status == 204) << r.status << " " << r.body;
  EXPECT_EQ(node->inventory()->find("worker-0"), nullptr);
  EXPECT_EQ(http("GET", "/v1/ihosts/worker-0").status, 404);
}

TEST_F(ControllerTest, ABadInitialHostIsAConfigErrorNamingItsIndexAndField) {
  core::NodeSpec spec{"controller-0", "controller", "lab",
                      {{"fm_node", "fm"},
                       {"hosts", {{{"hostname", "worker-0"}, {"personality", "worker"}},
                                  {{"hostname", "worker-1"}, {"personality", "worker"}, {"bm_type", "ipmx"}}}}}};
  try {
    ControllerNode n(env, spec);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("hosts[1]"), std::string::npos) << what;
    EXPECT_NE(what.find("bm_type"), std::string::npos) << what;
  }
}

TEST_F(ControllerTest, ABadConfigNamesTheKey) {
  core::NodeSpec spec{"controller-0", "controller", "lab", {{"fm_node", "fm"}, {"maintenance", {{"soak", 3}}}}};
  try {
    ControllerNode n(env, spec);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("soak"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace roost::mtce
