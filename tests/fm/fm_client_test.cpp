// FmClient against a real FmNode, both on hand-driven Envs (tests/unit/manual_env.h): the test carries
// each call from the client's node to the FM node, or fails it (FM unreachable). Checks order, the
// bounded queue's drop policy, the overflow alarm 100.900, retries, refused changes, and the FM node's
// durable acknowledgement and restart over the same store.
#include <gtest/gtest.h>

#include "platform/fm/fm_client.h"
#include "platform/fm/fm_node.h"
#include "platform/fm/memory_alarm_store.h"
#include "tests/unit/manual_env.h"

namespace roost::fm::testing {
namespace {

using roost::testing::ManualEnv;

class ClientNode final : public core::Node {
 public:
  ClientNode(core::Env& env, FmClientConfig c) : core::Node(env, core::NodeSpec{"worker-0", "test", "lab", {}}), client(*this, c) {}
  FmClient client;
};

Alarm alarm(int i, Severity s = Severity::Major, std::string id = "200.006") {
  Alarm a;
  a.alarm_id = std::move(id);
  a.entity_type_id = "host";
  a.entity_instance_id = "host=worker-0.process=p" + std::to_string(100 + i);
  a.severity = s;
  return a;
}

class FmClientTest : public ::testing::Test {
 protected:
  FmClientTest() : fm_env_("controller-0"), client_env_("worker-0") {
    fm_env_.resources[std::type_index(typeid(AlarmStore))] = std::shared_ptr<AlarmStore>(store_);
    start_fm();
  }

  void start_fm() {
    fm_ = std::make_unique<FmNode>(fm_env_, core::NodeSpec{"controller-0", "fm", "lab", {{"rest_port", 0}}});
    fm_->start();
  }

  // Answers every pending call of the client (and those the answers trigger), through the FM node if it is up.
  void deliver(bool fm_up) {
    while (!client_env_.calls.empty()) {
      auto calls = std::move(client_env_.calls);
      client_env_.calls.clear();
      for (auto& c : calls) {
        EXPECT_EQ(c.to, "controller-0");
        if (!fm_up) {
          c.done(core::CallFailure{core::CallError::Unreachable, "connection refused"});
          continue;
        }
        fm_->serve(core::Peer{"worker-0", c.net}, c.request, core::Reply(c.done));
      }
    }
  }

  // The entities of the active 200.006 alarms in raise order (alarm id order = the order FM made them).
  std::vector<std::string> active_entities() {
    std::vector<std::string> out;
    auto page = fm_->manager()->list(AlarmQuery{});
    for (const auto& v : page->alarms) out.push_back(v.alarm.alarm_id + " " + v.alarm.entity_instance_id);
    return out;
  }

