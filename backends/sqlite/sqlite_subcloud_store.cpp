#include "backends/sqlite/sqlite_subcloud_store.h"

#include "backends/sqlite/sqlite_db.h"

namespace roost::sqlite {

const std::vector<Migration>& subcloud_store_migrations() {
  static const std::vector<Migration> kMigrations{
      {0, 1, "create the subcloud_group and subcloud tables", [](Db& db) {
         // Names follow dcmanager's tables; states are stored as their StarlingX spellings.
         db.exec(R"sql(
CREATE TABLE subcloud_group (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  body              TEXT NOT NULL
);
CREATE TABLE subcloud (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  management_state  TEXT NOT NULL,
  deploy_status     TEXT NOT NULL,
  group_id          INTEGER NOT NULL,
  body              TEXT NOT NULL
);
)sql",
                 "create tables");
       }}};
  return kMigrations;
}

struct SqliteSubcloudStore::Statements {
  explicit Statements(Db& db)
      : put_group(db,
                  "INSERT INTO subcloud_group (id, name, body) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (id) DO UPDATE SET name = ?2, body = ?3",
                  "write a subcloud group"),
        remove_group(db, "DELETE FROM subcloud_group WHERE id = ?", "remove a subcloud group"),
        put_subcloud(db,
                     "INSERT INTO subcloud (id, name, management_state, deploy_status, group_id, body) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                     "ON CONFLICT (id) DO UPDATE SET name = ?2, management_state = ?3, deploy_status = ?4, "
                     "group_id = ?5, body = ?6",
                     "write a subcloud"),
        remove_subcloud(db, "DELETE FROM subcloud WHERE id = ?", "remove a subcloud") {}

  Statement put_group, remove_group, put_subcloud, remove_subcloud;
};

SqliteSubcloudStore::SqliteSubcloudStore(std::string path, SubcloudStoreOptions options) : path_(std::move(path)) {
  try {
    StoreDb opened = open_store_db(
        path_, {.busy_timeout = options.busy_timeout, .max_database_pages = options.max_database_pages},
        subcloud_store_migrations(), kSubcloudStoreSchemaVersion);
    db_ = std::move(opened.db);
    st_ = std::make_unique<Statements>(*db_);
  } catch (const SqliteError& e) {
    st_.reset();
    db_.reset();
    throw dc::StoreError(e.what());
  }
}

SqliteSubcloudStore::~SqliteSubcloudStore() { st_.reset(); }

template <class Record>
std::vector<Record> SqliteSubcloudStore::load(const char* sql, const char* what,
                                              Record (*from_record)(const nlohmann::json&)) {
  std::vector<Record> out;
  try {
    Statement q(*db_, sql, what);
    while (q.step()) {
      const std::int64_t id = q.column_int(0);
      try {
        Record r = from_record(nlohmann::json::parse(q.column_text(1)));
        if (static_cast<std::int64_t>(r.id) != id) throw std::invalid_argument("id: the body says " + std::to_string(r.id));
        out.push_back(std::move(r));
      } catch (const std::exception& e) {
        q.reset();
        throw dc::StoreError(path_ + ": " + what + ": corrupt row id " + std::to_string(id) + ": " + e.what());
      }
    }
  } catch (const SqliteError& e) {
    throw dc::StoreError(e.what());
  }
  return out;
}

std::vector<dc::SubcloudGroup> SqliteSubcloudStore::load_groups() {
  return load<dc::SubcloudGroup>("SELECT id, body FROM subcloud_group ORDER BY id", "load subcloud groups",
                                 &dc::group_from_record);
}

std::vector<dc::Subcloud> SqliteSubcloudStore::load_subclouds() {
  return load<dc::Subcloud>("SELECT id, body FROM subcloud ORDER BY id", "load subclouds", &dc::subcloud_from_record);
}

void SqliteSubcloudStore::put_group(const dc::SubcloudGroup& g) {
  // Bound text is not copied (sqlite_db.h): everything bound lives until run() returns.
  const std::string body = dc::group_record(g).dump();
  try {
    st_->put_group.bind(1, static_cast<std::int64_t>(g.id)).bind(2, g.name).bind(3, body).run();
  } catch (const SqliteError& e) {
    st_->put_group.reset();
    throw dc::StoreError(e.what());
  }
}

void SqliteSubcloudStore::remove_group(std::uint64_t id) {
  try {
    st_->remove_group.bind(1, static_cast<std::int64_t>(id)).run();
  } catch (const SqliteError& e) {
    st_->remove_group.reset();
    throw dc::StoreError(e.what());
  }
}

void SqliteSubcloudStore::put_subcloud(const dc::Subcloud& s) {
  const std::string body = dc::subcloud_record(s).dump();
  const std::string management(dc::to_string(s.management_state)), deploy(dc::to_string(s.deploy_status));
  try {
    st_->put_subcloud.bind(1, static_cast<std::int64_t>(s.id))
        .bind(2, s.name)
        .bind(3, management)
        .bind(4, deploy)
        .bind(5, static_cast<std::int64_t>(s.group_id))
        .bind(6, body)
        .run();
  } catch (const SqliteError& e) {
    st_->put_subcloud.reset();
    throw dc::StoreError(e.what());
  }
}

void SqliteSubcloudStore::remove_subcloud(std::uint64_t id) {
  try {
    st_->remove_subcloud.bind(1, static_cast<std::int64_t>(id)).run();
  } catch (const SqliteError& e) {
    st_->remove_subcloud.reset();
    throw dc::StoreError(e.what());
  }
}

}  // namespace roost::sqlite
