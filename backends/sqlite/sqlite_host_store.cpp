#include "backends/sqlite/sqlite_host_store.h"

#include "backends/sqlite/sqlite_db.h"
#include "platform/inv/host_record.h"

namespace roost::sqlite {

const std::vector<Migration>& host_store_migrations() {
  static const std::vector<Migration> kMigrations{
      {0, 1, "create the inv_system and host tables", [](Db& db) {
         // Column names follow sysinv's i_host where one exists. States are stored as their StarlingX
         // spellings so a person reading the file with the sqlite3 shell needs no decoder ring.
         db.exec(R"sql(
CREATE TABLE inv_system (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  uuid           TEXT NOT NULL,
  body           TEXT NOT NULL
);
CREATE TABLE host (
  id             INTEGER PRIMARY KEY,
  uuid           TEXT NOT NULL UNIQUE,
  hostname       TEXT NOT NULL,
  personality    TEXT NOT NULL,
  administrative TEXT NOT NULL,
  operational    TEXT NOT NULL,
  availability   TEXT NOT NULL,
  invprovision   TEXT NOT NULL,
  task           TEXT NOT NULL,
  mgmt_mac       TEXT NOT NULL,
  bm_ip          TEXT NOT NULL,
  bm_type        TEXT NOT NULL,
  created_at_us  INTEGER NOT NULL,
  updated_at_us  INTEGER NOT NULL,
  body           TEXT NOT NULL
);
)sql",
                 "create tables");
       }}};
  return kMigrations;
}

struct SqliteHostStore::Statements {
  explicit Statements(Db& db)
      : put_system(db,
                   "INSERT INTO inv_system (id, uuid, body) VALUES (1, ?1, ?2) "
                   "ON CONFLICT (id) DO UPDATE SET uuid = ?1, body = ?2",
                   "write the system"),
        // Keyed by uuid as the interface says; a host keeps its id for life.
        put_host(db,
                 "INSERT INTO host (id, uuid, hostname, personality, administrative, operational, availability, "
                 "invprovision, task, mgmt_mac, bm_ip, bm_type, created_at_us, updated_at_us, body) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
                 "ON CONFLICT (uuid) DO UPDATE SET id = ?1, hostname = ?3, personality = ?4, administrative = ?5, "
                 "operational = ?6, availability = ?7, invprovision = ?8, task = ?9, mgmt_mac = ?10, bm_ip = ?11, "
                 "bm_type = ?12, created_at_us = ?13, updated_at_us = ?14, body = ?15",
                 "write a host"),
        remove_host(db, "DELETE FROM host WHERE uuid = ?", "remove a host") {}

  Statement put_system, put_host, remove_host;
};

SqliteHostStore::SqliteHostStore(std::string path, HostStoreOptions options) : path_(std::move(path)) {
  try {
    // FULL synchronous (the default): an added host survives power loss.
    StoreDb opened = open_store_db(
        path_, {.busy_timeout = options.busy_timeout, .max_database_pages = options.max_database_pages},
        host_store_migrations(), kHostStoreSchemaVersion);
    db_ = std::move(opened.db);
    version_found_ = opened.version_found;
    st_ = std::make_unique<Statements>(*db_);
  } catch (const SqliteError& e) {
    st_.reset();
    db_.reset();
    throw inv::StoreError(e.what());
  }
}

SqliteHostStore::~SqliteHostStore() { st_.reset(); }

std::optional<inv::System> SqliteHostStore::load_system() {
  try {
    Statement q(*db_, "SELECT body FROM inv_system WHERE id = 1", "load the system");
    if (!q.step()) return std::nullopt;
    const std::string body = q.column_text(0);
    q.reset();
    try {
      return inv::system_from_record(nlohmann::json::parse(body));
    } catch (const std::exception& e) {
      throw inv::StoreError(path_ + ": load the system: corrupt row: " + e.what());
    }
  } catch (const SqliteError& e) {
    throw inv::StoreError(e.what());
  }
}

std::vector<inv::Host> SqliteHostStore::load_hosts() {
  std::vector<inv::Host> hosts;
  try {
    Statement q(*db_, "SELECT id, body FROM host ORDER BY id", "load hosts");
    while (q.step()) {
      const std::int64_t id = q.column_int(0);
      try {
        inv::Host h = inv::host_from_record(nlohmann::json::parse(q.column_text(1)));
        if (static_cast<std::int64_t>(h.id) != id) throw std::invalid_argument("id: the body says " + std::to_string(h.id));
        hosts.push_back(std::move(h));
      } catch (const std::exception& e) {
        q.reset();
        throw inv::StoreError(path_ + ": load hosts: corrupt row id " + std::to_string(id) + ": " + e.what());
      }
    }
  } catch (const SqliteError& e) {
    throw inv::StoreError(e.what());
  }
  return hosts;
}

void SqliteHostStore::put_system(const inv::System& s) {
  const std::string body = inv::system_record(s).dump();
  try {
    st_->put_system.bind(1, s.uuid).bind(2, body).run();
  } catch (const SqliteError& e) {
    throw inv::StoreError(e.what());
  }
}

void SqliteHostStore::put_host(const inv::Host& h) {
  // Bound text is not copied (sqlite_db.h): everything bound lives until run() returns.
  const std::string body = inv::host_record(h).dump();
  const std::string personality(inv::to_string(h.personality)), administrative(inv::to_string(h.administrative)),
      operational(inv::to_string(h.operational)), availability(inv::to_string(h.availability)),
      invprovision(inv::to_string(h.invprovision)), bm_type(inv::to_string(h.bm_type));
  try {
    st_->put_host.bind(1, static_cast<std::int64_t>(h.id))
        .bind(2, h.uuid)
        .bind(3, h.hostname)
        .bind(4, personality)
        .bind(5, administrative)
        .bind(6, operational)
        .bind(7, availability)
        .bind(8, invprovision)
        .bind(9, h.task)
        .bind(10, h.mgmt_mac)
        .bind(11, h.bm_ip)
        .bind(12, bm_type)
        .bind(13, h.created_at_us)
        .bind(14, h.updated_at_us)
        .bind(15, body)
        .run();
  } catch (const SqliteError& e) {
    st_->put_host.reset();
    throw inv::StoreError(e.what());
  }
}

void SqliteHostStore::remove_host(const std::string& uuid) {
  try {
    st_->remove_host.bind(1, uuid).run();
  } catch (const SqliteError& e) {
    st_->remove_host.reset();
    throw inv::StoreError(e.what());
  }
}

}  // namespace roost::sqlite
