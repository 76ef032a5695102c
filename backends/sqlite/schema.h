// Schema versions and migrations. The database records its version in a one-row table
// `schema_version` (absent: version 0, an empty or pre-Roost file). Opening brings it up to the
// version this build knows, one migration at a time, each in its own transaction together with the
// version bump, so a crash mid-migration leaves the previous version intact. A database newer than
// the build is refused rather than guessed at.
#pragma once

#include <functional>
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

// The alarm store's schema: version 1 = tables alarm, event_log, event_suppression.
inline constexpr int kAlarmStoreSchemaVersion = 1;
const std::vector<Migration>& alarm_store_migrations();

}  // namespace roost::sqlite
