// SqliteAlarmStore as a replica store (core/replica.h, kind "fm/sqlite-session"): session changesets
// captured by submit_at and applied by a second store, the durable position, snapshots, damaged
// changesets and the conflict policy on a replica that diverged.
#include <gtest/gtest.h>

#include <optional>
#include <thread>
#include <vector>

#include "backends/sqlite/completion_queue.h"
#include "backends/sqlite/schema.h"
#include "backends/sqlite/sqlite_alarm_store.h"
#include "backends/sqlite/sqlite_db.h"
#include "platform/fm/memory_alarm_store.h"
#include "platform/fm/store_codec.h"
#include "tests/fm/fm_test_support.h"
#include "tests/fm/replica_test_support.h"

namespace roost::sqlite {
namespace {

using core::LogPosition;
using fm::testing::RandomBatches;
using fm::testing::TempDir;
using namespace std::chrono_literals;

struct Change {
  LogPosition at;
  std::string changeset;
};

// One store with its completion queue; the helpers wait for completions through it.
struct Replica {
  Replica(const TempDir& dir, const std::string& name, SqliteOptions options = {})
      : path(dir.file(name)), store(std::make_unique<SqliteAlarmStore>(path, options, q.executor())) {}

  void reopen(SqliteOptions options = {}) {
    store.reset();
    store = std::make_unique<SqliteAlarmStore>(path, options, q.executor());
  }

  core::ReplicaStatus apply(const Change& c) {
    std::optional<core::ReplicaStatus> result;
    store->apply_changeset(c.at, c.changeset, [&](const core::ReplicaStatus& s) { result = s; });
    EXPECT_TRUE(q.run_until([&] { return result.has_value(); }, 30s));
    return result.value_or(core::ReplicaStatus{false, "no completion"});
  }

  core::ReplicaStatus install(core::ReplicaStore::Snapshot snap) {
    std::optional<core::ReplicaStatus> result;
    store->install_snapshot(std::move(snap), [&](const core::ReplicaStatus& s) { result = s; });
    EXPECT_TRUE(q.run_until([&] { return result.has_value(); }, 30s));
    return result.value_or(core::ReplicaStatus{false, "no completion"});
  }

  // Submits every batch at once (so they share group commits), then waits for all; returns the changesets.
  std::vector<Change> submit_all(const std::vector<std::pair<LogPosition, fm::WriteBatch>>& batches) {
    std::vector<std::optional<Change>> got(batches.size());
    std::size_t done = 0;
    for (std::size_t i = 0; i < batches.size(); ++i) {
      const LogPosition at = batches[i].first;
      store->submit_at(at, batches[i].second, [&, i, at](const fm::StoreStatus& s, std::string changeset) {
        ++done;
        EXPECT_TRUE(s.ok) << s.error;
        if (s.ok) got[i] = Change{at, std::move(changeset)};
      });
    }
    EXPECT_TRUE(q.run_until([&] { return done == batches.size(); }, 60s));
    std::vector<Change> out;
    for (auto& g : got)
      if (g) out.push_back(std::move(*g));
    return out;
  }

  fm::StoreStatus submit_at(LogPosition at, fm::WriteBatch b, std::string* changeset = nullptr) {
    std::optional<fm::StoreStatus> result;
    store->submit_at(at, std::move(b), [&](const fm::StoreStatus& s, std::string c) {
      result = s;
      if (changeset) *changeset = std::move(c);
    });
    EXPECT_TRUE(q.run_until([&] { return result.has_value(); }, 30s));
    return result.value_or(fm::StoreStatus{false, "no completion"});
  }

