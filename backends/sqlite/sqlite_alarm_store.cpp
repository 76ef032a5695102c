// The session extension's API is only declared with these defined (Debian's libsqlite3 is built with
// both); they must come before the first include of sqlite3.h.
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>

#include "backends/sqlite/sqlite_alarm_store.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "backends/sqlite/schema.h"
#include "backends/sqlite/sqlite_db.h"
#include "platform/core/codec.h"
#include "platform/fm/store_codec.h"

namespace roost::sqlite {

namespace {

constexpr const char* kAlarmColumns =
    "id, uuid, alarm_id, alarm_state, entity_type_id, entity_instance_id, severity, reason_text, "
    "proposed_repair_action, alarm_type, probable_cause, service_affecting, suppression, inhibit_alarms, "
    "timestamp_us, time_ns";
constexpr const char* kEventColumns =
    "id, uuid, event_log_id, state, entity_type_id, entity_instance_id, severity, reason_text, "
    "proposed_repair_action, event_log_type, probable_cause, service_affecting, suppression, alarm_uuid, "
    "timestamp_us, time_ns";

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::int64_t ns(core::TimePoint t) { return t.time_since_epoch().count(); }

// The tables a changeset carries. Not replica_position (each store writes its own, in the transaction
// of the change) and not schema_version.
constexpr const char* kReplicatedTables[] = {"alarm", "event_log", "event_suppression"};

bool is_replicated_table(const char* name) {
  for (const char* t : kReplicatedTables)
    if (std::strcmp(t, name) == 0) return true;
  return false;
}

// An SQLite session over the replicated tables, for the span of one batch.
class Session {
 public:
  explicit Session(Db& db) : db_(db) {
    const int rc = sqlite3session_create(db.handle(), "main", &session_);
    if (rc != SQLITE_OK) fail(rc, "create a session");
    for (const char* table : kReplicatedTables) {
      const int arc = sqlite3session_attach(session_, table);
      if (arc != SQLITE_OK) fail(arc, std::string("attach table ") + table + " to the session");
    }
  }
  ~Session() {
    if (session_) sqlite3session_delete(session_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // What changed since the session started, as a session changeset ("" when nothing did).
  std::string changeset() {
    int n = 0;
    void* data = nullptr;
    const int rc = sqlite3session_changeset(session_, &n, &data);
    if (rc != SQLITE_OK) fail(rc, "extract the changeset");
    std::string out(static_cast<const char*>(data), static_cast<std::size_t>(n));
    sqlite3_free(data);
    return out;
  }

 private:
  [[noreturn]] void fail(int rc, const std::string& step) {
    if (session_) sqlite3session_delete(session_);
    session_ = nullptr;
    throw SqliteError(db_.path() + ": " + step + ": " + sqlite3_errstr(rc), rc);
  }
  Db& db_;
  sqlite3_session* session_ = nullptr;
};

// A sealed changeset's payload: the schema version it was recorded against, then the session changeset.
// The version matters because sqlite3changeset_apply silently skips a table whose shape differs. The
// seal (fm/store_codec.h) matters because SQLite's changeset parser is no judge of damaged input: a
// changeset cut at a record boundary is a valid shorter one, and some malformed input makes
// sqlite3changeset_apply loop forever (seen with 3.40.1), so only bytes sealed by a store reach it.
std::string changeset_payload(const std::string& session_changeset) {
  std::string out;
  core::BinaryWriter w(out);
  w.varint(static_cast<std::uint64_t>(kAlarmStoreSchemaVersion));
  out.append(session_changeset);
  return out;
}

std::string describe_row(sqlite3_changeset_iter* it) {
  const char* table = nullptr;
  int columns = 0, op = 0, indirect = 0;
  if (sqlite3changeset_op(it, &table, &columns, &op, &indirect) != SQLITE_OK) return "a row";
  std::string out = std::string(op == SQLITE_INSERT ? "insert into " : op == SQLITE_DELETE ? "delete from " : "update of ") +
                    (table ? table : "?");
  unsigned char* pk = nullptr;
  if (sqlite3changeset_pk(it, &pk, &columns) == SQLITE_OK && pk) {
    for (int i = 0; i < columns; ++i) {
      if (!pk[i]) continue;
      sqlite3_value* v = nullptr;
      const int rc = op == SQLITE_INSERT ? sqlite3changeset_new(it, i, &v) : sqlite3changeset_old(it, i, &v);
      if (rc == SQLITE_OK && v) {
        const auto* text = sqlite3_value_text(v);
        out += " key '" + std::string(text ? reinterpret_cast<const char*>(text) : "") + "'";
      }
      break;
    }
  }
  return out;
}

}  // namespace

// What the conflict handler decided while applying one changeset.
struct SqliteAlarmStore::ApplyContext {
  std::uint64_t replaced = 0;
  std::uint64_t omitted = 0;
  std::string refused;  // why the apply was aborted (first reason)

