// The dc-manager's durable store on SQLite: the real implementation of dc::SubcloudStore, at
// <data-dir>/<node>/dc.db.
//
// Two tables, subcloud_group and subcloud. A row keeps what operators query as columns (name, the
// management state and deploy status, the group) and the whole record as a JSON body
// (platform/dc/subcloud_store.h); the body is what the loads read back, the columns are a view of it
// written in the same statement.
//
// Durability: WAL journal, synchronous=FULL; every call is its own transaction, so it returns once the
// change is on disk. Subclouds change at an operator's pace (an add, a manage, a deploy phase): no batching.
// Not thread-safe: the node that owns it calls it from its one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/sqlite/schema.h"
#include "platform/dc/subcloud_store.h"

namespace roost::sqlite {

class Db;

struct SubcloudStoreOptions {
  // 0: no cap. Else the file may not grow past this many pages (PRAGMA max_page_count): a disk quota;
  // writes past it fail with "database or disk is full", as on a full disk.
  std::int64_t max_database_pages = 0;
  std::chrono::milliseconds busy_timeout{5000};
};

inline constexpr int kSubcloudStoreSchemaVersion = 1;
const std::vector<Migration>& subcloud_store_migrations();

class SqliteSubcloudStore final : public dc::SubcloudStore {
 public:
  // Opens or creates the database at `path` and migrates it to the current schema.
  // Throws dc::StoreError naming the file and the cause.
  explicit SqliteSubcloudStore(std::string path, SubcloudStoreOptions options = {});
  ~SqliteSubcloudStore() override;

  // Each throws dc::StoreError "<file>: <operation>: <cause>"; a failed write leaves the file as it was.
  std::vector<dc::SubcloudGroup> load_groups() override;
  std::vector<dc::Subcloud> load_subclouds() override;
  void put_group(const dc::SubcloudGroup& g) override;
  void remove_group(std::uint64_t id) override;
  void put_subcloud(const dc::Subcloud& s) override;
  void remove_subcloud(std::uint64_t id) override;

  const std::string& path() const { return path_; }

 private:
  struct Statements;
  template <class Record>
  std::vector<Record> load(const char* sql, const char* what, Record (*from_record)(const nlohmann::json&));

  std::string path_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<Statements> st_;
};

}  // namespace roost::sqlite
