// The inventory's durable store on SQLite: the real implementation of inv::HostStore, at
// <data-dir>/<node>/inventory.db.
//
// One table per record kind. A host row keeps the fields operators and tools query as columns
// (hostname, personality, the three states, mgmt_mac, ...) and the whole host as a JSON body
// (platform/inv/host_record.h: every field, the BMC password and the machine inventory included);
// the body is what load_hosts() reads back, the columns are a view of it written in the same statement.
//
// Durability: WAL journal, synchronous=FULL; every call is its own transaction, so it returns once the
// change is on disk. Hosts change rarely (an operator's edit, a state change), so there is no batching.
// Not thread-safe: the node that owns it calls it from its one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/sqlite/schema.h"
#include "platform/inv/host_store.h"

namespace roost::sqlite {

class Db;
class Statement;

struct HostStoreOptions {
  // 0: no cap. Else the file may not grow past this many pages (PRAGMA max_page_count): a disk quota;
  // writes past it fail with "database or disk is full", as on a full disk.
  std::int64_t max_database_pages = 0;
  std::chrono::milliseconds busy_timeout{5000};
};

// Version 1: tables inv_system (one row) and host.
inline constexpr int kHostStoreSchemaVersion = 1;
const std::vector<Migration>& host_store_migrations();

class SqliteHostStore final : public inv::HostStore {
 public:
  // Opens or creates the database at `path` and migrates it to the current schema.
  // Throws inv::StoreError naming the file and the cause.
  explicit SqliteHostStore(std::string path, HostStoreOptions options = {});
  ~SqliteHostStore() override;

  // Each throws inv::StoreError "<file>: <operation>: <cause>"; a failed write leaves the file as it was.
  std::optional<inv::System> load_system() override;
  std::vector<inv::Host> load_hosts() override;
  void put_system(const inv::System& s) override;
  void put_host(const inv::Host& h) override;
  void remove_host(const std::string& uuid) override;

  const std::string& path() const { return path_; }
  int schema_version_found() const { return version_found_; }  // the file's version when opened (0: new)

 private:
  struct Statements;

  std::string path_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<Statements> st_;
  int version_found_ = 0;
};

}  // namespace roost::sqlite