  static int filter(void* ctx, const char* table) {
    auto* self = static_cast<ApplyContext*>(ctx);
    if (is_replicated_table(table)) return 1;
    // A table this store does not replicate: skipping it silently would lose changes.
    if (self->refused.empty()) self->refused = std::string("the changeset writes table '") + table + "', which is not replicated";
    return 0;
  }

  static int conflict(void* ctx, int kind, sqlite3_changeset_iter* it) {
    auto* self = static_cast<ApplyContext*>(ctx);
    const char* table = nullptr;
    int columns = 0, op = 0, indirect = 0;
    sqlite3changeset_op(it, &table, &columns, &op, &indirect);
    switch (kind) {
      case SQLITE_CHANGESET_DATA:      // the row is there with other values than the active changed from
      case SQLITE_CHANGESET_CONFLICT:  // an insert whose key is already there
        // The active's change wins: the replica is a copy of the active, and the change says what the
        // active's row is now.
        ++self->replaced;
        return SQLITE_CHANGESET_REPLACE;
      case SQLITE_CHANGESET_NOTFOUND:
        if (op == SQLITE_DELETE) {
          // Already gone here: the outcome is what the active has.
          ++self->omitted;
          return SQLITE_CHANGESET_OMIT;
        }
        // An update carries only the changed columns: the missing row cannot be rebuilt from it.
        if (self->refused.empty()) self->refused = describe_row(it) + ": the row is missing here (the replica diverged)";
        return SQLITE_CHANGESET_ABORT;
      default:  // SQLITE_CHANGESET_CONSTRAINT (a UNIQUE key held by another row), SQLITE_CHANGESET_FOREIGN_KEY
        if (self->refused.empty()) self->refused = describe_row(it) + ": violates a constraint here (the replica diverged)";
        return SQLITE_CHANGESET_ABORT;
    }
  }
};

struct SqliteAlarmStore::Statements {
  explicit Statements(Db& db)
      : begin(db, "BEGIN IMMEDIATE", "begin"),
        commit(db, "COMMIT", "commit"),
        rollback(db, "ROLLBACK", "rollback"),
        savepoint(db, "SAVEPOINT batch", "savepoint"),
        release(db, "RELEASE batch", "release savepoint"),
        rollback_to(db, "ROLLBACK TO batch", "roll back to savepoint"),
        put_alarm(db,
                  std::string("INSERT INTO alarm (") + kAlarmColumns +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
                      "ON CONFLICT (id) DO UPDATE SET uuid = ?2, alarm_id = ?3, alarm_state = ?4, "
                      "entity_type_id = ?5, entity_instance_id = ?6, severity = ?7, reason_text = ?8, "
                      "proposed_repair_action = ?9, alarm_type = ?10, probable_cause = ?11, service_affecting = ?12, "
                      "suppression = ?13, inhibit_alarms = ?14, timestamp_us = ?15, time_ns = ?16",
                  "write an alarm"),
        remove_alarm(db, "DELETE FROM alarm WHERE id = ?", "remove an alarm"),
        append_event(db,
                     std::string("INSERT INTO event_log (") + kEventColumns +
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                     "append an event"),
        trim_events(db, "DELETE FROM event_log WHERE id IN (SELECT id FROM event_log ORDER BY id LIMIT ?)",
                    "trim the event log"),
        put_suppression(db,
                        "INSERT INTO event_suppression (alarm_id, uuid, suppressed) VALUES (?1, ?2, ?3) "
                        "ON CONFLICT (alarm_id) DO UPDATE SET uuid = ?2, suppressed = ?3",
                        "write a suppression row"),
        set_position(db, "UPDATE replica_position SET term = ?1, seq = ?2 WHERE id = 1", "record the replica position") {}

