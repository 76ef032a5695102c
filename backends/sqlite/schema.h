// Schema versions and migrations. The database records its version in a one-row table
// `schema_version` (absent: version 0, an empty or pre-Roost file). Opening brings it up to the
// version this build knows, one migration at a time, each in its own transaction together with the
// version bump, so a crash mid-migration leaves the previous version intact. A database newer than
// the build is refused rather than guessed at.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/sqlite/sqlite_db.h"

namespace roost::sqlite {

struct Migration {
  int from = 0;
  int to = 0;
  std::string description;
  std::function<void(Db&)> apply;  // runs inside the migration's transaction
};

// The version recorded in `db` (0 if it has no schema_version table).
int schema_version(Db& db);

// Applies `migrations` until `db` is at `target`; returns the version it found. Throws SqliteError when
// the database is newer than `target`, when no migration leads on from a version, or when a
// migration fails (that migration is rolled back; earlier ones stay).
int migrate(Db& db, const std::vector<Migration>& migrations, int target);

// How a store opens its file (the settings every store shares; each store's options fill them).
struct StoreDbOptions {
  // FULL: a write is acknowledged only once the WAL is fsynced (survives power loss); NORMAL: survives
  // a process crash but may lose the last commits on power loss.
  bool synchronous_full = true;
  std::chrono::milliseconds busy_timeout{5000};
  std::optional<std::int64_t> cache_kib;  // PRAGMA cache_size; unset: SQLite's default
  std::int64_t max_database_pages = 0;    // PRAGMA max_page_count; 0: no cap
};

struct StoreDb {
  std::unique_ptr<Db> db;
  int version_found = 0;  // the file's schema version when opened (0: new)
};

// Opens (creating if absent) a store's database at `path`: WAL journal (refused when the file system
// cannot keep one), the options' pragmas, then `migrations` up to `target`. Throws SqliteError.
StoreDb open_store_db(const std::string& path, const StoreDbOptions& options, const std::vector<Migration>& migrations,
                      int target);

// The alarm store's schema: version 1 = tables alarm, event_log, event_suppression; version 2 adds
// replica_position, the one-row table of the store's replication log position (core/replica.h).
inline constexpr int kAlarmStoreSchemaVersion = 2;
const std::vector<Migration>& alarm_store_migrations();

}  // namespace roost::sqlite