  std::shared_ptr<MemoryAlarmStore> store_ = std::make_shared<MemoryAlarmStore>();
  ManualEnv fm_env_, client_env_;
  std::unique_ptr<FmNode> fm_;
};

TEST_F(FmClientTest, DeliversInOrderAndBatchesConsecutiveRaises) {
  ClientNode n(client_env_, FmClientConfig{.fm_node = "controller-0", .max_batch = 4});
  for (int i = 0; i < 10; ++i) n.client.raise(alarm(i));
  n.client.clear("200.006", "host=worker-0.process=p103");
  EXPECT_EQ(client_env_.calls.size(), 1u);  // one in flight at a time
  deliver(true);
  EXPECT_TRUE(n.client.idle());
  EXPECT_EQ(n.client.stats().acknowledged, 11u);
  const auto active = active_entities();
  ASSERT_EQ(active.size(), 9u);
  EXPECT_EQ(active.front(), "200.006 host=worker-0.process=p100");
  EXPECT_EQ(active.back(), "200.006 host=worker-0.process=p109");
  EXPECT_EQ(fm_->manager()->event_count(), 11u);  // 10 sets, 1 clear
}

TEST_F(FmClientTest, RetriesThroughAnOutageDropsTheOldestNonCriticalAndRaisesTheOverflowAlarm) {
  ClientNode n(client_env_, FmClientConfig{.fm_node = "controller-0", .queue_capacity = 10});
  n.client.raise(alarm(0));  // goes out at once...
  deliver(false);            // ...and fails: the FM is down
  for (int i = 1; i < 15; ++i) n.client.raise(alarm(i, i == 1 ? Severity::Critical : Severity::Major));
  EXPECT_EQ(n.client.queued(), 10u);
  EXPECT_EQ(n.client.stats().dropped, 5u);
  EXPECT_EQ(client_env_.logger.with_event("fm_client.dropped").size(), 5u);
  EXPECT_TRUE(client_env_.calls.empty());  // waiting for the retry timer

  for (int k = 0; k < 5; ++k) {  // five retries against a dead FM: nothing lost, nothing sent twice at once
    client_env_.advance(core::milliseconds(200));
    EXPECT_EQ(client_env_.calls.size(), 1u);
    deliver(false);
  }
  EXPECT_EQ(n.client.queued(), 10u);

  client_env_.advance(core::milliseconds(200));
  deliver(true);
  EXPECT_TRUE(n.client.idle());
  // Dropped: the oldest non-critical ones (0, 2, 3, 4, 5; 1 is critical). Nothing was in flight: the
  // first send had failed and was waiting for its retry.
  std::vector<std::string> expected;
  for (int i : {1, 6, 7, 8, 9, 10, 11, 12, 13, 14})
    expected.push_back("200.006 host=worker-0.process=p" + std::to_string(100 + i));
  auto active = active_entities();
  ASSERT_EQ(active.size(), 11u);
  // The backlog went in one batch; the overflow alarm follows once the FM has answered.
  EXPECT_EQ(active.back(), "100.900 host=worker-0.fm-client=worker-0");
  active.pop_back();
  EXPECT_EQ(active, expected);
  EXPECT_EQ(fm_->manager()->find_by_id("100.900").size(), 1u);
}

TEST_F(FmClientTest, ARefusedChangeIsDroppedNotRetriedAndTheRestOfItsBatchArrives) {
  ClientNode n(client_env_, FmClientConfig{.fm_node = "controller-0"});
  n.client.raise(alarm(0));
  n.client.raise(alarm(1, Severity::Major, "999.999"));  // not in the catalogue
  n.client.raise(alarm(2, Severity::Warning));           // 200.006 does not allow warning
  n.client.raise(alarm(3));
  deliver(true);
  EXPECT_TRUE(n.client.idle());
  EXPECT_EQ(n.client.stats().refused, 2u);
  EXPECT_EQ(n.client.stats().acknowledged, 2u);
  EXPECT_EQ(client_env_.logger.with_event("fm_client.refused").size(), 2u);
  EXPECT_EQ(active_entities(), (std::vector<std::string>{"200.006 host=worker-0.process=p100",
                                                         "200.006 host=worker-0.process=p103"}));
}

TEST_F(FmClientTest, AnFmRestartKeepsWhatItAcknowledged) {
  ClientNode n(client_env_, FmClientConfig{.fm_node = "controller-0"});
  for (int i = 0; i < 5; ++i) n.client.raise(alarm(i));
  deliver(true);
  fm_.reset();  // crash: the node object goes, the store stays
  start_fm();
  EXPECT_EQ(active_entities().size(), 5u);
  EXPECT_EQ(fm_env_.logger.with_event("fm.ready").size(), 2u);
}

TEST(FmNodeStart, FailsClearlyWithoutAnAlarmStore) {
  ManualEnv env("controller-0");
  FmNode fm(env, core::NodeSpec{"controller-0", "fm", "lab", {}});
  try {
    fm.start();
    FAIL() << "started without a store";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("no durable alarm store"), std::string::npos) << e.what();
  }
}

TEST(FmNodeStart, ServesTheRestApiOnItsConfiguredNetworkAndPort) {
  ManualEnv env("controller-0");
  env.resources[std::type_index(typeid(AlarmStore))] = std::shared_ptr<AlarmStore>(std::make_shared<MemoryAlarmStore>());
  FmNode fm(env, core::NodeSpec{"controller-0", "fm", "lab", {{"rest_port", 18080}, {"rest_network", "mgmt"}}});
  fm.start();
  ASSERT_EQ(env.served.size(), 1u);
  EXPECT_EQ(env.served[0].port, 18080);
  EXPECT_EQ(env.served[0].net, core::Network::Management);
  core::HttpRequest req;
  req.method = "POST";
  req.path = "/v1/alarms";
  req.body = R"({"alarm_id":"200.006","entity_instance_id":"host=a.process=b","severity":"major"})";
  int status = 0;
  env.served[0].router->dispatch(req, [&](core::HttpResponse r) { status = r.status; });
  EXPECT_EQ(status, 201);  // a MemoryAlarmStore is durable at once
  EXPECT_EQ(fm.manager()->active_count(), 1u);
  EXPECT_THROW(FmNode(env, core::NodeSpec{"x", "fm", "lab", {{"rest_port", 70000}}}), std::invalid_argument);
  EXPECT_THROW(FmNode(env, core::NodeSpec{"x", "fm", "lab", {{"colour", 1}}}), std::invalid_argument);
}

}  // namespace
}  // namespace roost::fm::testing