  Statement begin, commit, rollback, savepoint, release, rollback_to;
  Statement put_alarm, remove_alarm, append_event, trim_events, put_suppression;
  Statement set_position;
};

SqliteAlarmStore::SqliteAlarmStore(std::string path, SqliteOptions options, Executor completions)
    : path_(std::move(path)), options_(options), completions_(std::move(completions)) {
  try {
    // A page cache big enough for a fleet's alarms and the event ring, so commits rarely read pages back.
    StoreDb opened = open_store_db(path_,
                                   {.synchronous_full = options_.synchronous == SqliteOptions::Sync::Full,
                                    .busy_timeout = options_.busy_timeout,
                                    .cache_kib = options_.cache_kib,
                                    .max_database_pages = options_.max_database_pages},
                                   alarm_store_migrations(), kAlarmStoreSchemaVersion);
    db_ = std::move(opened.db);
    version_found_ = opened.version_found;
    st_ = std::make_unique<Statements>(*db_);
    event_rows_ = count_events();
    position_ = read_position();
  } catch (const SqliteError& e) {
    st_.reset();
    db_.reset();
    throw fm::StoreError(e.what());
  }
  writer_ = std::thread([this] { writer_loop(); });
}

SqliteAlarmStore::~SqliteAlarmStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  writer_.join();
  st_.reset();
}

std::int64_t SqliteAlarmStore::count_events() {
  return db_->query_int("SELECT count(*) FROM event_log", "count the event log");
}

core::LogPosition SqliteAlarmStore::read_position() {
  Statement q(*db_, "SELECT term, seq FROM replica_position WHERE id = 1", "read the replica position");
  if (!q.step()) throw SqliteError(path_ + ": read the replica position: the replica_position row is missing", SQLITE_CORRUPT);
  core::LogPosition p{static_cast<std::uint64_t>(q.column_int(0)), static_cast<std::uint64_t>(q.column_int(1))};
  q.reset();
  return p;
}

void SqliteAlarmStore::write_position(core::LogPosition at) {
  st_->set_position.bind(1, i64(at.term)).bind(2, i64(at.seq)).run();
}

void SqliteAlarmStore::set_position(core::LogPosition at) {
  std::lock_guard lock(mu_);
  position_ = at;
}

void SqliteAlarmStore::enqueue(Pending pending) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(pending));
    ++submitted_;
  }
  work_cv_.notify_one();
}

void SqliteAlarmStore::submit(fm::WriteBatch batch, fm::CommitCallback done) {
  Pending p;
  p.op = Pending::Op::Batch;
  p.batch = std::move(batch);
  p.done = std::move(done);
  enqueue(std::move(p));
}

void SqliteAlarmStore::submit_at(core::LogPosition at, fm::WriteBatch batch, CapturedCallback done) {
  Pending p;
  p.op = Pending::Op::BatchAt;
  p.at = at;
  p.batch = std::move(batch);
  p.captured = std::move(done);
  enqueue(std::move(p));
}

void SqliteAlarmStore::apply_changeset(core::LogPosition at, std::string changeset, ReplicaCallback done) {
  Pending p;
  p.op = Pending::Op::ApplyChangeset;
  p.at = at;
  p.bytes = std::move(changeset);
  p.replica_done = std::move(done);
  enqueue(std::move(p));
}

void SqliteAlarmStore::install_snapshot(Snapshot snapshot, ReplicaCallback done) {
  Pending p;
  p.op = Pending::Op::InstallSnapshot;
  p.at = snapshot.position;
  p.bytes = std::move(snapshot.bytes);
  p.replica_done = std::move(done);
  enqueue(std::move(p));
}

core::LogPosition SqliteAlarmStore::position() {
  flush();
  return committed_position();
}

core::LogPosition SqliteAlarmStore::committed_position() const {
  std::lock_guard lock(mu_);
  return position_;
}

void SqliteAlarmStore::flush() {
  if (std::this_thread::get_id() == writer_.get_id())
    throw std::logic_error(path_ + ": flush() or load() called from a store completion running on the writer thread "
                                   "(give the store an Executor)");
  std::unique_lock lock(mu_);
  const std::uint64_t target = submitted_;
  idle_cv_.wait(lock, [&] { return finished_ >= target; });
}

