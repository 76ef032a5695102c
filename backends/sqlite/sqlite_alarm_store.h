// FM's durable store on SQLite: the real implementation of fm::AlarmStore.
//
// Durability: WAL journal, synchronous=FULL by default, so a commit is on disk (WAL fsynced) before any
// of its batches is acknowledged; NORMAL would survive a process crash but could lose the last
// commits on power loss, so it is an explicit option, not the default.
//
// Group commit: submit() only queues. One writer thread takes everything queued, applies each batch
// inside its own savepoint of one transaction, commits once (one fsync), then acknowledges all of
// them. While it waits on the disk, new batches queue up and share the next commit, so throughput
// grows with load while every acknowledgement still means "on disk". A batch that fails alone (a
// constraint) is rolled back to its savepoint and fails alone; a failed commit (disk full, I/O
// error) fails every batch in it, and none of them is kept. Acknowledged batches are never touched.
//
// Threads: submit() may be called from any thread; completions run through the Executor given at
// construction (the runtime posts them onto the node's thread). Without one they run on the writer
// thread, and must then not call load() or flush().
//
// Replication (core/replica.h), kind "fm/sqlite-session". Every operation goes through the one queue,
// so submits, submit_ats, applied changesets and installed snapshots take effect in call order.
// - The position lives in the table replica_position (schema version 2), written in the same
//   transaction as the changes it names, so it is exactly as durable as they are and survives reopen.
//   submit() leaves it alone. position() waits for what is queued (like load()) and returns the
//   position of the last commit; committed_position() returns that without waiting.
// - submit_at: the writer records each such batch with its own SQLite session (the tables alarm,
//   event_log, event_suppression; not the position or schema tables, which each store keeps itself),
//   including the event-log trim the batch causes, and extracts the changeset right after the batch's
//   writes. submit_at batches share group commits with each other and with plain batches, like
//   submit(); the position row is written once per transaction, for the last submit_at batch in it.
//   `done` gets the changeset (sealed with fm/store_codec.h's kSqliteChangesetTag around the schema
//   version and the session changeset) only once the transaction is durable. A batch whose position
//   is not above the store's (including earlier submit_ats queued before it) fails alone, writes
//   nothing, and leaves the position. Only submit_at batches reach a replica: a store that replicates
//   must not also take plain submits.
// - apply_changeset: one transaction of its own: the session changeset and the position. Refused
//   (nothing applied) when the position is not above the store's, when the changeset is damaged or
//   comes from another schema version, and on a conflict the policy below cannot settle. Conflicts
//   (a replica that drifted from the active, e.g. replayed over a restored file):
//     row already present on insert, or row with other values on update/delete -> REPLACE (the
//       active's change wins: the replica is a copy, and the changeset says what the active holds);
//     delete of a row that is not there -> OMIT (the outcome is already what the active has);
//     update of a missing row -> ABORT: a session update carries only the changed columns, so the
//       row cannot be rebuilt; a UNIQUE key held here by a row of another id -> ABORT: settling it
//       would mean deleting a row the changeset does not name. The apply fails whole and the
//       replicator must send a snapshot. REPLACE converges the rows a changeset touches, not the rest of a diverged replica:
//       divergence itself is the replicator's to detect (by positions and terms).
// - snapshot(): the position and every row, read in one read transaction after what is queued,
//   encoded as fm::StoredState with the position (fm/store_codec.h's encode_state, the format
//   MemoryAlarmStore's snapshots use too). install_snapshot: one transaction that
//   replaces every row and the position.
// Completions of replication calls go through the executor exactly like submit's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backends/sqlite/completion_queue.h"
#include "platform/fm/alarm_store.h"

namespace roost::sqlite {

class Db;

struct SqliteOptions {
  enum class Sync : std::uint8_t { Full, Normal };
  Sync synchronous = Sync::Full;
  // 0: every queued batch shares the next commit (group commit). 1: one batch per commit.
  std::size_t max_batches_per_commit = 0;
  // 0: no cap. Else the file may not grow past this many pages (PRAGMA max_page_count): a disk quota;
  // writes past it fail with "database or disk is full", as on a full disk.
  std::int64_t max_database_pages = 0;
  std::chrono::milliseconds busy_timeout{5000};
  std::int64_t cache_kib = 64 * 1024;  // SQLite page cache (PRAGMA cache_size)
};

class SqliteAlarmStore final : public fm::AlarmStore {
 public:
  // Opens or creates the database at `path` and migrates it to the current schema.
  // Throws fm::StoreError naming the file and the cause.
  SqliteAlarmStore(std::string path, SqliteOptions options = {}, Executor completions = {});
  // Commits what is queued, then stops the writer. Completions still go through the executor.
  ~SqliteAlarmStore() override;

