// MemoryAlarmStore as a replica store (core/replica.h, kind "fm/memory"): changesets, positions,
// snapshots, and damaged input.
#include <gtest/gtest.h>

#include <vector>

#include "platform/fm/memory_alarm_store.h"
#include "platform/fm/store_codec.h"
#include "tests/fm/replica_test_support.h"

namespace roost::fm {
namespace {

using core::LogPosition;
using testing::RandomBatches;

struct Change {
  LogPosition at;
  std::string changeset;
};

// Submits `n` random batches to `store` at increasing positions (a new term every 17 batches, as after
// a failover); returns the changesets in order, and applies the batches to `reference` as well.
std::vector<Change> write_random(MemoryAlarmStore& store, StoredState& reference, std::uint64_t seed, int n,
                                 LogPosition start = {1, 0}) {
  RandomBatches gen(seed);
  std::vector<Change> out;
  LogPosition at = start;
  for (int i = 0; i < n; ++i) {
    at = i % 17 == 16 ? LogPosition{at.term + 1, at.seq + 1} : LogPosition{at.term, at.seq + 1};
    WriteBatch b = gen.next();
    apply(reference, b);
    bool called = false;
    store.submit_at(at, std::move(b), [&](const StoreStatus& s, std::string changeset) {
      called = true;
      EXPECT_TRUE(s.ok) << s.error;
      out.push_back({at, std::move(changeset)});
    });
    EXPECT_TRUE(called) << "the memory store completes before submit_at returns";
  }
  return out;
}

core::ReplicaStatus apply_one(MemoryAlarmStore& store, const Change& c) {
  std::optional<core::ReplicaStatus> result;
  store.apply_changeset(c.at, c.changeset, [&](const core::ReplicaStatus& s) { result = s; });
  EXPECT_TRUE(result) << "apply_changeset must complete before it returns";
  return result.value_or(core::ReplicaStatus{false, "no completion"});
}

TEST(MemoryReplica, AReplicaApplyingTheChangesetsHoldsWhatThePrimaryHolds) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    MemoryAlarmStore a, b;
    StoredState reference;
    const auto changes = write_random(a, reference, seed, 200);
    ASSERT_EQ(a.load(), reference) << "seed " << seed;
    for (const Change& c : changes) {
      const auto status = apply_one(b, c);
      ASSERT_TRUE(status.ok) << status.error;
      EXPECT_EQ(b.position(), c.at);
    }
    EXPECT_EQ(b.load(), a.load()) << "seed " << seed;
    EXPECT_EQ(b.position(), a.position());
    EXPECT_EQ(a.position(), changes.back().at);
  }
}

TEST(MemoryReplica, KindAndFreshPosition) {
  MemoryAlarmStore s;
  EXPECT_EQ(s.replica_kind(), "fm/memory");
  EXPECT_EQ(s.position(), (LogPosition{0, 0}));
}

TEST(MemoryReplica, PlainSubmitKeepsThePositionAndAnEmptyBatchAdvancesIt) {
  MemoryAlarmStore a, b;
  StoredState reference;
  write_random(a, reference, 3, 5);
  const LogPosition before = a.position();
  RandomBatches gen(99);
  a.submit(gen.next(), {});
  EXPECT_EQ(a.position(), before);

  std::string changeset;
  a.submit_at({before.term, before.seq + 1}, WriteBatch{}, [&](const StoreStatus& s, std::string c) {
    ASSERT_TRUE(s.ok);
    changeset = std::move(c);
  });
  EXPECT_EQ(a.position(), (LogPosition{before.term, before.seq + 1}));
  EXPECT_FALSE(changeset.empty()) << "an empty batch still has a (valid) changeset";
  const StoredState b_before = b.load();
  const auto status = apply_one(b, {{before.term, before.seq + 1}, changeset});
  ASSERT_TRUE(status.ok) << status.error;
  EXPECT_EQ(b.load(), b_before);
  EXPECT_EQ(b.position(), (LogPosition{before.term, before.seq + 1}));
}

