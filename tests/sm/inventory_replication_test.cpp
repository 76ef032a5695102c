// The inventory's replication to the standby (platform/sm/replicated_host_store.h) driven by hand: two
// controllers on ManualEnvs, the active's writes through ReplicatedHostStore, its shipper's calls served by
// the standby's applier (or failed, or lost) as the test says.
#include <gtest/gtest.h>

#include <stdexcept>

#include "platform/inv/host_record.h"
#include "platform/sm/replicated_host_store.h"
#include "tests/unit/manual_env.h"

namespace roost::sm {
namespace {

using testing::ManualEnv;

inv::Host host(std::uint64_t id, std::string uuid, std::string name, inv::AvailState avail = inv::AvailState::Available) {
  inv::Host h;
  h.id = id;
  h.uuid = std::move(uuid);
  h.hostname = std::move(name);
  h.administrative = inv::AdminState::Unlocked;
  h.operational = avail == inv::AvailState::Available ? inv::OperState::Enabled : inv::OperState::Disabled;
  h.availability = avail;
  h.mgmt_mac = "52:54:00:00:00:" + std::to_string(10 + id);
  h.bm_password = "secret-" + std::to_string(id);  // the record carries it: the standby's maintenance needs it
  return h;
}

inv::System system(std::string uuid, std::string name) {
  inv::System s;
  s.uuid = std::move(uuid);
  s.name = std::move(name);
  return s;
}

// One controller: its own store, the active-side shipper and store wrapper, the standby-side applier.
struct InvEnd {
  InvEnd(std::string name, std::string peer, std::shared_ptr<inv::HostStore> own = nullptr)
      : env(name), node(env, core::NodeSpec{name, "test", "lab", {}}),
        local(own ? std::move(own) : std::make_shared<inv::MemoryHostStore>()) {
    InventoryShipper::Config c;
    c.peer = std::move(peer);
    c.max_batch = 3;
    c.max_queue = 8;
    shipper = std::make_unique<InventoryShipper>(node, local, c, InventoryShipper::Hooks{[this]() -> std::optional<core::Network> {
                                                   if (!reachable) return std::nullopt;
                                                   return core::Network::Management;
                                                 }});
    store = std::make_shared<ReplicatedHostStore>(local, *shipper);
    applier = std::make_unique<InventoryApplier>(node, local,
                                                 InventoryApplier::Hooks{[this] { return known_term; }, [this] { return active; }});
  }
  // Activates at `term` with the peer present (as ServiceManager::become_active does).
  void activate(std::uint64_t term) {
    active = true;
    known_term = term;
    shipper->activate(term);
    shipper->peer_update(true);
  }
  std::size_t sync_logs(const std::string& state) const {
    std::size_t n = 0;
    for (const auto& r : env.logger.with_event("sm.inventory_sync"))
      for (const auto& f : r.fields)
        if (f.key == "state" && f.value == core::LogValue(state)) ++n;
    return n;
  }