  std::string path;
  CompletionQueue q;
  std::unique_ptr<SqliteAlarmStore> store;
};

// `n` random batches at increasing positions from `start`, with a term change every 17; applies them to
// `reference` too.
std::vector<std::pair<LogPosition, fm::WriteBatch>> random_batches(std::uint64_t seed, int n, fm::StoredState& reference,
                                                                  LogPosition start = {1, 0}) {
  RandomBatches gen(seed);
  std::vector<std::pair<LogPosition, fm::WriteBatch>> out;
  LogPosition at = start;
  for (int i = 0; i < n; ++i) {
    at = i % 17 == 16 ? LogPosition{at.term + 1, at.seq + 1} : LogPosition{at.term, at.seq + 1};
    fm::WriteBatch b = gen.next();
    fm::apply(reference, b);
    out.emplace_back(at, std::move(b));
  }
  return out;
}

fm::Alarm alarm(std::uint64_t id, std::string reason) {
  fm::Alarm a = RandomBatches(id).alarm(id);
  a.reason_text = std::move(reason);
  return a;
}

fm::WriteBatch put(fm::Alarm a) {
  fm::WriteBatch b;
  b.writes.push_back(fm::PutAlarm{std::move(a)});
  return b;
}

TEST(SqliteReplica, AReplicaApplyingTheChangesetsHoldsWhatThePrimaryHolds) {
  TempDir dir;
  Replica a(dir, "a.db"), b(dir, "b.db");
  EXPECT_EQ(a.store->replica_kind(), "fm/sqlite-session");
  EXPECT_EQ(a.store->position(), (LogPosition{0, 0}));
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    fm::StoredState reference = a.store->load();
    const auto batches = random_batches(seed, 150, reference, a.store->position());
    const auto changes = a.submit_all(batches);
    ASSERT_EQ(changes.size(), batches.size());
    EXPECT_EQ(a.store->load(), reference) << "seed " << seed;
    EXPECT_EQ(a.store->position(), batches.back().first);
    for (const Change& c : changes) {
      const auto status = b.apply(c);
      ASSERT_TRUE(status.ok) << status.error;
      EXPECT_EQ(b.store->committed_position(), c.at);
    }
    EXPECT_EQ(b.store->load(), a.store->load()) << "seed " << seed;
    EXPECT_EQ(b.store->position(), a.store->position());
    EXPECT_EQ(b.store->load().events.size(), 12u) << "the ring trimmed, on the replica too";
  }
  // submit_at batches queued together shared commits; no conflict arose on the faithful replica.
  EXPECT_GT(a.store->stats().largest_group, 1u);
  EXPECT_LT(a.store->stats().commits, 600u);
  EXPECT_EQ(b.store->stats().changesets_applied, 600u);
  EXPECT_EQ(b.store->stats().conflicts_replaced, 0u);
  EXPECT_EQ(b.store->stats().missing_deletes_omitted, 0u);
}

TEST(SqliteReplica, ThePositionIsDurableAndPlainSubmitsLeaveIt) {
  TempDir dir;
  Replica a(dir, "a.db"), b(dir, "b.db");
  fm::StoredState reference;
  const auto changes = a.submit_all(random_batches(7, 40, reference, {5, 100}));
  for (const Change& c : changes) ASSERT_TRUE(b.apply(c).ok);
  const LogPosition at = a.store->position();
  EXPECT_EQ(at, (LogPosition{7, 140}));

  a.store->submit(RandomBatches(8).next(), {});
  EXPECT_EQ(a.store->position(), at) << "submit() keeps the position";

  const fm::StoredState a_state = a.store->load(), b_state = b.store->load();
  a.reopen();
  b.reopen();
  EXPECT_EQ(a.store->position(), at);
  EXPECT_EQ(b.store->position(), at);
  EXPECT_EQ(a.store->load(), a_state);
  EXPECT_EQ(b.store->load(), b_state);

  // The database says so itself (not just the object).
  b.store.reset();
  Db db(b.path);
  EXPECT_EQ(db.query_int("SELECT term FROM replica_position", "read"), 7);
  EXPECT_EQ(db.query_int("SELECT seq FROM replica_position", "read"), 140);
}

TEST(SqliteReplica, AnEmptyBatchAdvancesThePositionOnBothSides) {
  TempDir dir;
  Replica a(dir, "a.db"), b(dir, "b.db");
  std::string changeset;
  ASSERT_TRUE(a.submit_at({1, 1}, fm::WriteBatch{}, &changeset).ok);
  EXPECT_EQ(a.store->position(), (LogPosition{1, 1}));
  const auto status = b.apply({{1, 1}, changeset});
  ASSERT_TRUE(status.ok) << status.error;
  EXPECT_EQ(b.store->position(), (LogPosition{1, 1}));
  EXPECT_EQ(b.store->load(), fm::StoredState{});
}

TEST(SqliteReplica, CompletionsRunOnTheExecutorOnly) {
  TempDir dir;
  Replica a(dir, "a.db"), b(dir, "b.db");
  // The executor here is the queue this thread drains: every completion must run on this thread.
  const auto me = std::this_thread::get_id();
  std::vector<std::thread::id> ran_on;
  std::string changeset;
  a.store->submit_at({1, 1}, put(alarm(1, "x")), [&](const fm::StoreStatus& s, std::string c) {
    ran_on.push_back(std::this_thread::get_id());
    EXPECT_TRUE(s.ok);
    changeset = std::move(c);
  });
  ASSERT_TRUE(a.q.run_until([&] { return ran_on.size() == 1; }, 30s));
  b.store->apply_changeset({1, 1}, changeset, [&](const core::ReplicaStatus& s) {
    ran_on.push_back(std::this_thread::get_id());
    EXPECT_TRUE(s.ok);
  });
  b.store->apply_changeset({1, 1}, changeset, [&](const core::ReplicaStatus& s) {  // refused: same path
    ran_on.push_back(std::this_thread::get_id());
    EXPECT_FALSE(s.ok);
  });
  b.store->install_snapshot(a.store->snapshot(), [&](const core::ReplicaStatus& s) {
    ran_on.push_back(std::this_thread::get_id());
    EXPECT_TRUE(s.ok);
  });
  ASSERT_TRUE(b.q.run_until([&] { return ran_on.size() == 4; }, 30s));
  for (const auto& id : ran_on) EXPECT_EQ(id, me);
}

TEST(SqliteReplica, APositionNotAboveTheStoresIsRefusedAndNothingIsWritten) {
  TempDir dir;
  Replica a(dir, "a.db"), b(dir, "b.db");
  fm::StoredState reference;
  const auto changes = a.submit_all(random_batches(9, 10, reference, {3, 40}));
  const fm::StoredState before = a.store->load();
  // Queued together with a good one: the refusal is per batch, against the position of what precedes it.
  std::vector<std::pair<LogPosition, fm::WriteBatch>> mixed{
      {{3, 51}, put(alarm(1, "good"))}, {{3, 51}, put(alarm(2, "same position"))}, {{2, 99}, put(alarm(3, "older term"))}};
  std::vector<fm::StoreStatus> results(3);
  int acks = 0;
  for (std::size_t i = 0; i < mixed.size(); ++i)
    a.store->submit_at(mixed[i].first, mixed[i].second, [&, i](const fm::StoreStatus& s, std::string) {
      results[i] = s;
      ++acks;
    });
  ASSERT_TRUE(a.q.run_until([&] { return acks == 3; }, 30s));
  EXPECT_TRUE(results[0].ok) << results[0].error;
  for (int i : {1, 2}) {
    EXPECT_FALSE(results[i].ok);
    EXPECT_NE(results[i].error.find("a.db: submit_at"), std::string::npos) << results[i].error;
    EXPECT_NE(results[i].error.find("not above the store's position (3, 51)"), std::string::npos) << results[i].error;
  }
  fm::StoredState expected = before;
  fm::apply(expected, mixed[0].second);
  EXPECT_EQ(a.store->load(), expected);
  EXPECT_EQ(a.store->position(), (LogPosition{3, 51}));

  for (const Change& c : changes) ASSERT_TRUE(b.apply(c).ok);
  const auto again = b.apply(changes.back());
  EXPECT_FALSE(again.ok);
  EXPECT_NE(again.error.find("b.db: apply changeset (3, 50): not above the store's position (3, 50)"), std::string::npos)
      << again.error;
  EXPECT_EQ(b.store->load(), before);
}

TEST(SqliteReplica, ADamagedChangesetFailsNamingTheFileAndLeavesTheStoreAsItWas) {
  TempDir dir;
  Replica a(dir, "a.db"), b(dir, "b.db");
  fm::StoredState reference;
  auto batches = random_batches(10, 20, reference);
  fm::WriteBatch big;  // a last change with many rows
  for (std::uint64_t id = 1; id <= 10; ++id) big.writes.push_back(fm::PutAlarm{alarm(id, "big")});
  batches.emplace_back(LogPosition{batches.back().first.term, batches.back().first.seq + 1}, big);
  const auto changes = a.submit_all(batches);
  for (std::size_t i = 0; i + 1 < changes.size(); ++i) ASSERT_TRUE(b.apply(changes[i]).ok);
  const Change& last = changes.back();
  const fm::StoredState before = b.store->load();
  const LogPosition position_before = b.store->position();

  std::vector<std::string> damaged;
  // Cut anywhere: some cuts would be a valid shorter session changeset to SQLite; the seal refuses them all.
  for (std::size_t n = 0; n < last.changeset.size(); n += 7) damaged.push_back(last.changeset.substr(0, n));
  for (std::size_t i = 0; i < last.changeset.size(); i += 5) {
    std::string d = last.changeset;
    d[i] = static_cast<char>(d[i] ^ 0x04);
    damaged.push_back(d);
  }
  damaged.push_back(std::string(300, 'T'));  // garbage
  damaged.push_back(fm::encode_batch(big));  // the memory store's format
  // A changeset of another schema version.
  damaged.push_back(fm::seal(fm::kSqliteChangesetTag, std::string(1, '\x01')));
  for (const std::string& d : damaged) {
    const auto status = b.apply({last.at, d});
    ASSERT_FALSE(status.ok) << "a damaged changeset of " << d.size() << " bytes applied";
    EXPECT_NE(status.error.find(b.path + ": apply changeset " + fm::to_string(last.at)), std::string::npos) << status.error;
  }
  const auto other_schema = b.apply({last.at, damaged.back()});
  EXPECT_NE(other_schema.error.find("recorded against schema version 1, this store is at " +
                                          std::to_string(kAlarmStoreSchemaVersion)), std::string::npos)
      << other_schema.error;
  EXPECT_EQ(b.store->load(), before);
  EXPECT_EQ(b.store->position(), position_before);
  EXPECT_EQ(b.store->stats().failed_replica_ops, damaged.size() + 1);
  // The intact changeset still applies.
  ASSERT_TRUE(b.apply(last).ok);
  EXPECT_EQ(b.store->load(), a.store->load());
}

TEST(SqliteReplica, ASnapshotInstalledOnAnotherStoreReproducesItAndSurvivesReopen) {
  TempDir dir;
  Replica a(dir, "a.db"), c(dir, "c.db"), diverged(dir, "d.db");
  fm::StoredState reference, other;
  a.submit_all(random_batches(12, 200, reference, {2, 1000}));
  const auto snap = a.store->snapshot();
  EXPECT_EQ(snap.position, a.store->position());

  auto status = c.install(snap);
  ASSERT_TRUE(status.ok) << status.error;
  EXPECT_EQ(c.store->load(), a.store->load());
  EXPECT_EQ(c.store->position(), a.store->position());
  EXPECT_EQ(c.store->snapshot().bytes, snap.bytes);
  c.reopen();
  EXPECT_EQ(c.store->load(), a.store->load());
  EXPECT_EQ(c.store->position(), a.store->position());

  // A diverged store (other rows, a later term the primary never had) is replaced, not merged, and then
  // follows the primary's changesets, including its event-log trims.
  diverged.submit_all(random_batches(13, 60, other, {9, 3}));
  status = diverged.install(snap);
  ASSERT_TRUE(status.ok) << status.error;
  EXPECT_EQ(diverged.store->load(), a.store->load());
  fm::StoredState ref2 = a.store->load();
  for (const Change& ch : a.submit_all(random_batches(14, 50, ref2, a.store->position())))
    ASSERT_TRUE(diverged.apply(ch).ok);
  EXPECT_EQ(diverged.store->load(), a.store->load());
  EXPECT_EQ(diverged.store->position(), a.store->position());
  EXPECT_EQ(diverged.store->stats().snapshots_installed, 1u);

  // A bad snapshot changes nothing.
  auto bad = a.store->snapshot();
  bad.bytes.resize(bad.bytes.size() - 3);
  const fm::StoredState before = c.store->load();
  status = c.install(bad);
  EXPECT_FALSE(status.ok);
  EXPECT_NE(status.error.find(c.path + ": install snapshot"), std::string::npos) << status.error;
  EXPECT_EQ(c.store->load(), before);
  EXPECT_EQ(c.store->position(), snap.position);
}

TEST(SqliteReplica, AMemoryStoreSnapshotOfTheSameContentIsTheSameBytes) {
  // Both kinds encode a snapshot as the StoredState with its position; the content order is the same.
  TempDir dir;
  Replica a(dir, "a.db");
  fm::StoredState reference;
  fm::MemoryAlarmStore memory;
  const auto batches = random_batches(15, 120, reference);
  a.submit_all(batches);
  for (const auto& [at, b] : batches) memory.submit_at(at, b, {});
  EXPECT_EQ(a.store->snapshot().bytes, memory.snapshot().bytes);
}

// The conflict policy, on a replica that holds other rows than the changeset expects.
TEST(SqliteReplica, ConflictsOnADivergedReplicaFollowTheDocumentedPolicy) {
  TempDir dir;
  Replica a(dir, "a.db"), b(dir, "b.db");
  // B drifted: it holds alarm 1 with other values, alarm 2 that A never had, and lacks alarm 3.
  ASSERT_TRUE(a.submit_at({1, 1}, [] {
                 fm::WriteBatch w = put(alarm(3, "three"));
                 w.writes.push_back(fm::PutAlarm{alarm(4, "four")});
                 return w;
               }())
                  .ok);
  b.store->submit(put(alarm(1, "b's own one")), {});
  b.store->submit(put(alarm(2, "b's own two")), {});
  b.store->submit(put(alarm(4, "b's four")), {});
  b.store->flush();
  b.q.run_ready();

  // Insert of a row already present: REPLACE (A's row wins).
  std::string changeset;
  ASSERT_TRUE(a.submit_at({1, 2}, put(alarm(1, "a's one")), &changeset).ok);
  auto status = b.apply({{1, 2}, changeset});
  ASSERT_TRUE(status.ok) << status.error;
  EXPECT_EQ(b.store->stats().conflicts_replaced, 1u);

  // Delete of a row B never had: OMIT, the outcome is A's.
  fm::WriteBatch remove3;
  remove3.writes.push_back(fm::RemoveAlarm{"alarm-3", 3});
  ASSERT_TRUE(a.submit_at({1, 3}, remove3, &changeset).ok);
  status = b.apply({{1, 3}, changeset});
  ASSERT_TRUE(status.ok) << status.error;
  EXPECT_EQ(b.store->stats().missing_deletes_omitted, 1u);

  // Update of a row whose old values differ here (B's alarm 4): REPLACE, the changed columns take A's values.
  ASSERT_TRUE(a.submit_at({1, 4}, put(alarm(4, "four, updated")), &changeset).ok);
  status = b.apply({{1, 4}, changeset});
  ASSERT_TRUE(status.ok) << status.error;
  EXPECT_EQ(b.store->stats().conflicts_replaced, 2u);

  fm::StoredState got = b.store->load();
  ASSERT_EQ(got.alarms.size(), 3u);  // 1 (A's), 2 (B's own, untouched), 4 (updated)
  EXPECT_EQ(got.alarms[0], alarm(1, "a's one"));
  EXPECT_EQ(got.alarms[1], alarm(2, "b's own two"));
  EXPECT_EQ(got.alarms[2].reason_text, "four, updated");
  EXPECT_EQ(b.store->position(), (LogPosition{1, 4}));

  // Update of a row B lacks: ABORT (an update holds only the changed columns), nothing applied.
  fm::WriteBatch gone;
  gone.writes.push_back(fm::RemoveAlarm{"alarm-1", 1});
  b.store->submit(gone, {});  // B loses alarm 1 behind the replication's back
  b.store->flush();
  const fm::StoredState before = b.store->load();
  ASSERT_TRUE(a.submit_at({1, 5}, [] {
                 fm::WriteBatch w = put(alarm(1, "a's one, updated"));
                 w.writes.push_back(fm::PutAlarm{alarm(5, "five")});
                 return w;
               }(), &changeset)
                  .ok);
  status = b.apply({{1, 5}, changeset});
  EXPECT_FALSE(status.ok);
  EXPECT_NE(status.error.find(b.path + ": apply changeset (1, 5): update of alarm key '1': the row is missing here"),
            std::string::npos)
      << status.error;
  EXPECT_EQ(b.store->load(), before) << "alarm 5 of the same changeset was not kept either";
  EXPECT_EQ(b.store->position(), (LogPosition{1, 4}));

}

TEST(SqliteReplica, AnInsertBreakingAUniqueKeyHeldByAnotherRowIsRefused) {
  TempDir dir;
  Replica a(dir, "a.db"), c(dir, "c.db");
  fm::Alarm clash = alarm(2, "c's clash");
  clash.id = 60;  // alarm 2's (alarm id, entity) under another id
  c.store->submit(put(clash), {});
  const fm::StoredState before = c.store->load();
  std::string changeset;
  ASSERT_TRUE(a.submit_at({1, 1}, put(alarm(2, "a's two")), &changeset).ok);
  const auto status = c.apply({{1, 1}, changeset});
  EXPECT_FALSE(status.ok);
  EXPECT_NE(status.error.find("insert into alarm key '2': violates a constraint here"), std::string::npos) << status.error;
  EXPECT_EQ(c.store->load(), before);
  EXPECT_EQ(c.store->position(), (LogPosition{0, 0}));
}

TEST(SqliteReplica, AFullDiskFailsSubmitAtCleanlyAndThePositionIsThatOfTheLastAcknowledgedBatch) {
  TempDir dir;
  SqliteOptions capped;
  capped.max_database_pages = 40;
  Replica a(dir, "a.db", capped);
  fm::StoredState expected;
  LogPosition acked{};
  std::string error;
  for (std::uint64_t i = 1; i <= 2000 && error.empty(); ++i) {
    fm::WriteBatch b;
    fm::EventRecord e = RandomBatches(i).event();
    e.id = i;
    e.reason_text = std::string(2000, 'x');
    b.writes.push_back(fm::AppendEvent{e});
    const fm::StoreStatus s = a.submit_at({1, i}, b);
    if (s.ok) {
      fm::apply(expected, b);
      acked = {1, i};
    } else {
      error = s.error;
    }
  }
  ASSERT_FALSE(error.empty()) << "the cap never filled";
  EXPECT_NE(error.find(a.path), std::string::npos) << error;
  EXPECT_NE(error.find("full"), std::string::npos) << error;
  EXPECT_GT(acked.seq, 10u);
  EXPECT_EQ(a.store->position(), acked);
  a.reopen();
  EXPECT_EQ(a.store->position(), acked);
  EXPECT_EQ(a.store->load(), expected);
}

TEST(SqliteReplica, AFileOfSchemaVersionOneIsMigratedAndStartsAtPositionZero) {
  TempDir dir;
  const std::string path = dir.file("old.db");
  {
    Db db(path);
    migrate(db, alarm_store_migrations(), 1);
    EXPECT_FALSE(db.table_exists("replica_position"));
  }
  {
    SqliteAlarmStore store(path);
    store.submit(put(alarm(1, "kept")), {});
  }
  // Rewind the file to version 1 with a row in it, as a pre-replication build left it.
  {
    Db db(path);
    db.exec("DROP TABLE replica_position; UPDATE schema_version SET version = 1;", "rewind");
  }
  SqliteAlarmStore store(path);
  EXPECT_EQ(store.schema_version_found(), 1);
  EXPECT_EQ(store.position(), (LogPosition{0, 0}));
  ASSERT_EQ(store.load().alarms.size(), 1u);
  EXPECT_EQ(store.load().alarms[0].reason_text, "kept");
}

}  // namespace
}  // namespace roost::sqlite