SqliteAlarmStore::Stats SqliteAlarmStore::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void SqliteAlarmStore::writer_loop() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      if (queue_.front().is_batch()) {
        // A run of batches shares one commit; a replication op (apply, install) is a transaction alone.
        const std::size_t max = options_.max_batches_per_commit;
        const std::size_t limit = max == 0 ? queue_.size() : std::min(max, queue_.size());
        while (group.size() < limit && queue_.front().is_batch()) {
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      } else {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const bool batches = group.front().is_batch();
    std::vector<Result> results;
    if (batches) {
      results = commit_group(group);
    } else {
      std::lock_guard db_lock(db_mu_);
      results.push_back(group.front().op == Pending::Op::ApplyChangeset ? apply_changeset_now(group.front())
                                                                         : install_snapshot_now(group.front()));
    }
    {
      std::lock_guard lock(mu_);
      if (batches) {
        bool any_failed = false;
        for (const auto& r : results) {
          (r.status.ok ? stats_.batches : stats_.failed_batches)++;
          any_failed |= !r.status.ok;
        }
        (any_failed && std::all_of(results.begin(), results.end(), [](const auto& r) { return !r.status.ok; })
             ? stats_.failed_commits
             : stats_.commits)++;
        stats_.largest_group = std::max(stats_.largest_group, group.size());
      } else if (!results.front().status.ok) {
        ++stats_.failed_replica_ops;
      } else {
        (group.front().op == Pending::Op::ApplyChangeset ? stats_.changesets_applied : stats_.snapshots_installed)++;
      }
      finished_ += group.size();
    }
    idle_cv_.notify_all();
    for (std::size_t i = 0; i < group.size(); ++i) complete(std::move(group[i]), std::move(results[i]));
  }
}

void SqliteAlarmStore::complete(Pending&& pending, Result&& result) {
  if (!pending.done && !pending.captured && !pending.replica_done) return;
  auto run = [pending = std::move(pending), result = std::move(result)]() mutable {
    switch (pending.op) {
      case Pending::Op::Batch:
        pending.done(result.status);
        break;
      case Pending::Op::BatchAt:
        pending.captured(result.status, std::move(result.changeset));
        break;
      case Pending::Op::ApplyChangeset:
      case Pending::Op::InstallSnapshot:
        pending.replica_done(core::ReplicaStatus{result.status.ok, std::move(result.status.error)});
        break;
    }
  };
  // The batch travels with its completion, so its memory is freed on the executor's thread and the
  // writer goes straight back to the disk.
  if (completions_) {
    completions_(std::move(run));
  } else {
    run();
  }
}

std::vector<SqliteAlarmStore::Result> SqliteAlarmStore::commit_group(const std::vector<Pending>& group) {
  std::lock_guard db_lock(db_mu_);
  if (recount_events_) {
    try {
      event_rows_ = count_events();
      recount_events_ = false;
    } catch (const SqliteError& e) {
      return std::vector<Result>(group.size(), Result{fm::StoreStatus{false, e.what()}, {}});
    }
  }
  // Fast path: every batch straight into one transaction. Savepoints per batch cost two statements
  // each, so they are only paid when a batch fails on its own and must fail alone.
  Attempt attempt = run_transaction(group, false);
  if (attempt.retry_isolated) attempt = run_transaction(group, true);
  if (attempt.position_written) set_position(attempt.position);
  return std::move(attempt.results);
}

