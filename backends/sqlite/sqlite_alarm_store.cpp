#include "backends/sqlite/sqlite_alarm_store.h"

#include <algorithm>
#include <stdexcept>

#include "backends/sqlite/schema.h"
#include "backends/sqlite/sqlite_db.h"

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

}  // namespace

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
                        "write a suppression row") {}

  Statement begin, commit, rollback, savepoint, release, rollback_to;
  Statement put_alarm, remove_alarm, append_event, trim_events, put_suppression;
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

void SqliteAlarmStore::submit(fm::WriteBatch batch, fm::CommitCallback done) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Pending{std::move(batch), std::move(done)});
    ++submitted_;
  }
  work_cv_.notify_one();
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
      const std::size_t max = options_.max_batches_per_commit;
      const std::size_t n = max == 0 ? queue_.size() : std::min(max, queue_.size());
      group.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<fm::StoreStatus> results = commit_group(group);
    {
      std::lock_guard lock(mu_);
      bool any_failed = false;
      for (const auto& r : results) {
        (r.ok ? stats_.batches : stats_.failed_batches)++;
        any_failed |= !r.ok;
      }
      (any_failed && std::all_of(results.begin(), results.end(), [](const auto& r) { return !r.ok; })
           ? stats_.failed_commits
           : stats_.commits)++;
      stats_.largest_group = std::max(stats_.largest_group, group.size());
      finished_ += group.size();
    }
    idle_cv_.notify_all();
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (!group[i].done) continue;
      if (completions_) {
        // The batch travels with its completion, so its memory is freed on the executor's thread and
        // the writer goes straight back to the disk.
        completions_([pending = std::move(group[i]), status = std::move(results[i])] { pending.done(status); });
      } else {
        group[i].done(results[i]);
      }
    }
  }
}

std::vector<fm::StoreStatus> SqliteAlarmStore::commit_group(const std::vector<Pending>& group) {
  std::lock_guard db_lock(db_mu_);
  // Fast path: every batch straight into one transaction. Savepoints per batch cost two statements
  // each, so they are only paid when a batch fails on its own and must fail alone.
  Attempt attempt = run_transaction(group, false);
  if (attempt.retry_isolated) attempt = run_transaction(group, true);
  return std::move(attempt.results);
}

SqliteAlarmStore::Attempt SqliteAlarmStore::run_transaction(const std::vector<Pending>& group, bool isolate) {
  Attempt attempt;
  attempt.results.resize(group.size());
  const auto fail_all = [&](const std::string& why) {
    for (auto& r : attempt.results) r = fm::StoreStatus{false, why};
  };
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
      const std::int64_t rows_before = event_rows_;
      if (isolate) st_->savepoint.run();
      try {
        apply(group[i].batch);
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
        attempt.results[i] = fm::StoreStatus{false, e.what()};
      }
    }
    trim_events();
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
  fm::StoredState s;
  try {
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
  } catch (const SqliteError& e) {
    throw fm::StoreError(e.what());
  }
  return s;
}

}  // namespace roost::sqlite