  static constexpr std::string_view kReplicaKind = "fm/sqlite-session";

  fm::StoredState load() override;
  void submit(fm::WriteBatch batch, fm::CommitCallback done) override;
  void submit_at(core::LogPosition at, fm::WriteBatch batch, CapturedCallback done) override;

  std::string_view replica_kind() const override { return kReplicaKind; }
  core::LogPosition position() override;  // waits for what is queued; throws std::logic_error on the writer thread
  core::LogPosition committed_position() const;
  void apply_changeset(core::LogPosition at, std::string changeset,
                       std::function<void(const core::ReplicaStatus&)> done) override;
  Snapshot snapshot() override;  // throws fm::StoreError naming the file
  void install_snapshot(Snapshot snapshot, std::function<void(const core::ReplicaStatus&)> done) override;

  // Blocks until every batch submitted before the call is committed or failed.
  void flush();

  const std::string& path() const { return path_; }
  int schema_version_found() const { return version_found_; }  // the file's version when opened (0: new)

  struct Stats {
    std::uint64_t commits = 0;         // transactions committed
    std::uint64_t batches = 0;         // batches acknowledged durable
    std::uint64_t failed_commits = 0;  // transactions that failed
    std::uint64_t failed_batches = 0;
    std::size_t largest_group = 0;     // most batches in one transaction
    // Replication: each apply/install is a transaction of its own, not counted in `commits`.
    std::uint64_t changesets_applied = 0;
    std::uint64_t snapshots_installed = 0;
    std::uint64_t failed_replica_ops = 0;       // applies/installs refused or rolled back
    std::uint64_t conflicts_replaced = 0;       // rows the active's change overwrote (see the policy above)
    std::uint64_t missing_deletes_omitted = 0;  // deletes of rows the replica no longer had
  };
  Stats stats() const;

 private:
  using ReplicaCallback = std::function<void(const core::ReplicaStatus&)>;
  struct Pending {
    enum class Op : std::uint8_t { Batch, BatchAt, ApplyChangeset, InstallSnapshot };
    Op op = Op::Batch;
    fm::WriteBatch batch;        // Batch, BatchAt
    core::LogPosition at;        // BatchAt, ApplyChangeset, InstallSnapshot
    std::string bytes;           // ApplyChangeset: the changeset; InstallSnapshot: the snapshot
    fm::CommitCallback done;     // Batch
    CapturedCallback captured;   // BatchAt
    ReplicaCallback replica_done;  // ApplyChangeset, InstallSnapshot
    bool is_batch() const { return op == Op::Batch || op == Op::BatchAt; }
  };
  struct Result {
    fm::StoreStatus status;
    std::string changeset;  // BatchAt, when ok
  };
  struct Statements;
  struct ApplyContext;

  struct Attempt {
    std::vector<Result> results;
    bool retry_isolated = false;  // a batch failed on its own: redo the group with a savepoint per batch
    bool position_written = false;
    core::LogPosition position;   // the position the transaction recorded (when position_written)
  };

  void enqueue(Pending pending);
  void writer_loop();
  void complete(Pending&& pending, Result&& result);
  std::vector<Result> commit_group(const std::vector<Pending>& group);
  Attempt run_transaction(const std::vector<Pending>& group, bool isolate);
  std::string capture_batch(const fm::WriteBatch& batch);  // applies and trims in a session; the changeset
  Result apply_changeset_now(const Pending& pending);
  Result install_snapshot_now(const Pending& pending);
  void apply(const fm::WriteBatch& batch);
  void trim_events();
  std::int64_t count_events();
  core::LogPosition read_position();
  fm::StoredState read_state();
  void write_position(core::LogPosition at);
  void set_position(core::LogPosition at);  // after a commit: the in-memory copy

  std::string path_;
  SqliteOptions options_;
  Executor completions_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<Statements> st_;
  int version_found_ = 0;
  std::int64_t event_rows_ = 0;   // rows in event_log, tracked so trimming needs no count query
  std::size_t capacity_ = 0;      // the latest event_log_capacity seen
  bool recount_events_ = false;   // an applied changeset changed event_log by an amount not tracked
  core::LogPosition position_;    // the committed position: written by the writer under mu_

  mutable std::mutex mu_;         // guards the queue, the counters, stats_ and position_
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<Pending> queue_;
  std::uint64_t submitted_ = 0;
  std::uint64_t finished_ = 0;
  bool stopping_ = false;
  Stats stats_;

  std::mutex db_mu_;              // the connection: the writer while committing, load() while reading
  std::thread writer_;
};

}  // namespace roost::sqlite