SqliteAlarmStore::Attempt SqliteAlarmStore::run_transaction(const std::vector<Pending>& group, bool isolate) {
  Attempt attempt;
  attempt.results.resize(group.size());
  const auto fail_all = [&](const std::string& why) {
    for (auto& r : attempt.results) r = Result{fm::StoreStatus{false, why}, {}};
    attempt.position_written = false;
  };
  // The position as of each batch: submit_at batches must climb above it, one after the other.
  core::LogPosition running = position_;
  const std::int64_t rows_at_start = event_rows_;
  const std::size_t capacity_at_start = capacity_;
  try {
    st_->begin.run();
  } catch (const SqliteError& e) {
    fail_all(e.what());
    return attempt;
  }
  try {
    for (std::size_t i = 0; i < group.size(); ++i) {
      const Pending& pending = group[i];
      const bool captured = pending.op == Pending::Op::BatchAt;
      if (captured && pending.at <= running) {
        // Refused before any write, so there is nothing to roll back.
        attempt.results[i].status = fm::StoreStatus{
            false, path_ + ": submit_at " + fm::to_string(pending.at) + ": not above the store's position " +
                       fm::to_string(running) + " (nothing written)"};
        continue;
      }
      const std::int64_t rows_before = event_rows_;
      if (isolate) st_->savepoint.run();
      try {
        if (captured) {
          attempt.results[i].changeset = fm::seal(fm::kSqliteChangesetTag, changeset_payload(capture_batch(pending.batch)));
          running = pending.at;
        } else {
          apply(pending.batch);
        }
        if (isolate) st_->release.run();
      } catch (const SqliteError& e) {
        // SQLite rolls the whole transaction back itself on some errors (a full disk, I/O): then
        // every batch of the group is lost, not just this one.
        if (db_->autocommit()) throw;
        if (!isolate) {
          st_->rollback.run();
          event_rows_ = rows_at_start;
          capacity_ = capacity_at_start;
          attempt.retry_isolated = true;
          return attempt;
        }
        st_->rollback_to.run();
        st_->release.run();
        event_rows_ = rows_before;
        attempt.results[i] = Result{fm::StoreStatus{false, e.what()}, {}};
      }
    }
    trim_events();
    if (running != position_) {
      write_position(running);
      attempt.position_written = true;
      attempt.position = running;
    }
    st_->commit.run();
  } catch (const SqliteError& e) {
    if (!db_->autocommit()) {
      try {
        st_->rollback.run();
      } catch (const SqliteError&) {
        // Nothing more can be done here; the next BEGIN reports a lasting problem.
      }
    }
    event_rows_ = rows_at_start;
    capacity_ = capacity_at_start;
    fail_all(std::string(e.what()) + " [nothing of this commit was kept]");
  }
  return attempt;
}

void SqliteAlarmStore::apply(const fm::WriteBatch& batch) {
  if (batch.event_log_capacity > 0) capacity_ = batch.event_log_capacity;
  for (const fm::Write& w : batch.writes) {
    if (const auto* p = std::get_if<fm::PutAlarm>(&w)) {
      const fm::Alarm& a = p->alarm;
      st_->put_alarm.bind(1, i64(a.id))
          .bind(2, a.uuid)
          .bind(3, a.alarm_id)
          .bind(4, std::int64_t{static_cast<std::uint8_t>(a.state)})
          .bind(5, a.entity_type_id)
          .bind(6, a.entity_instance_id)
          .bind(7, std::int64_t{static_cast<std::uint8_t>(a.severity)})
          .bind(8, a.reason_text)
          .bind(9, a.proposed_repair_action)
          .bind(10, std::int64_t{static_cast<std::uint8_t>(a.alarm_type)})
          .bind(11, a.probable_cause)
          .bind(12, a.service_affecting)
          .bind(13, a.suppression)
          .bind(14, a.inhibit_alarms)
          .bind(15, a.timestamp_us)
          .bind(16, ns(a.time))
          .run();
    } else if (const auto* r = std::get_if<fm::RemoveAlarm>(&w)) {
      st_->remove_alarm.bind(1, i64(r->id)).run();
    } else if (const auto* e = std::get_if<fm::AppendEvent>(&w)) {
      const fm::EventRecord& ev = e->event;
      st_->append_event.bind(1, i64(ev.id))
          .bind(2, ev.uuid)
          .bind(3, ev.event_log_id)
          .bind(4, std::int64_t{static_cast<std::uint8_t>(ev.state)})
          .bind(5, ev.entity_type_id)
          .bind(6, ev.entity_instance_id)
          .bind(7, std::int64_t{static_cast<std::uint8_t>(ev.severity)})
          .bind(8, ev.reason_text)
          .bind(9, ev.proposed_repair_action)
          .bind(10, std::int64_t{static_cast<std::uint8_t>(ev.event_log_type)})
          .bind(11, ev.probable_cause)
          .bind(12, ev.service_affecting)
          .bind(13, ev.suppression)
          .bind(14, ev.alarm_uuid)
          .bind(15, ev.timestamp_us)
          .bind(16, ns(ev.time))
          .run();
      ++event_rows_;
    } else if (const auto* s = std::get_if<fm::PutSuppression>(&w)) {
      st_->put_suppression.bind(1, s->row.alarm_id).bind(2, s->row.uuid).bind(3, s->row.suppressed).run();
    }
  }
}

std::string SqliteAlarmStore::capture_batch(const fm::WriteBatch& batch) {
  Session session(*db_);
  apply(batch);
  // The trim this batch causes belongs to its changeset: a replica does not trim by itself.
  trim_events();
  return session.changeset();
}

