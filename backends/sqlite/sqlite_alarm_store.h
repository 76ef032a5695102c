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

  fm::StoredState load() override;
  void submit(fm::WriteBatch batch, fm::CommitCallback done) override;

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
  };
  Stats stats() const;

 private:
  struct Pending {
    fm::WriteBatch batch;
    fm::CommitCallback done;
  };
  struct Statements;

  struct Attempt {
    std::vector<fm::StoreStatus> results;
    bool retry_isolated = false;  // a batch failed on its own: redo the group with a savepoint per batch
  };

  void writer_loop();
  std::vector<fm::StoreStatus> commit_group(const std::vector<Pending>& group);
  Attempt run_transaction(const std::vector<Pending>& group, bool isolate);
  void apply(const fm::WriteBatch& batch);
  void trim_events();
  std::int64_t count_events();

  std::string path_;
  SqliteOptions options_;
  Executor completions_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<Statements> st_;
  int version_found_ = 0;
  std::int64_t event_rows_ = 0;   // rows in event_log, tracked so trimming needs no count query
  std::size_t capacity_ = 0;      // the latest event_log_capacity seen

  mutable std::mutex mu_;         // guards the queue, the counters and stats_
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
