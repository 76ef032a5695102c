#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <csignal>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "backends/sqlite/completion_queue.h"
#include "backends/sqlite/schema.h"
#include "backends/sqlite/sqlite_alarm_store.h"
#include "backends/sqlite/sqlite_db.h"
#include "platform/fm/fault_manager.h"
#include "tests/fm/fm_test_support.h"

namespace roost::sqlite {
namespace {

using fm::testing::TempDir;
using namespace std::chrono_literals;

// Batch i of a deterministic stream: upserts one of 50 alarms, sometimes removes another, sometimes
// writes a suppression row, and always appends event i+1 (so the newest event id says how many
// batches a store holds).
fm::WriteBatch stream_batch(std::uint64_t i, std::size_t capacity = 100) {
  fm::WriteBatch b;
  b.event_log_capacity = capacity;
  fm::Alarm a;
  a.id = i % 50 + 1;
  a.uuid = "alarm-" + std::to_string(i % 50);
  a.alarm_id = "200.005";
  a.entity_instance_id = "host=h" + std::to_string(i % 50);
  a.entity_type_id = "host";
  a.severity = i % 2 ? fm::Severity::Critical : fm::Severity::Major;
  a.reason_text = "batch " + std::to_string(i);
  a.alarm_type = fm::AlarmType::Communication;
  a.probable_cause = "unknown";
  a.timestamp_us = static_cast<std::int64_t>(i) * 1000;
  a.time = core::TimePoint(core::Duration(static_cast<std::int64_t>(i)));
  b.writes.push_back(fm::PutAlarm{a});
  if (i % 3 == 0) b.writes.push_back(fm::RemoveAlarm{"alarm-" + std::to_string((i + 7) % 50), (i + 7) % 50 + 1});
  if (i % 5 == 0) b.writes.push_back(fm::PutSuppression{{"200.00" + std::to_string(i % 4), "supp-" + std::to_string(i % 4), i % 2 == 0}});
  fm::EventRecord e;
  e.id = i + 1;
  e.uuid = "event-" + std::to_string(i);
  e.event_log_id = "200.005";
  e.state = fm::AlarmState::Set;
  e.entity_instance_id = a.entity_instance_id;
  e.alarm_uuid = a.uuid;
  e.timestamp_us = a.timestamp_us;
  b.writes.push_back(fm::AppendEvent{e});
  return b;
}

fm::StoredState reference_after(std::uint64_t batches, std::size_t capacity = 100) {
  fm::StoredState s;
  for (std::uint64_t i = 0; i < batches; ++i) fm::apply(s, stream_batch(i, capacity));
  return s;
}

TEST(SqliteSchema, NewFileIsCreatedAtTheCurrentVersionAndReopensAsIs) {
  TempDir dir;
  {
    SqliteAlarmStore store(dir.file("fm.db"));
    EXPECT_EQ(store.schema_version_found(), 0);
  }
  SqliteAlarmStore again(dir.file("fm.db"));
  EXPECT_EQ(again.schema_version_found(), kAlarmStoreSchemaVersion);
  Db db(dir.file("fm.db"));
  EXPECT_EQ(schema_version(db), kAlarmStoreSchemaVersion);
  EXPECT_EQ(db.query_int("PRAGMA journal_mode", "read the journal mode"), 0);  // "wal" is text: reads as 0
}

TEST(SqliteSchema, MigrationsRunInOrderEachInItsOwnTransaction) {
  TempDir dir;
  Db db(dir.file("scratch.db"));
  // A fake history: v0 had a table of its own; v1 reshapes it; v2 adds a column.
  db.exec("CREATE TABLE legacy (name TEXT); INSERT INTO legacy VALUES ('a'), ('b');", "seed v0");
  std::vector<std::string> ran;
  const std::vector<Migration> migrations{
      {0, 1, "move legacy rows", [&](Db& d) {
         ran.push_back("0->1");
         d.exec("CREATE TABLE item (name TEXT NOT NULL); INSERT INTO item SELECT name FROM legacy; DROP TABLE legacy;",
                "0->1");
       }},
      {1, 2, "add a weight", [&](Db& d) {
         ran.push_back("1->2");
         d.exec("ALTER TABLE item ADD COLUMN weight INTEGER NOT NULL DEFAULT 1", "1->2");
       }}};
  EXPECT_EQ(migrate(db, migrations, 1), 0);
  EXPECT_EQ(schema_version(db), 1);
  EXPECT_EQ(migrate(db, migrations, 2), 1);
  EXPECT_EQ(ran, (std::vector<std::string>{"0->1", "1->2"}));
  EXPECT_EQ(db.query_int("SELECT sum(weight) FROM item", "sum"), 2);
  EXPECT_EQ(migrate(db, migrations, 2), 2);  // nothing left to do
  EXPECT_EQ(ran.size(), 2u);

  // A failing step is rolled back whole and the version stays.
  const std::vector<Migration> broken{{2, 3, "half done", [](Db& d) {
                                         d.exec("CREATE TABLE half (x INTEGER)", "create");
                                         d.exec("INSERT INTO nowhere VALUES (1)", "fail");
                                       }}};
  try {
    migrate(db, broken, 3);
    FAIL() << "the broken migration succeeded";
  } catch (const SqliteError& e) {
    EXPECT_NE(std::string(e.what()).find("no such table: nowhere"), std::string::npos) << e.what();
  }
  EXPECT_EQ(schema_version(db), 2);
  EXPECT_FALSE(db.table_exists("half"));

  // Newer than the build knows, or no way forward: refused, naming the file.
  try {
    migrate(db, migrations, 1);
    FAIL();
  } catch (const SqliteError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 2 is newer than this build knows (1)"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("scratch.db"), std::string::npos);
  }
  EXPECT_THROW(migrate(db, migrations, 5), SqliteError);
}

TEST(SqliteSchema, TheStoreRefusesAFileFromTheFuture) {
  TempDir dir;
  {
    Db db(dir.file("fm.db"));
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);", "seed");
  }
  try {
    SqliteAlarmStore store(dir.file("fm.db"));
    FAIL();
  } catch (const fm::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("fm.db: schema version 99 is newer"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SqliteAlarmStore(dir.file("no-such-dir/fm.db")), fm::StoreError);
}

TEST(SqliteAlarmStore, HoldsExactlyWhatTheReferenceSemanticsGive) {
  TempDir dir;
  CompletionQueue q;
  SqliteAlarmStore store(dir.file("fm.db"), {}, q.executor());
  std::vector<std::uint64_t> acked;
  for (std::uint64_t i = 0; i < 400; ++i)
    store.submit(stream_batch(i), [&, i](const fm::StoreStatus& s) {
      EXPECT_TRUE(s.ok) << s.error;
      acked.push_back(i);
    });
  ASSERT_TRUE(q.run_until([&] { return acked.size() == 400; }, 30s));
  // Acknowledged in submission order.
  for (std::uint64_t i = 0; i < acked.size(); ++i) ASSERT_EQ(acked[i], i);
  EXPECT_EQ(store.load(), reference_after(400));
  EXPECT_EQ(store.load().events.size(), 100u);  // the ring
  const auto stats = store.stats();
  EXPECT_EQ(stats.batches, 400u);
  EXPECT_GT(stats.largest_group, 1u);  // batches submitted together shared commits
  EXPECT_LT(stats.commits, 400u);
}

TEST(SqliteAlarmStore, OneBatchPerCommitWhenAskedTo) {
  TempDir dir;
  CompletionQueue q;
  SqliteOptions options;
  options.max_batches_per_commit = 1;
  SqliteAlarmStore store(dir.file("fm.db"), options, q.executor());
  int acks = 0;
  for (std::uint64_t i = 0; i < 20; ++i) store.submit(stream_batch(i), [&](const fm::StoreStatus&) { ++acks; });
  ASSERT_TRUE(q.run_until([&] { return acks == 20; }, 30s));
  EXPECT_EQ(store.stats().commits, 20u);
  EXPECT_EQ(store.stats().largest_group, 1u);
}

TEST(SqliteAlarmStore, ABadBatchFailsAloneAndLeavesNothingOfItself) {
  TempDir dir;
  CompletionQueue q;
  SqliteAlarmStore store(dir.file("fm.db"), {}, q.executor());
  // Batch 1 reuses batch 0's (alarm id, entity) under another uuid: the UNIQUE key refuses it.
  fm::WriteBatch good = stream_batch(0);
  fm::WriteBatch bad = stream_batch(1);
  std::get<fm::PutAlarm>(bad.writes[0]).alarm.entity_instance_id = "host=h0";
  fm::WriteBatch after = stream_batch(2);
  std::vector<fm::StoreStatus> results(3);
  int acks = 0;
  store.submit(good, [&](const fm::StoreStatus& s) { results[0] = s, ++acks; });
  store.submit(bad, [&](const fm::StoreStatus& s) { results[1] = s, ++acks; });
  store.submit(after, [&](const fm::StoreStatus& s) { results[2] = s, ++acks; });
  ASSERT_TRUE(q.run_until([&] { return acks == 3; }, 30s));
  EXPECT_TRUE(results[0].ok);
  EXPECT_FALSE(results[1].ok);
  EXPECT_NE(results[1].error.find("fm.db"), std::string::npos) << results[1].error;
  EXPECT_NE(results[1].error.find("UNIQUE constraint failed"), std::string::npos) << results[1].error;
  EXPECT_TRUE(results[2].ok);
  fm::StoredState expected;
  fm::apply(expected, good);
  fm::apply(expected, after);
  EXPECT_EQ(store.load(), expected);  // nothing of the bad batch, not even its event row
}

TEST(SqliteAlarmStore, EventRingSurvivesReopen) {
  TempDir dir;
  {
    CompletionQueue q;
    SqliteAlarmStore store(dir.file("fm.db"), {}, q.executor());
    for (std::uint64_t i = 0; i < 25; ++i) store.submit(stream_batch(i, 10), {});
  }
  CompletionQueue q;
  SqliteAlarmStore store(dir.file("fm.db"), {}, q.executor());
  EXPECT_EQ(store.load(), reference_after(25, 10));
  for (std::uint64_t i = 25; i < 30; ++i) store.submit(stream_batch(i, 10), {});
  EXPECT_EQ(store.load(), reference_after(30, 10));
}

TEST(SqliteAlarmStore, LoadFromACompletionOnTheWriterThreadIsRefusedNotDeadlocked) {
  TempDir dir;
  SqliteAlarmStore store(dir.file("fm.db"));  // no executor: completions run on the writer thread
  std::atomic<int> state{0};
  store.submit(stream_batch(0), [&](const fm::StoreStatus&) {
    try {
      store.load();
      state = 1;
    } catch (const std::logic_error& e) {
      state = std::string(e.what()).find("give the store an Executor") != std::string::npos ? 2 : 3;
    }
  });
  store.flush();
  for (int i = 0; i < 1000 && state == 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(state, 2);
}

TEST(SqliteAlarmStore, AFullDiskFailsCleanlyAndLosesNothingAcknowledged) {
  TempDir dir;
  SqliteOptions capped;
  capped.max_database_pages = 40;  // ~160 KiB: a disk that fills up
  std::uint64_t acked = 0;
  std::string error;
  {
    CompletionQueue q;
    SqliteAlarmStore store(dir.file("fm.db"), capped, q.executor());
    // Big events fill the file; one batch per commit so the failure point is exact.
    for (std::uint64_t i = 0; i < 2000 && error.empty(); ++i) {
      fm::WriteBatch b = stream_batch(i, 100000);
      std::get<fm::AppendEvent>(b.writes.back()).event.reason_text = std::string(2000, 'x');
      bool done = false;
      store.submit(std::move(b), [&](const fm::StoreStatus& s) {
        done = true;
        if (s.ok) {
          ++acked;
        } else {
          error = s.error;
        }
      });
      ASSERT_TRUE(q.run_until([&] { return done; }, 30s));
    }
    ASSERT_FALSE(error.empty()) << "the cap never filled";
    EXPECT_NE(error.find(dir.file("fm.db")), std::string::npos) << error;
    EXPECT_NE(error.find("full"), std::string::npos) << error;
    EXPECT_GT(acked, 10u);
  }
  // Reopen without the cap: exactly the acknowledged batches.
  SqliteAlarmStore store(dir.file("fm.db"));
  fm::StoredState expected;
  for (std::uint64_t i = 0; i < acked; ++i) {
    fm::WriteBatch b = stream_batch(i, 100000);
    std::get<fm::AppendEvent>(b.writes.back()).event.reason_text = std::string(2000, 'x');
    fm::apply(expected, b);
  }
  EXPECT_EQ(store.load(), expected);
}

TEST(SqliteAlarmStore, TheFaultManagerOnAFullDiskReportsAndServesTheDurableState) {
  TempDir dir;
  SqliteOptions capped;
  capped.max_database_pages = 40;
  std::vector<std::string> durable;  // uuids acknowledged durable
  std::optional<fm::Error> failure;
  {
    CompletionQueue q;
    SqliteAlarmStore store(dir.file("fm.db"), capped, q.executor());
    core::Rng rng(1);
    fm::FaultManager manager(fm::builtin_catalogue(), store, rng);
    manager.load();
    for (int i = 0; i < 5000 && !failure; ++i) {
      fm::Alarm a = fm::testing::make_alarm("200.006", "host=h" + std::to_string(i) + ".process=p", fm::Severity::Major);
      a.reason_text = std::string(1500, 'r');
      bool done = false;
      manager.set(a, fm::testing::at_second(i), {}, [&](const fm::Outcome<fm::SetResult>& o) {
        done = true;
        if (o.ok()) {
          durable.push_back(o->uuid);
        } else {
          failure = o.error();
        }
      });
      ASSERT_TRUE(q.run_until([&] { return done; }, 30s));
    }
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->code, fm::ErrorCode::StoreFailed);
    EXPECT_NE(failure->message.find("fm.db"), std::string::npos);
    EXPECT_EQ(manager.active_count(), durable.size());  // it went back to what is on disk
    EXPECT_EQ(manager.stats().resyncs, 1u);

    // Many operations in flight on the full disk: they fail together, and one reload per failed
    // commit at most (not one per operation) brings the manager back to the disk's state.
    const auto resyncs_before = manager.stats().resyncs;
    const auto failed_commits_before = store.stats().failed_commits;
    int acks = 0;
    for (int i = 0; i < 300; ++i) {
      fm::Alarm a = fm::testing::make_alarm("200.006", "host=late" + std::to_string(i) + ".process=p", fm::Severity::Major);
      a.reason_text = std::string(1500, 'r');
      manager.set(a, fm::testing::at_second(10000 + i), {}, [&](const fm::Outcome<fm::SetResult>& o) {
        ++acks;
        if (o.ok()) durable.push_back(o->uuid);
      });
    }
    ASSERT_TRUE(q.run_until([&] { return acks == 300; }, 30s));
    const auto failed_commits = store.stats().failed_commits - failed_commits_before;
    const auto resyncs = manager.stats().resyncs - resyncs_before;
    EXPECT_GE(resyncs, 1u);
    EXPECT_LE(resyncs, failed_commits);
    EXPECT_EQ(manager.active_count(), durable.size());
  }
  SqliteAlarmStore store(dir.file("fm.db"));
  core::Rng rng(2);
  fm::FaultManager reopened(fm::builtin_catalogue(), store, rng);
  reopened.load();
  EXPECT_EQ(reopened.active_count(), durable.size());
  for (const auto& u : durable) EXPECT_TRUE(reopened.find(u)) << u;
}

// A real I/O error: the child may not grow files past a limit (RLIMIT_FSIZE, SIGXFSZ ignored), so the
// kernel refuses SQLite's WAL write with EFBIG. The error names the file and the OS error, and a reopen
// holds exactly the batches acknowledged before it.
TEST(SqliteIoError, AWriteTheKernelRefusesFailsWithTheFileNamedAndLosesNothingAcknowledged) {
  TempDir dir;
  const std::string path = dir.file("fm.db");
  const auto big_batch = [](std::uint64_t i) {
    fm::WriteBatch b = stream_batch(i, 100000);
    std::get<fm::AppendEvent>(b.writes.back()).event.reason_text = std::string(3000, 'x');
    return b;
  };
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    signal(SIGXFSZ, SIG_IGN);
    try {
      SqliteAlarmStore store(path);
      rlimit limit{512 * 1024, 512 * 1024};
      if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(5);
      for (std::uint64_t i = 0; i < 100000; ++i) {
        std::atomic<int> result{0};
        std::string error;
        store.submit(big_batch(i), [&](const fm::StoreStatus& s) {
          error = s.error;
          result = s.ok ? 1 : 2;
        });
        store.flush();
        while (result == 0) std::this_thread::sleep_for(std::chrono::microseconds(20));
        if (result == 2) {
          const std::uint64_t failed = UINT64_MAX;
          if (write(fds[1], &failed, sizeof failed) != sizeof failed) _exit(4);
          if (write(fds[1], error.data(), error.size()) != static_cast<ssize_t>(error.size())) _exit(4);
          _exit(0);
        }
        if (write(fds[1], &i, sizeof i) != sizeof i) _exit(4);
      }
      _exit(6);  // the limit never bit
    } catch (const std::exception& e) {
      (void)!write(fds[1], e.what(), std::strlen(e.what()));
      _exit(2);
    }
  }
  close(fds[1]);
  std::string bytes;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) bytes.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status << ": " << bytes;
  std::uint64_t acked = 0;
  std::string error;
  for (std::size_t pos = 0; pos + 8 <= bytes.size(); pos += 8) {
    std::uint64_t v;
    std::memcpy(&v, bytes.data() + pos, 8);
    if (v == UINT64_MAX) {
      error = bytes.substr(pos + 8);
      break;
    }
    ASSERT_EQ(v, acked);
    ++acked;
  }
  ASSERT_FALSE(error.empty());
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_TRUE(error.find("disk I/O error") != std::string::npos || error.find("full") != std::string::npos) << error;
  EXPECT_GT(acked, 10u);