SqliteAlarmStore::Result SqliteAlarmStore::apply_changeset_now(const Pending& pending) {
  const std::string what = path_ + ": apply changeset " + fm::to_string(pending.at);
  const auto failed = [](std::string why) { return Result{fm::StoreStatus{false, std::move(why)}, {}}; };
  if (pending.at <= position_)
    return failed(what + ": not above the store's position " + fm::to_string(position_) + " (nothing applied)");
  const fm::Unsealed sealed = fm::unseal(fm::kSqliteChangesetTag, pending.bytes, what);
  if (!sealed.error.empty()) return failed(sealed.error);
  core::BinaryReader header(sealed.payload);
  std::uint64_t version = 0;
  if (!header.varint(version)) return failed(what + ": schema version: " + header.error());
  if (version != static_cast<std::uint64_t>(kAlarmStoreSchemaVersion))
    return failed(what + ": recorded against schema version " + std::to_string(version) + ", this store is at " +
                  std::to_string(kAlarmStoreSchemaVersion));
  std::string head;
  core::BinaryWriter(head).varint(version);
  std::string session_changeset(sealed.payload.substr(head.size()));

  ApplyContext ctx;
  try {
    st_->begin.run();
  } catch (const SqliteError& e) {
    return failed(e.what());
  }
  try {
    if (!session_changeset.empty()) {
      const int rc = sqlite3changeset_apply(db_->handle(), static_cast<int>(session_changeset.size()),
                                            session_changeset.data(), &ApplyContext::filter, &ApplyContext::conflict, &ctx);
      if (rc != SQLITE_OK || !ctx.refused.empty()) {
        std::string why = what + ": " + (ctx.refused.empty() ? std::string(sqlite3_errstr(rc)) : ctx.refused) +
                          " (sqlite code " + std::to_string(rc) + "; nothing applied)";
        if (!db_->autocommit()) st_->rollback.run();
        return failed(std::move(why));
      }
    }
    write_position(pending.at);
    st_->commit.run();
  } catch (const SqliteError& e) {
    if (!db_->autocommit()) {
      try {
        st_->rollback.run();
      } catch (const SqliteError&) {
        // The next BEGIN reports a lasting problem.
      }
    }
    return failed(what + ": " + e.what() + " (nothing applied)");
  }
  // The changeset added and removed event rows by amounts the store did not count itself.
  if (!session_changeset.empty()) recount_events_ = true;
  set_position(pending.at);
  std::lock_guard lock(mu_);
  stats_.conflicts_replaced += ctx.replaced;
  stats_.missing_deletes_omitted += ctx.omitted;
  return Result{};
}

SqliteAlarmStore::Result SqliteAlarmStore::install_snapshot_now(const Pending& pending) {
  const std::string what = path_ + ": install snapshot " + fm::to_string(pending.at);
  const auto failed = [](std::string why) { return Result{fm::StoreStatus{false, std::move(why)}, {}}; };
  core::LogPosition encoded_at;
  fm::StoredState state;
  if (auto error = fm::decode_state(pending.bytes, encoded_at, state, what)) return failed(std::move(*error));
  if (encoded_at != pending.at) return failed(what + ": the snapshot's bytes were taken at " + fm::to_string(encoded_at));
  // The rows go in through the batch path: the same statements, the same constraints.
  fm::WriteBatch rows;
  rows.writes.reserve(state.alarms.size() + state.events.size() + state.suppressions.size());
  for (fm::Alarm& a : state.alarms) rows.writes.emplace_back(fm::PutAlarm{std::move(a)});
  for (fm::EventRecord& e : state.events) rows.writes.emplace_back(fm::AppendEvent{std::move(e)});
  for (fm::SuppressionRow& r : state.suppressions) rows.writes.emplace_back(fm::PutSuppression{std::move(r)});
  const std::int64_t rows_before = event_rows_;
  try {
    st_->begin.run();
  } catch (const SqliteError& e) {
    return failed(e.what());
  }
  try {
    db_->exec("DELETE FROM alarm; DELETE FROM event_log; DELETE FROM event_suppression;", "install snapshot: clear the tables");
    event_rows_ = 0;
    apply(rows);
    write_position(pending.at);
    st_->commit.run();
  } catch (const SqliteError& e) {
    if (!db_->autocommit()) {
      try {
        st_->rollback.run();
      } catch (const SqliteError&) {
        // The next BEGIN reports a lasting problem.
      }
    }
    event_rows_ = rows_before;
    return failed(what + ": " + e.what() + " (nothing installed)");
  }
  recount_events_ = false;
  set_position(pending.at);
  return Result{};
}

