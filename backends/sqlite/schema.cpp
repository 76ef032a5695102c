#include "backends/sqlite/schema.h"

#include <sqlite3.h>

namespace roost::sqlite {

int schema_version(Db& db) {
  if (!db.table_exists("schema_version")) return 0;
  return static_cast<int>(db.query_int("SELECT version FROM schema_version", "read the schema version"));
}

int migrate(Db& db, const std::vector<Migration>& migrations, int target) {
  const int found = schema_version(db);
  for (;;) {
    // Read the version inside the write transaction: another process may be migrating the same file.
    db.exec("BEGIN IMMEDIATE", "begin a schema migration");
    std::string step = "migrate schema";
    try {
      const int version = schema_version(db);
      if (version > target)
        throw SqliteError(db.path() + ": schema version " + std::to_string(version) +
                              " is newer than this build knows (" + std::to_string(target) + "); refusing to open it",
                          SQLITE_ERROR);
      if (version == target) {
        db.exec("COMMIT", step);
        return found;
      }
      const Migration* m = nullptr;
      for (const Migration& candidate : migrations)
        if (candidate.from == version && candidate.to > version && candidate.to <= target) m = &candidate;
      if (!m)
        throw SqliteError(db.path() + ": no migration leads from schema version " + std::to_string(version) +
                              " towards " + std::to_string(target),
                          SQLITE_ERROR);
      step = "migrate schema " + std::to_string(m->from) + " -> " + std::to_string(m->to) + " (" + m->description + ")";
      m->apply(db);
      db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL); DELETE FROM schema_version;", step);
      Statement bump(db, "INSERT INTO schema_version (version) VALUES (?)", step);
      bump.bind(1, std::int64_t{m->to}).run();
      db.exec("COMMIT", step);
    } catch (const SqliteError&) {
      if (!db.autocommit()) sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    } catch (const std::exception& e) {
      if (!db.autocommit()) sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw SqliteError(db.path() + ": " + step + ": " + e.what(), SQLITE_ERROR);
    }
  }
}

StoreDb open_store_db(const std::string& path, const StoreDbOptions& options, const std::vector<Migration>& migrations,
                      int target) {
  StoreDb out;
  out.db = std::make_unique<Db>(path);
  Db& db = *out.db;
  const std::string mode = [&] {
    Statement st(db, "PRAGMA journal_mode = WAL", "set the WAL journal mode");
    st.step();
    std::string m = st.column_text(0);
    st.reset();
    return m;
  }();
  if (mode != "wal")
    throw SqliteError(path + ": the file system refused the WAL journal mode (got '" + mode + "')", SQLITE_ERROR);
  db.exec(options.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", "set synchronous");
  sqlite3_busy_timeout(db.handle(), static_cast<int>(options.busy_timeout.count()));
  if (options.cache_kib)
    db.exec("PRAGMA cache_size = -" + std::to_string(*options.cache_kib), "set the page cache size");
  if (options.max_database_pages > 0)
    db.exec("PRAGMA max_page_count = " + std::to_string(options.max_database_pages), "cap the database size");
  out.version_found = migrate(db, migrations, target);
  return out;
}

const std::vector<Migration>& alarm_store_migrations() {
  static const std::vector<Migration> kMigrations{
      {0, 1, "create the alarm, event_log and event_suppression tables", [](Db& db) {
         // Column names follow StarlingX's fm database so operators' queries carry over; enums are
         // stored as their numbers (platform/fm/alarm.h), times as UTC microseconds and runtime nanoseconds.
         // Alarms are keyed by id (the rowid). uuid has no index: the manager resolves uuids in memory,
         // and a random-key index would dirty a page per write. UNIQUE (alarm_id, entity_instance_id)
         // guards the upsert key against a manager bug.
         db.exec(R"sql(
CREATE TABLE alarm (
  id                     INTEGER PRIMARY KEY,
  uuid                   TEXT NOT NULL,
  alarm_id               TEXT NOT NULL,
  alarm_state            INTEGER NOT NULL,
  entity_type_id         TEXT NOT NULL,
  entity_instance_id     TEXT NOT NULL,
  severity               INTEGER NOT NULL,
  reason_text            TEXT NOT NULL,
  proposed_repair_action TEXT NOT NULL,
  alarm_type             INTEGER NOT NULL,
  probable_cause         TEXT NOT NULL,
  service_affecting      INTEGER NOT NULL,
  suppression            INTEGER NOT NULL,
  inhibit_alarms         INTEGER NOT NULL,
  timestamp_us           INTEGER NOT NULL,
  time_ns                INTEGER NOT NULL,
  UNIQUE (alarm_id, entity_instance_id)
);
CREATE TABLE event_log (
  id                     INTEGER PRIMARY KEY,
  uuid                   TEXT NOT NULL,
  event_log_id           TEXT NOT NULL,
  state                  INTEGER NOT NULL,
  entity_type_id         TEXT NOT NULL,
  entity_instance_id     TEXT NOT NULL,
  severity               INTEGER NOT NULL,
  reason_text            TEXT NOT NULL,
  proposed_repair_action TEXT NOT NULL,
  event_log_type         INTEGER NOT NULL,
  probable_cause         TEXT NOT NULL,
  service_affecting      INTEGER NOT NULL,
  suppression            INTEGER NOT NULL,
  alarm_uuid             TEXT NOT NULL,
  timestamp_us           INTEGER NOT NULL,
  time_ns                INTEGER NOT NULL
);
CREATE TABLE event_suppression (
  alarm_id               TEXT PRIMARY KEY,
  uuid                   TEXT NOT NULL UNIQUE,
  suppressed             INTEGER NOT NULL
);
)sql",
                 "create tables");
       }},
      {1, 2, "add the replica_position table", [](Db& db) {
         // One row, always present: the replication log position (term, seq) of the last change this
         // store committed or applied. It is written in the transaction of the changes it names, and
         // is not itself replicated (each store records its own). A file from before replication
         // starts at (0, 0): it holds no replicated change.
         db.exec(R"sql(
CREATE TABLE replica_position (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  term INTEGER NOT NULL,
  seq  INTEGER NOT NULL
);
INSERT INTO replica_position (id, term, seq) VALUES (1, 0, 0);
)sql",
                 "create the replica_position table");
       }}};
  return kMigrations;
}

}  // namespace roost::sqlite