  SqliteAlarmStore store(path);
  fm::StoredState expected;
  for (std::uint64_t i = 0; i < acked; ++i) fm::apply(expected, big_batch(i));
  EXPECT_EQ(store.load(), expected);
}

// Reads 8-byte batch indexes from `fd` until EOF; returns them.
std::vector<std::uint64_t> read_acks(int fd, std::size_t stop_after, pid_t kill_pid) {
  std::vector<std::uint64_t> acks;
  std::uint64_t v;
  std::size_t have = 0;
  char* buf = reinterpret_cast<char*>(&v);
  for (;;) {
    const ssize_t n = read(fd, buf + have, sizeof v - have);
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
    if (have < sizeof v) continue;
    have = 0;
    acks.push_back(v);
    if (kill_pid > 0 && acks.size() == stop_after) kill(kill_pid, SIGKILL);
  }
  return acks;
}

// A child writes a stream of batches and reports each acknowledgement on a pipe; the parent kills it
// with SIGKILL mid-stream, reopens the file, and finds a prefix of the stream that holds every
// acknowledged batch: nothing acknowledged is lost, nothing is half-applied.
TEST(SqliteCrash, KillNineMidStreamKeepsExactlyAPrefixHoldingEveryAck) {
  TempDir dir;
  const std::string path = dir.file("fm.db");
  fm::StoredState prior;  // what earlier rounds left in the file
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      try {
        SqliteAlarmStore store(path);  // completions on the writer thread
        std::atomic<int> in_flight{0};
        for (std::uint64_t i = 0;; ++i) {
          while (in_flight.load() > 256) std::this_thread::sleep_for(std::chrono::microseconds(50));
          ++in_flight;
          store.submit(stream_batch(i + static_cast<std::uint64_t>(round) * 1'000'000), [&, i](const fm::StoreStatus& s) {
            if (!s.ok) _exit(3);
            const std::uint64_t v = i;
            if (write(fds[1], &v, sizeof v) != sizeof v) _exit(4);
            --in_flight;
          });
        }
      } catch (...) {
        _exit(2);
      }
    }
    close(fds[1]);
    const auto acks = read_acks(fds[0], 1500 + static_cast<std::size_t>(round) * 700, child);
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child ended on its own: " << status;
    ASSERT_GE(acks.size(), 1500u);
    for (std::size_t i = 0; i < acks.size(); ++i) ASSERT_EQ(acks[i], i);

    SqliteAlarmStore store(path);
    const fm::StoredState got = store.load();
    ASSERT_FALSE(got.events.empty());
    // Batch i of this round appended event (round * 1e6 + i + 1): the newest says how many landed.
    const std::uint64_t landed = got.events.back().id - static_cast<std::uint64_t>(round) * 1'000'000;
    EXPECT_GE(landed, acks.size()) << "an acknowledged batch was lost";
    fm::StoredState expected = prior;
    for (std::uint64_t i = 0; i < landed; ++i)
      fm::apply(expected, stream_batch(i + static_cast<std::uint64_t>(round) * 1'000'000));
    ASSERT_EQ(got, expected) << "round " << round << ": the file is not the prefix of " << landed << " batches";
    prior = got;
  }
}

}  // namespace
}  // namespace roost::sqlite
