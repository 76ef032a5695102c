// The controller pair's building blocks driven by hand: hellos (authentication, replay protection, loss at
// exactly dead_ms) and the replicator (writes released only once the standby holds them, alone only when
// allowed, catch-up from the log and by snapshot).
#include <gtest/gtest.h>

#include "backends/openssl_crypto.h"
#include "platform/fm/memory_alarm_store.h"
#include "platform/sm/peer_link.h"
#include "platform/sm/replicator.h"
#include "platform/sm/witness.h"
#include "tests/unit/manual_env.h"

namespace roost::sm {
namespace {

using namespace std::chrono_literals;
using testing::ManualEnv;

struct LinkEnd {
  explicit LinkEnd(std::string name, std::string peer, std::map<core::Network, std::string> keys = {})
      : env(name), node(env, core::NodeSpec{name, "test", "lab", {}}) {
    env.crypto_impl = &backends::openssl_crypto();
    PeerLinkConfig c;
    c.peer = std::move(peer);
    c.keys = std::move(keys);
    link = std::make_unique<PeerLink>(node, c, PeerLink::Listener{[this](const Hello& h, core::Network) { heard.push_back(h); },
                                                                  [this](core::Network n, bool up) { changes.emplace_back(n, up); },
                                                                  [] { return Hello{}; }});
  }
  ManualEnv env;
  core::Node node;
  std::unique_ptr<PeerLink> link;
  std::vector<Hello> heard;
  std::vector<std::pair<core::Network, bool>> changes;
};

// Delivers everything `from` sent to `to` (as datagrams from from's node on their network), then clears.
void deliver(LinkEnd& from, LinkEnd& to) {
  for (auto& s : from.env.sent) to.node.deliver(core::Peer{from.node.name(), s.net}, s.msg);
  from.env.sent.clear();
}

TEST(PeerLink, AuthenticatedHellosAreAcceptedAndNetworksComeUp) {
  std::map<core::Network, std::string> keys{{core::Network::Management, "k-mgmt"}, {core::Network::Oam, "k-oam"}};
  LinkEnd a("controller-0", "controller-1", keys), b("controller-1", "controller-0", keys);
  a.link->start();
  b.link->start();
  deliver(a, b);
  EXPECT_EQ(b.heard.size(), 3u);
  EXPECT_TRUE(b.link->up(core::Network::Management));
  EXPECT_TRUE(b.link->up(core::Network::ClusterHost));
  EXPECT_TRUE(b.link->up(core::Network::Oam));
  EXPECT_EQ(b.link->counters().auth_failed, 0u);
}

TEST(PeerLink, AWrongKeyOrATamperedHelloIsDroppedAndLoggedOnce) {
  LinkEnd a("controller-0", "controller-1", {{core::Network::Management, "right"}});
  LinkEnd b("controller-1", "controller-0", {{core::Network::Management, "wrong"}});
  a.link->start();
  for (int i = 0; i < 3; ++i) {
    deliver(a, b);
    a.env.advance(200ms);
  }
  EXPECT_FALSE(b.link->up(core::Network::Management));
  EXPECT_TRUE(b.link->up(core::Network::ClusterHost));  // no key there: accepted
  EXPECT_EQ(b.link->counters().auth_failed, 3u);
  EXPECT_EQ(b.env.logger.with_event("sm.auth_failed").size(), 1u);

  // Same key, but the body changed after signing.
  LinkEnd c("controller-1", "controller-0", {{core::Network::Management, "right"}});
  a.env.sent.clear();
  a.link->send_now();
  for (auto& s : a.env.sent) {
    if (s.net != core::Network::Management) continue;
    Hello h{};
    ASSERT_FALSE(core::decode(s.msg.body, h));
    h.role = Role::Active;  // a forged claim
    c.node.deliver(core::Peer{"controller-0", s.net}, core::envelope(h));
  }
  EXPECT_FALSE(c.link->up(core::Network::Management));
  EXPECT_EQ(c.link->counters().auth_failed, 1u);
}

TEST(PeerLink, ReplaysAndRetiredInstancesAreDropped) {
  std::map<core::Network, std::string> keys{{core::Network::Management, "k"}};
  LinkEnd a("controller-0", "controller-1", keys), b("controller-1", "controller-0", keys);
  a.link->start();
  auto recorded = a.env.sent;  // the first round, kept by an attacker
  deliver(a, b);
  ASSERT_EQ(b.heard.size(), 3u);
  for (auto& s : recorded) b.node.deliver(core::Peer{"controller-0", s.net}, s.msg);
  EXPECT_EQ(b.heard.size(), 3u);
  EXPECT_EQ(b.link->counters().replayed, 3u);

  // controller-0 restarts: a new instance is accepted; the old one's hellos never again.
  LinkEnd a2("controller-0", "controller-1", keys);
  a2.env.rng() = core::Rng(99);
  a2.link->start();
  deliver(a2, b);
  EXPECT_EQ(b.heard.size(), 6u);
  a.env.advance(200ms);  // the old instance's next round (seq 2: new, but retired)
  deliver(a, b);
  EXPECT_EQ(b.heard.size(), 6u);
}

TEST(PeerLink, ANetworkIsLostAtExactlyDeadMsOfSilence) {
  LinkEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.link->start();
  b.link->start();
  deliver(a, b);
  a.env.advance(200ms);
  b.env.advance(200ms);
  deliver(a, b);  // last hello at t=200ms on every network
  b.env.advance(799ms);
  EXPECT_TRUE(b.link->any_up());
  b.env.advance(1ms);
  EXPECT_FALSE(b.link->any_up());
  EXPECT_EQ(b.changes.size(), 6u);  // 3 up, 3 lost
  EXPECT_EQ(b.env.logger.with_event("sm.interface").size(), 6u);
}

// ---- replicator ---------------------------------------------------------------------------------------

struct ReplEnd {
  explicit ReplEnd(std::string name, std::string peer) : env(name), node(env, core::NodeSpec{name, "test", "lab", {}}) {
    Replicator::Config c;
    c.peer = std::move(peer);
    c.log_capacity = 4;
    repl = std::make_unique<Replicator>(node, store, c,
                                        Replicator::Hooks{[this]() -> std::optional<core::Network> {
                                                            if (!reachable) return std::nullopt;
                                                            return core::Network::Management;
                                                          },
                                                          [] { return std::uint64_t{0}; }, [this] { return active; }, {}});
  }
  void write(int n, std::vector<int>& released) {
    fm::WriteBatch b;
    fm::AppendEvent ev;
    ev.event.id = static_cast<std::uint64_t>(n);
    ev.event.event_log_id = "100.101";
    b.writes.push_back(ev);
    auto shared = std::make_shared<fm::WriteBatch>(b);
    repl->write(
        [this, shared](core::LogPosition at, Replicator::Committed committed) {
          store.submit_at(at, *shared, [committed](const fm::StoreStatus& st, std::string cs) { committed(st.ok, st.error, cs); });
        },
        [&released, n](bool ok, const std::string&) {
          if (ok) released.push_back(n);
        });
  }
  ManualEnv env;
  core::Node node;
  fm::MemoryAlarmStore store;
  std::unique_ptr<Replicator> repl;
  bool active = false;
  bool reachable = true;
};

// Serves every replication call `a` made on `b` (b's handlers answer synchronously with the memory store).
void serve_calls(ReplEnd& a, ReplEnd& b) {
  auto calls = std::move(a.env.calls);
  a.env.calls.clear();
  for (auto& c : calls)
    b.node.serve(core::Peer{a.node.name(), c.net}, c.request, core::Reply([done = c.done](core::CallOutcome o) { done(std::move(o)); }));
}

TEST(Replicator, AWriteIsReleasedOnlyWhenTheStandbyHoldsIt) {
  ReplEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.active = true;
  a.repl->activate(1);
  a.repl->peer_update(true, b.store.position(), false, 0);
  EXPECT_EQ(a.repl->sync(), SyncState::InSync);
  std::vector<int> released;
  a.write(1, released);
  a.write(2, released);
  EXPECT_TRUE(released.empty());  // on a only
  serve_calls(a, b);
  serve_calls(a, b);
  EXPECT_EQ(released, (std::vector<int>{1, 2}));
  EXPECT_EQ(b.store.position(), a.store.position());
  EXPECT_EQ(b.store.load(), a.store.load());
}

TEST(Replicator, AnAwayStandbyHoldsWritesUntilItIsProvedDown) {
  ReplEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.active = true;
  a.repl->activate(1);
  a.repl->peer_update(false, {}, false, 0);
  EXPECT_EQ(a.repl->sync(), SyncState::Away);
  std::vector<int> released;
  a.write(1, released);
  EXPECT_TRUE(released.empty());
  a.repl->set_alone(true);
  EXPECT_EQ(released, (std::vector<int>{1}));
  EXPECT_EQ(a.repl->sync(), SyncState::Degraded);
}

TEST(Replicator, AStandbyThatSaidItIsNotInSyncLetsTheActiveGoOn) {
  ReplEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.active = true;
  a.repl->activate(1);
  b.reachable = true;
  // The standby is present, far behind, and replication calls time out: not in sync.
  a.repl->peer_update(true, {0, 0}, false, 0);
  std::vector<int> released;
  for (int i = 0; i < 6; ++i) a.write(i, released);
  for (int round = 0; round < 2; ++round) {
    auto calls = std::move(a.env.calls);
    a.env.calls.clear();
    for (auto& c : calls) c.done(core::CallFailure{core::CallError::Timeout, "lost"});
    a.repl->peer_update(true, {0, 0}, false, 0);
  }
  EXPECT_TRUE(released.empty());
  EXPECT_NE(a.repl->sync(), SyncState::InSync);
  // It answers "not in sync" for the active's current epoch: the active goes on alone.
  a.repl->peer_update(true, {0, 0}, false, a.repl->sync_epoch());
  EXPECT_EQ(released.size(), 6u);
}

TEST(Replicator, AStandbyTooFarBehindGetsASnapshot) {
  ReplEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.active = true;
  a.repl->activate(1);
  a.repl->set_alone(true);
  a.repl->peer_update(false, {}, false, 0);
  std::vector<int> released;
  for (int i = 0; i < 10; ++i) a.write(i, released);  // more than the log keeps (4)
  EXPECT_EQ(released.size(), 10u);
  a.repl->peer_update(true, b.store.position(), false, 0);
  serve_calls(a, b);
  a.repl->peer_update(true, b.store.position(), false, 0);
  EXPECT_EQ(b.store.position(), a.store.position());
  EXPECT_EQ(b.store.load(), a.store.load());
  EXPECT_EQ(a.repl->sync(), SyncState::InSync);
  EXPECT_EQ(a.env.logger.with_event("sm.snapshot").size(), 1u);
}

// ---- witnesses --------------------------------------------------------------------------------------

struct WitnessLab {
  WitnessLab() {
    for (int i = 0; i < 3; ++i) {
      auto name = "worker-" + std::to_string(i);
      wenv.push_back(std::make_unique<ManualEnv>(name));
      wnode.push_back(std::make_unique<core::Node>(*wenv.back(), core::NodeSpec{name, "host-agent", "lab", {}}));
      responders.push_back(std::make_unique<WitnessResponder>(*wnode.back()));
    }
    for (int c = 0; c < 2; ++c) {
      const std::string self = "controller-" + std::to_string(c), peer = "controller-" + std::to_string(1 - c);
      cenv.push_back(std::make_unique<ManualEnv>(self));
      cnode.push_back(std::make_unique<core::Node>(*cenv.back(), core::NodeSpec{self, "sm-controller", "lab", {}}));
      WitnessTracker::Config wc;
      wc.witnesses = {"worker-0", "worker-1", "worker-2"};
      wc.self = self;
      wc.peer = peer;
      wc.networks = {core::Network::Management};
      trackers.push_back(std::make_unique<WitnessTracker>(*cnode.back(), wc));
    }
  }
  // Time passes everywhere; pings from controller `c` reach the witnesses in `reach`, and their answers come back.
  void round(core::Duration d, const std::vector<std::vector<int>>& reach) {
    for (auto& e : wenv) e->advance(d);
    for (auto& e : cenv) e->advance(d);
    for (int c = 0; c < 2; ++c) {
      auto sent = std::move(cenv[c]->sent);
      cenv[c]->sent.clear();
      for (auto& m : sent) {
        const int w = m.to.back() - '0';
        if (std::find(reach[c].begin(), reach[c].end(), w) == reach[c].end()) continue;
        wnode[w]->deliver(core::Peer{cnode[c]->name(), m.net}, m.msg);
      }
    }
    for (int w = 0; w < 3; ++w) {
      auto sent = std::move(wenv[w]->sent);
      wenv[w]->sent.clear();
      for (auto& m : sent) cnode[m.to.back() - '0']->deliver(core::Peer{wnode[w]->name(), m.net}, m.msg);
    }
  }
  std::vector<std::unique_ptr<ManualEnv>> wenv, cenv;
  std::vector<std::unique_ptr<core::Node>> wnode, cnode;
  std::vector<std::unique_ptr<WitnessResponder>> responders;
  std::vector<std::unique_ptr<WitnessTracker>> trackers;
};

TEST(Witness, AClaimCountsOnceAMajorityRecordedItAndConflictingClaimsSeeEachOther) {
  WitnessLab lab;
  lab.trackers[0]->start();
  lab.trackers[1]->start();
  const std::vector<std::vector<int>> all{{0, 1, 2}, {0, 1, 2}};
  for (int i = 0; i < 6; ++i) lab.round(200ms, all);  // past the witnesses' warm-up (dead_ms)
  EXPECT_TRUE(lab.trackers[0]->quorum());
  EXPECT_FALSE(lab.trackers[0]->peer_down_proof());  // everyone hears controller-1

  // Split {c0, w0, w1} | {c1, w2}: c0 keeps a majority, c1 does not.
  const std::vector<std::vector<int>> split{{0, 1}, {2}};
  lab.trackers[0]->claim(1, Claim::Active);
  for (int i = 0; i < 6; ++i) lab.round(200ms, split);
  EXPECT_TRUE(lab.trackers[0]->peer_down_proof());
  EXPECT_FALSE(lab.trackers[1]->quorum());
  lab.trackers[0]->claim(1, Claim::Alone);
  EXPECT_FALSE(lab.trackers[0]->claim_registered());  // nobody answered since
  lab.round(200ms, split);
  EXPECT_TRUE(lab.trackers[0]->claim_registered());

  // The split moves: c1 now reaches w1 and w2 (a majority). w1 recorded c0's Alone: c1 sees it.
  lab.trackers[1]->claim(2, Claim::GoingActive);
  const std::vector<std::vector<int>> moved{{0}, {1, 2}};
  lab.round(200ms, moved);
  EXPECT_TRUE(lab.trackers[1]->quorum());
  EXPECT_TRUE(lab.trackers[1]->peer_alone());
  // c1's going-active claim may well be recorded by a majority: the Alone claim it saw is what stops it.
  EXPECT_TRUE(lab.trackers[1]->claim_registered());
  // And c0, left with w0 only, soon has no majority for anything.
  for (int i = 0; i < 5; ++i) lab.round(200ms, moved);
  EXPECT_FALSE(lab.trackers[0]->quorum());
  EXPECT_FALSE(lab.trackers[0]->claim_registered());
  EXPECT_FALSE(lab.trackers[0]->peer_down_proof());
}

TEST(Witness, ARestartedWitnessCountsForNothingUntilWarm) {
  WitnessLab lab;
  lab.trackers[0]->start();
  const std::vector<std::vector<int>> all{{0, 1, 2}, {0, 1, 2}};
  lab.round(200ms, all);
  EXPECT_EQ(lab.trackers[0]->reached(), 0u);  // answers, but up for less than dead_ms
  for (int i = 0; i < 5; ++i) lab.round(200ms, all);
  EXPECT_EQ(lab.trackers[0]->reached(), 3u);
}

}  // namespace
}  // namespace roost::sm