TEST(MemoryReplica, APositionNotAboveTheStoresIsRefusedAndNothingIsApplied) {
  MemoryAlarmStore a;
  StoredState reference;
  const auto changes = write_random(a, reference, 4, 10, {3, 40});
  const LogPosition at = a.position();  // (3, 50)
  const StoredState before = a.load();
  RandomBatches gen(5);
  for (const LogPosition bad : {at, LogPosition{at.term, at.seq - 1}, LogPosition{at.term - 1, at.seq + 5}}) {
    std::optional<StoreStatus> result;
    std::string changeset = "unset";
    a.submit_at(bad, gen.next(), [&](const StoreStatus& s, std::string c) {
      result = s;
      changeset = std::move(c);
    });
    ASSERT_TRUE(result);
    EXPECT_FALSE(result->ok);
    EXPECT_NE(result->error.find("fm/memory: submit_at"), std::string::npos) << result->error;
    EXPECT_NE(result->error.find("not above the store's position (3, 50)"), std::string::npos) << result->error;
    EXPECT_TRUE(changeset.empty());
  }
  EXPECT_EQ(a.load(), before);
  EXPECT_EQ(a.position(), at);

  // A replica refuses a change it already holds (a replay would append its events twice).
  MemoryAlarmStore b;
  for (const Change& c : changes) ASSERT_TRUE(apply_one(b, c).ok);
  const auto again = apply_one(b, changes.back());
  EXPECT_FALSE(again.ok);
  EXPECT_NE(again.error.find("apply changeset (3, 50): not above the store's position (3, 50)"), std::string::npos)
      << again.error;
  EXPECT_EQ(b.load(), a.load());
}

TEST(MemoryReplica, ADamagedChangesetFailsCleanlyAndLeavesTheStoreAsItWas) {
  MemoryAlarmStore a, b;
  StoredState reference;
  const auto changes = write_random(a, reference, 6, 30);
  for (std::size_t i = 0; i + 1 < changes.size(); ++i) ASSERT_TRUE(apply_one(b, changes[i]).ok);
  const Change& last = changes.back();
  ASSERT_GT(last.changeset.size(), 40u) << "pick a seed whose last batch has writes";
  const StoredState before = b.load();
  const LogPosition position_before = b.position();

  std::vector<std::string> damaged;
  for (std::size_t n = 0; n < last.changeset.size(); ++n) damaged.push_back(last.changeset.substr(0, n));  // truncated
  for (std::size_t i = 0; i < last.changeset.size(); ++i) {                                               // one bit off
    std::string d = last.changeset;
    d[i] = static_cast<char>(d[i] ^ 0x10);
    damaged.push_back(d);
  }
  damaged.push_back(last.changeset + "x");                     // trailing byte
  damaged.push_back(std::string(200, '\x7f'));                  // garbage
  damaged.push_back(encode_state(last.at, reference));          // a snapshot, not a changeset
  for (const std::string& d : damaged) {
    const auto status = apply_one(b, {last.at, d});
    ASSERT_FALSE(status.ok) << "a damaged changeset of " << d.size() << " bytes applied";
    EXPECT_NE(status.error.find("fm/memory: apply changeset " + to_string(last.at)), std::string::npos) << status.error;
  }
  EXPECT_EQ(b.load(), before);
  EXPECT_EQ(b.position(), position_before);
  // The intact changeset still applies.
  ASSERT_TRUE(apply_one(b, last).ok);
  EXPECT_EQ(b.load(), a.load());
}

TEST(MemoryReplica, ASnapshotInstalledOnAnotherStoreReproducesItWholly) {
  MemoryAlarmStore a;
  StoredState reference;
  write_random(a, reference, 8, 150, {2, 1000});
  const auto snap = a.snapshot();
  EXPECT_EQ(snap.position, a.position());

  MemoryAlarmStore fresh;
  std::optional<core::ReplicaStatus> result;
  fresh.install_snapshot(snap, [&](const core::ReplicaStatus& s) { result = s; });
  ASSERT_TRUE(result && result->ok) << (result ? result->error : "no completion");
  EXPECT_EQ(fresh.load(), a.load());
  EXPECT_EQ(fresh.position(), a.position());

  // A diverged store (other rows, a position of a term the primary never had) is replaced, not merged.
  MemoryAlarmStore diverged;
  StoredState other;
  write_random(diverged, other, 9, 80, {7, 5000});
  result.reset();
  diverged.install_snapshot(snap, [&](const core::ReplicaStatus& s) { result = s; });
  ASSERT_TRUE(result && result->ok) << (result ? result->error : "no completion");
  EXPECT_EQ(diverged.load(), a.load());
  EXPECT_EQ(diverged.position(), a.position());

  // It goes on from there with the primary's changesets.
  MemoryAlarmStore& primary = a;
  StoredState ref2 = a.load();
  const auto more = write_random(primary, ref2, 10, 20, a.position());
  for (const Change& c : more) ASSERT_TRUE(apply_one(diverged, c).ok);
  EXPECT_EQ(diverged.load(), primary.load());
}