// Once per transaction rather than per append: the ring keeps the newest rows by id, so trimming
// the surplus at the end leaves exactly what trimming after every append would.
void SqliteAlarmStore::trim_events() {
  if (capacity_ == 0 || event_rows_ <= static_cast<std::int64_t>(capacity_)) return;
  st_->trim_events.bind(1, event_rows_ - static_cast<std::int64_t>(capacity_)).run();
  event_rows_ = static_cast<std::int64_t>(capacity_);
}

fm::StoredState SqliteAlarmStore::load() {
  flush();
  std::lock_guard db_lock(db_mu_);
  try {
    return read_state();
  } catch (const SqliteError& e) {
    throw fm::StoreError(e.what());
  }
}

core::ReplicaStore::Snapshot SqliteAlarmStore::snapshot() {
  flush();
  std::lock_guard db_lock(db_mu_);
  try {
    // One read transaction: the position and the rows are of the same commit.
    db_->exec("BEGIN", "snapshot: begin a read transaction");
    try {
      const core::LogPosition at = read_position();
      fm::StoredState state = read_state();
      db_->exec("COMMIT", "snapshot: end the read transaction");
      return Snapshot{at, fm::encode_state(at, state)};
    } catch (...) {
      if (!db_->autocommit()) sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  } catch (const SqliteError& e) {
    throw fm::StoreError(std::string(e.what()) + " (taking a snapshot)");
  }
}

// The caller holds db_mu_. Throws SqliteError.
fm::StoredState SqliteAlarmStore::read_state() {
  fm::StoredState s;
  {
    {
      Statement q(*db_, std::string("SELECT ") + kAlarmColumns + " FROM alarm ORDER BY id", "load alarms");
      while (q.step()) {
        fm::Alarm a;
        a.id = static_cast<std::uint64_t>(q.column_int(0));
        a.uuid = q.column_text(1);
        a.alarm_id = q.column_text(2);
        a.state = static_cast<fm::AlarmState>(q.column_int(3));
        a.entity_type_id = q.column_text(4);
        a.entity_instance_id = q.column_text(5);
        a.severity = static_cast<fm::Severity>(q.column_int(6));
        a.reason_text = q.column_text(7);
        a.proposed_repair_action = q.column_text(8);
        a.alarm_type = static_cast<fm::AlarmType>(q.column_int(9));
        a.probable_cause = q.column_text(10);
        a.service_affecting = q.column_int(11) != 0;
        a.suppression = q.column_int(12) != 0;
        a.inhibit_alarms = q.column_int(13) != 0;
        a.timestamp_us = q.column_int(14);
        a.time = core::TimePoint(core::Duration(q.column_int(15)));
        s.alarms.push_back(std::move(a));
      }
    }
    {
      Statement q(*db_, std::string("SELECT ") + kEventColumns + " FROM event_log ORDER BY id", "load the event log");
      while (q.step()) {
        fm::EventRecord e;
        e.id = static_cast<std::uint64_t>(q.column_int(0));
        e.uuid = q.column_text(1);
        e.event_log_id = q.column_text(2);
        e.state = static_cast<fm::AlarmState>(q.column_int(3));
        e.entity_type_id = q.column_text(4);
        e.entity_instance_id = q.column_text(5);
        e.severity = static_cast<fm::Severity>(q.column_int(6));
        e.reason_text = q.column_text(7);
        e.proposed_repair_action = q.column_text(8);
        e.event_log_type = static_cast<fm::AlarmType>(q.column_int(9));
        e.probable_cause = q.column_text(10);
        e.service_affecting = q.column_int(11) != 0;
        e.suppression = q.column_int(12) != 0;
        e.alarm_uuid = q.column_text(13);
        e.timestamp_us = q.column_int(14);
        e.time = core::TimePoint(core::Duration(q.column_int(15)));
        s.events.push_back(std::move(e));
      }
    }
    {
      Statement q(*db_, "SELECT alarm_id, uuid, suppressed FROM event_suppression ORDER BY alarm_id",
                  "load the suppression rows");
      while (q.step()) s.suppressions.push_back(fm::SuppressionRow{q.column_text(0), q.column_text(1), q.column_int(2) != 0});
    }
  }
  return s;
}

}  // namespace roost::sqlite