  ManualEnv env;
  core::Node node;
  std::shared_ptr<inv::HostStore> local;
  std::unique_ptr<InventoryShipper> shipper;
  std::shared_ptr<ReplicatedHostStore> store;
  std::unique_ptr<InventoryApplier> applier;
  bool active = false;
  bool reachable = true;
  std::uint64_t known_term = 0;
};

ReplicateInventory request_of(const ManualEnv::Call& c) {
  ReplicateInventory m;
  EXPECT_FALSE(core::decode(c.request.body, m));
  return m;
}

// Serves every call `a` made (so far) on `b`; returns how many.
std::size_t serve(InvEnd& a, InvEnd& b) {
  auto calls = std::move(a.env.calls);
  a.env.calls.clear();
  for (auto& c : calls)
    b.node.serve(core::Peer{a.node.name(), c.net}, c.request, core::Reply([done = c.done](core::CallOutcome o) { done(std::move(o)); }));
  return calls.size();
}

// Serves until `a` makes no more calls (each answer may release the next request).
void serve_all(InvEnd& a, InvEnd& b) {
  for (int i = 0; i < 100 && serve(a, b) > 0; ++i) {
  }
  ASSERT_TRUE(a.env.calls.empty());
}

// Answers every call `a` made with a transport failure (the standby did not answer in time).
void time_out(InvEnd& a) {
  auto calls = std::move(a.env.calls);
  a.env.calls.clear();
  for (auto& c : calls) c.done(core::CallFailure{core::CallError::Timeout, "no answer"});
}

// Both stores hold the same system and the same hosts, field by field.
void expect_same_stores(inv::HostStore& a, inv::HostStore& b) {
  const auto sa = a.load_system(), sb = b.load_system();
  ASSERT_EQ(sa.has_value(), sb.has_value());
  if (sa) {
    EXPECT_TRUE(inv::same_system(*sa, *sb));
  }
  const auto ha = a.load_hosts(), hb = b.load_hosts();
  ASSERT_EQ(ha.size(), hb.size());
  for (std::size_t i = 0; i < ha.size(); ++i) EXPECT_TRUE(inv::same_host(ha[i], hb[i])) << ha[i].hostname << " vs " << hb[i].hostname;
}

TEST(InventoryReplication, TheActivesWritesReachTheStandbyInOrderOneRequestInFlight) {
  InvEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.activate(1);
  ASSERT_EQ(a.env.calls.size(), 1u);
  EXPECT_TRUE(request_of(a.env.calls[0]).snapshot);  // the stream starts with the whole store
  serve_all(a, b);
  EXPECT_TRUE(a.shipper->caught_up());

  a.store->put_system(system("sys-1", "lab"));
  a.store->put_host(host(1, "u-1", "worker-0", inv::AvailState::Offline));
  a.store->put_host(host(2, "u-2", "worker-1"));
  a.store->put_host(host(1, "u-1", "worker-0"));  // worker-0 enabled since
  a.store->put_host(host(3, "u-3", "storage-0"));
  a.store->remove_host("u-2");
  // The first op went at once; the rest waited for its answer.
  ASSERT_EQ(a.env.calls.size(), 1u);
  EXPECT_EQ(request_of(a.env.calls[0]).ops.size(), 1u);
  EXPECT_FALSE(a.shipper->caught_up());
  EXPECT_EQ(a.shipper->queued(), 6u);
  serve_all(a, b);
  expect_same_stores(*a.local, *b.local);
  ASSERT_EQ(b.local->load_hosts().size(), 2u);
  EXPECT_EQ(b.local->load_hosts()[0].availability, inv::AvailState::Available);
  EXPECT_EQ(b.local->load_hosts()[0].bm_password, "secret-1");
  EXPECT_TRUE(a.shipper->caught_up());
  EXPECT_EQ(b.applier->applied_term(), 1u);
  EXPECT_EQ(b.applier->applied_seq(), 6u);
  // Sparingly: one snapshot, one caught-up (after it), nothing per write.
  EXPECT_EQ(a.sync_logs("snapshot"), 1u);
  EXPECT_EQ(a.sync_logs("caught-up"), 1u);
}

TEST(InventoryReplication, ASnapshotReplacesTheStandbysStaleInventory) {
  InvEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  // The standby's own inventory from when it last ran maintenance: other uuids (ids clashing with the
  // active's), old availability, a host the active removed since.
  b.local->put_system(system("sys-b", "old-name"));
  b.local->put_host(host(1, "b-1", "worker-0", inv::AvailState::Failed));
  b.local->put_host(host(2, "b-2", "worker-1", inv::AvailState::Failed));
  b.local->put_host(host(7, "b-7", "gone-host"));
  a.local->put_system(system("sys-a", "lab"));
  a.local->put_host(host(1, "a-1", "worker-0"));
  a.local->put_host(host(2, "a-2", "worker-1"));
  a.local->put_host(host(3, "a-3", "storage-0"));
  // A host both know by uuid, under another id on the standby.
  b.local->put_host(host(4, "a-3", "storage-0", inv::AvailState::Offline));

  a.activate(3);
  b.known_term = 3;
  serve_all(a, b);
  expect_same_stores(*a.local, *b.local);
  EXPECT_EQ(b.local->load_system()->uuid, "sys-a");
  EXPECT_TRUE(a.shipper->caught_up());
}

TEST(InventoryReplication, AFailedRequestStaysQueuedAndIsRetriedAtTheNextHello) {
  InvEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.activate(1);
  serve_all(a, b);
  a.store->put_host(host(1, "u-1", "worker-0"));
  time_out(a);
  a.store->put_host(host(2, "u-2", "worker-1"));
  EXPECT_TRUE(a.env.calls.empty());  // no retry storm: the next hello retries
  EXPECT_EQ(a.shipper->queued(), 2u);
  a.shipper->peer_update(true);      // the next hello
  ASSERT_EQ(a.env.calls.size(), 1u);
  const auto retry = request_of(a.env.calls[0]);
  EXPECT_FALSE(retry.snapshot);      // nothing was lost: the same ops again, not a snapshot
  ASSERT_EQ(retry.ops.size(), 2u);
  EXPECT_EQ(retry.ops[0].seq, 1u);

  // The standby applies them but the answer is lost: the retry is answered without doing them twice.
  auto call = std::move(a.env.calls[0]);
  a.env.calls.clear();
  b.node.serve(core::Peer{"controller-0", call.net}, call.request, core::Reply([](core::CallOutcome) {}));
  call.done(core::CallFailure{core::CallError::Timeout, "answer lost"});
  b.local->put_host(host(9, "u-9", "marker"));  // would be removed by a snapshot, kept by ops
  a.shipper->peer_update(true);
  serve_all(a, b);
  EXPECT_EQ(b.local->load_hosts().size(), 3u);
  EXPECT_EQ(a.shipper->queued(), 0u);
  EXPECT_TRUE(a.shipper->caught_up());
  EXPECT_EQ(a.sync_logs("snapshot"), 1u);
}

TEST(InventoryReplication, AStandbyThatRestartedOrReappearedGetsASnapshot) {
  InvEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.activate(1);
  serve_all(a, b);
  a.store->put_host(host(1, "u-1", "worker-0"));
  serve_all(a, b);

  // The standby restarts (its store is durable; its stream position is not): the next ops find no base.
  InvEnd restarted("controller-1", "controller-0", b.local);
  a.store->put_host(host(2, "u-2", "worker-1"));
  ASSERT_EQ(a.env.calls.size(), 1u);
  serve(a, restarted);  // answered "need snapshot": the snapshot goes at once
  ASSERT_EQ(a.env.calls.size(), 1u);
  EXPECT_TRUE(request_of(a.env.calls[0]).snapshot);
  serve_all(a, restarted);
  expect_same_stores(*a.local, *restarted.local);

  // The standby goes away; changes meanwhile are not queued for it (the snapshot will carry them).
  a.shipper->peer_update(false);
  a.store->put_host(host(1, "u-1", "worker-0", inv::AvailState::Degraded));
  a.store->remove_host("u-2");
  a.store->put_host(host(3, "u-3", "storage-0"));
  EXPECT_TRUE(a.env.calls.empty());
  a.shipper->peer_update(true);
  ASSERT_EQ(a.env.calls.size(), 1u);
  EXPECT_TRUE(request_of(a.env.calls[0]).snapshot);
  serve_all(a, restarted);
  expect_same_stores(*a.local, *restarted.local);
  EXPECT_EQ(a.sync_logs("snapshot"), 3u);
  EXPECT_EQ(a.sync_logs("caught-up"), 3u);
}

TEST(InventoryReplication, TooManyOpsForAnUnansweringStandbyBecomeOneSnapshot) {
  InvEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.activate(1);
  serve_all(a, b);
  a.store->put_host(host(1, "u-1", "worker-0"));
  time_out(a);
  for (std::uint64_t i = 2; i <= 9; ++i) a.store->put_host(host(i, "u-" + std::to_string(i), "worker-" + std::to_string(i)));
  EXPECT_EQ(a.shipper->queued(), 0u);  // over max_queue (8): dropped for a snapshot
  a.shipper->peer_update(true);
  ASSERT_EQ(a.env.calls.size(), 1u);
  EXPECT_EQ(request_of(a.env.calls[0]).ops.size(), 9u);
  serve_all(a, b);
  expect_same_stores(*a.local, *b.local);
}

TEST(InventoryReplication, TheStandbyRefusesWhileActiveOrFromAnOlderTerm) {
  InvEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  b.local->put_host(host(1, "b-1", "worker-0", inv::AvailState::Failed));
  a.local->put_host(host(1, "a-1", "worker-0"));

  b.active = true;
  a.activate(2);
  std::optional<InventoryAck> answer;
  auto call = std::move(a.env.calls.at(0));
  a.env.calls.clear();
  b.node.serve(core::Peer{"controller-0", call.net}, call.request, core::Reply([&](core::CallOutcome o) {
                 InventoryAck ack;
                 ASSERT_FALSE(core::decode(std::get<core::Envelope>(o).body, ack));
                 answer = ack;
                 call.done(std::move(o));
               }));
  ASSERT_TRUE(answer);
  EXPECT_FALSE(answer->ok);
  EXPECT_EQ(answer->error, "controller-1 is active");
  EXPECT_EQ(b.local->load_hosts()[0].uuid, "b-1");
  EXPECT_TRUE(a.env.calls.empty());  // a refusal waits for the next hello

  b.active = false;
  b.known_term = 4;  // it has heard of a newer active than a
  a.shipper->peer_update(true);
  ASSERT_EQ(a.env.calls.size(), 1u);
  answer.reset();
  call = std::move(a.env.calls[0]);
  a.env.calls.clear();
  b.node.serve(core::Peer{"controller-0", call.net}, call.request, core::Reply([&](core::CallOutcome o) {
                 InventoryAck ack;
                 ASSERT_FALSE(core::decode(std::get<core::Envelope>(o).body, ack));
                 answer = ack;
               }));
  ASSERT_TRUE(answer);
  EXPECT_FALSE(answer->ok);
  EXPECT_EQ(answer->error, "term 2 is older than 4");
  EXPECT_EQ(b.local->load_hosts()[0].uuid, "b-1");
}

TEST(InventoryReplication, ADelayedOldRequestNeverUndoesNewerState) {
  InvEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.activate(1);
  serve_all(a, b);
  a.store->put_host(host(1, "u-1", "worker-0", inv::AvailState::Failed));
  auto late = std::move(a.env.calls.at(0));  // delayed in the network past its timeout
  a.env.calls.clear();
  late.done(core::CallFailure{core::CallError::Timeout, "no answer"});
  a.store->put_host(host(1, "u-1", "worker-0"));
  a.shipper->peer_update(true);
  serve_all(a, b);
  EXPECT_EQ(b.local->load_hosts().at(0).availability, inv::AvailState::Available);
  // The old request arrives now: its op is one the standby has passed.
  b.node.serve(core::Peer{"controller-0", late.net}, late.request, core::Reply([](core::CallOutcome) {}));
  EXPECT_EQ(b.local->load_hosts().at(0).availability, inv::AvailState::Available);
}

TEST(InventoryReplication, ABadRecordIsRefusedNamingItAndTheStoreIsLeftAsItWas) {
  InvEnd b("controller-1", "controller-0");
  b.local->put_host(host(1, "b-1", "worker-0"));
  ReplicateInventory m;
  m.term = 1;
  m.snapshot = true;
  m.seq = 2;
  InventoryOp good;
  good.kind = InventoryOpKind::PutHost;
  good.record = inv::host_record(host(1, "a-1", "worker-0"));
  InventoryOp bad = good;
  bad.record["availability"] = "gone";
  m.ops = {good, bad};
  std::optional<InventoryAck> answer;
  b.node.serve(core::Peer{"controller-0", core::Network::Management}, core::envelope(m), core::Reply([&](core::CallOutcome o) {
                 InventoryAck ack;
                 ASSERT_FALSE(core::decode(std::get<core::Envelope>(o).body, ack));
                 answer = ack;
               }));
  ASSERT_TRUE(answer);
  EXPECT_FALSE(answer->ok);
  EXPECT_TRUE(answer->need_snapshot);
  EXPECT_NE(answer->error.find("inventory snapshot op 1: availability: 'gone'"), std::string::npos) << answer->error;
  ASSERT_EQ(b.local->load_hosts().size(), 1u);
  EXPECT_EQ(b.local->load_hosts()[0].uuid, "b-1");
  EXPECT_EQ(b.env.logger.with_event("sm.inventory_apply_failed").size(), 1u);
}

// A store whose writes fail (a full disk).
class FailingHostStore final : public inv::HostStore {
 public:
  std::optional<inv::System> load_system() override { return std::nullopt; }
  std::vector<inv::Host> load_hosts() override { return {}; }
  void put_system(const inv::System&) override { throw inv::StoreError("inventory.db: database or disk is full"); }
  void put_host(const inv::Host&) override { throw inv::StoreError("inventory.db: database or disk is full"); }
  void remove_host(const std::string&) override { throw inv::StoreError("inventory.db: database or disk is full"); }
};

TEST(InventoryReplication, AChangeTheLocalStoreRefusesIsNeverShipped) {
  InvEnd a("controller-0", "controller-1", std::make_shared<FailingHostStore>()), b("controller-1", "controller-0");
  a.activate(1);
  serve_all(a, b);
  EXPECT_THROW(a.store->put_host(host(1, "u-1", "worker-0")), inv::StoreError);
  EXPECT_THROW(a.store->remove_host("u-1"), inv::StoreError);
  EXPECT_EQ(a.shipper->queued(), 0u);
  EXPECT_TRUE(a.env.calls.empty());
}

TEST(InventoryReplication, AfterGoingStandbyNothingIsShipped) {
  InvEnd a("controller-0", "controller-1"), b("controller-1", "controller-0");
  a.activate(1);
  serve_all(a, b);
  a.store->put_host(host(1, "u-1", "worker-0"));
  a.shipper->deactivate();  // its request, in flight, is forgotten
  serve(a, b);
  a.store->put_host(host(2, "u-2", "worker-1"));  // a service still stopping: local only
  a.shipper->peer_update(true);
  EXPECT_TRUE(a.env.calls.empty());
  EXPECT_EQ(a.local->load_hosts().size(), 2u);
  EXPECT_FALSE(a.shipper->caught_up());
}

TEST(InventoryReplication, AControllerWithoutInventorySaysSo) {
  ManualEnv env("controller-1");
  core::Node node(env, core::NodeSpec{"controller-1", "test", "lab", {}});
  InventoryApplier applier(node, nullptr, {});
  ReplicateInventory m;
  m.term = 1;
  std::optional<InventoryAck> answer;
  node.serve(core::Peer{"controller-0", core::Network::Management}, core::envelope(m), core::Reply([&](core::CallOutcome o) {
               InventoryAck ack;
               ASSERT_FALSE(core::decode(std::get<core::Envelope>(o).body, ack));
               answer = ack;
             }));
  ASSERT_TRUE(answer);
  EXPECT_FALSE(answer->ok);
  EXPECT_EQ(answer->error, "controller-1 runs no maintenance/inventory service (no \"mtce\" in its services)");
}

}  // namespace
}  // namespace roost::sm