TEST(MemoryReplica, ABadSnapshotIsRefusedAndChangesNothing) {
  MemoryAlarmStore a, b;
  StoredState reference, other;
  write_random(a, reference, 11, 40);
  write_random(b, other, 12, 40, {1, 0});
  const StoredState before = b.load();
  const LogPosition position_before = b.position();
  auto snap = a.snapshot();

  const auto install = [&](core::ReplicaStore::Snapshot s) {
    std::optional<core::ReplicaStatus> result;
    b.install_snapshot(std::move(s), [&](const core::ReplicaStatus& r) { result = r; });
    EXPECT_TRUE(result);
    return result.value_or(core::ReplicaStatus{});
  };
  auto truncated = snap;
  truncated.bytes.resize(truncated.bytes.size() / 2);
  auto status = install(truncated);
  EXPECT_FALSE(status.ok);
  EXPECT_NE(status.error.find("fm/memory: install snapshot"), std::string::npos) << status.error;

  auto mislabelled = snap;  // bytes of one position offered as another
  mislabelled.position.seq += 1;
  status = install(mislabelled);
  EXPECT_FALSE(status.ok);
  EXPECT_NE(status.error.find("taken at " + to_string(snap.position)), std::string::npos) << status.error;

  auto changeset = snap;  // a changeset is not a snapshot
  changeset.bytes = encode_batch(RandomBatches(1).next());
  EXPECT_FALSE(install(changeset).ok);

  EXPECT_EQ(b.load(), before);
  EXPECT_EQ(b.position(), position_before);
}

TEST(StoreCodec, BatchesAndStatesRoundTripExactly) {
  RandomBatches gen(21);
  for (int i = 0; i < 300; ++i) {
    const WriteBatch b = gen.next();
    const std::string bytes = encode_batch(b);
    WriteBatch decoded;
    ASSERT_EQ(decode_batch(bytes, decoded, "test"), std::nullopt);
    EXPECT_EQ(encode_batch(decoded), bytes);
    EXPECT_EQ(decoded.event_log_capacity, b.event_log_capacity);
    ASSERT_EQ(decoded.writes.size(), b.writes.size());
    for (std::size_t w = 0; w < b.writes.size(); ++w) {
      ASSERT_EQ(decoded.writes[w].index(), b.writes[w].index());
      if (const auto* p = std::get_if<PutAlarm>(&b.writes[w])) {
        EXPECT_EQ(std::get<PutAlarm>(decoded.writes[w]).alarm, p->alarm);
      } else if (const auto* r = std::get_if<RemoveAlarm>(&b.writes[w])) {
        EXPECT_EQ(std::get<RemoveAlarm>(decoded.writes[w]).id, r->id);
        EXPECT_EQ(std::get<RemoveAlarm>(decoded.writes[w]).uuid, r->uuid);
      } else if (const auto* e = std::get_if<AppendEvent>(&b.writes[w])) {
        EXPECT_EQ(std::get<AppendEvent>(decoded.writes[w]).event, e->event);
      } else if (const auto* s = std::get_if<PutSuppression>(&b.writes[w])) {
        EXPECT_EQ(std::get<PutSuppression>(decoded.writes[w]).row, s->row);
      }
    }
  }
  StoredState state;
  for (int i = 0; i < 100; ++i) apply(state, gen.next());
  LogPosition at;
  StoredState back;
  ASSERT_EQ(decode_state(encode_state({4, 77}, state), at, back, "test"), std::nullopt);
  EXPECT_EQ(back, state);
  EXPECT_EQ(at, (LogPosition{4, 77}));
}

TEST(StoreCodec, ErrorsSayWhatIsWrong) {
  WriteBatch out;
  auto error = decode_batch("short", out, "replica X");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("replica X: 5 bytes is too short"), std::string::npos) << *error;
  error = decode_batch(seal(kStateTag, "whatever"), out, "replica X");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("not a 'roost.fm.batch/1:' blob"), std::string::npos) << *error;
  std::string bytes = encode_batch(RandomBatches(2).next());
  bytes[bytes.size() / 2] ^= 1;
  error = decode_batch(bytes, out, "replica X");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("checksum mismatch"), std::string::npos) << *error;
  // A well-sealed payload that is not a batch: named by what failed.
  error = decode_batch(seal(kBatchTag, std::string("\x00\x02\x09", 3)), out, "replica X");
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("write 0 has unknown kind 9"), std::string::npos) << *error;
}

}  // namespace
}  // namespace roost::fm
