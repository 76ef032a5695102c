// SqliteHostStore: what it writes comes back after a reopen; the schema is versioned and migrated; a
// full disk, a real I/O error, an unwritable place or a corrupt row is a StoreError naming the file,
// and loses nothing written before it.
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/sqlite/schema.h"
#include "backends/sqlite/sqlite_db.h"
#include "backends/sqlite/sqlite_host_store.h"
#include "platform/inv/host_record.h"
#include "tests/inv/inv_test_support.h"
#include "tests/support/temp_dir.h"

namespace roost::sqlite {
namespace {

using inv::Host;
using inv::StoreError;

using roost::testing::TempDir;

Host make_host(std::uint64_t id, std::string name) {
  Host h;
  h.id = id;
  h.uuid = "uuid-" + std::to_string(id);
  h.hostname = std::move(name);
  h.subfunctions = {"worker"};
  const char* hex = "0123456789abcdef";
  h.mgmt_mac = std::string("08:00:27:00:00:") + hex[id / 16 % 16] + hex[id % 16];
  h.bm_type = inv::BmType::Ipmi;
  h.bm_ip = "10.0.0." + std::to_string(id);
  h.bm_username = "admin";
  h.bm_password = "pw-" + std::to_string(id);
  h.location = {{"locality", "rack " + std::to_string(id)}};
  h.created_at_us = 1'767'225'600'000'000 + static_cast<std::int64_t>(id);
  h.updated_at_us = h.created_at_us + 5;
  return h;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

TEST(SqliteHostStore, WhatIsWrittenComesBackAfterReopen) {
  TempDir dir;
  const std::string path = dir.file("inventory.db");
  inv::System sys;
  sys.uuid = "sys-1";
  sys.name = "edge";
  sys.distributed_cloud_role = "subcloud";
  sys.created_at_us = 42;
  Host w0 = make_host(1, "worker-0");
  w0.inventory = inv::testing::sample_machine("worker-0", 16);
  w0.invprovision = inv::InvProvision::Inventoried;
  Host w1 = make_host(2, "worker-1");
  Host c0 = make_host(3, "controller-0");
  c0.personality = inv::Personality::Controller;
  {
    SqliteHostStore store(path);
    EXPECT_FALSE(store.load_system());
    EXPECT_TRUE(store.load_hosts().empty());
    store.put_system(sys);
    store.put_host(c0);  // out of id order on purpose
    store.put_host(w1);
    store.put_host(w0);
    w1.availability = inv::AvailState::Available;  // replace by uuid
    w1.task = "Enabling";
    store.put_host(w1);
    store.remove_host("uuid-3");
    store.remove_host("no-such-uuid");  // harmless
  }
  SqliteHostStore again(path);
  const auto loaded_sys = again.load_system();
  ASSERT_TRUE(loaded_sys);
  EXPECT_TRUE(inv::same_system(*loaded_sys, sys));
  const auto hosts = again.load_hosts();
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_TRUE(inv::same_host(hosts[0], w0));
  EXPECT_TRUE(inv::same_host(hosts[1], w1));
  EXPECT_EQ(hosts[0].bm_password, "pw-1");
  EXPECT_EQ(hosts[0].inventory, w0.inventory);

  // The columns agree with the body, for people and tools reading the file.
  Db db(path);
  Statement q(db, "SELECT hostname, availability, task, bm_type FROM host WHERE id = 2", "read");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.column_text(0), "worker-1");
  EXPECT_EQ(q.column_text(1), "available");
  EXPECT_EQ(q.column_text(2), "Enabling");
  EXPECT_EQ(q.column_text(3), "ipmi");
  q.reset();
}

TEST(SqliteHostStore, AnInventoryReloadsFromItAcrossRestarts) {
  TempDir dir;
  const std::string path = dir.file("inventory.db");
  inv::testing::Fixture f;
  {
    inv::Inventory a(f.deps(std::make_shared<SqliteHostStore>(path)));
    a.load(inv::System{});
    ASSERT_TRUE(a.add(inv::testing::input("controller-0", inv::Personality::Controller)));
    ASSERT_TRUE(a.add(inv::testing::input("worker-0")));
    a.set_states("worker-0", inv::AdminState::Unlocked, inv::OperState::Enabled, inv::AvailState::Degraded, "");
    ASSERT_TRUE(a.update_fields("controller-0", {{"console", "ttyS1"}}));
  }
  inv::Inventory b(f.deps(std::make_shared<SqliteHostStore>(path)));
  b.load(inv::System{});
  ASSERT_EQ(b.hosts().size(), 2u);
  EXPECT_EQ(b.find("worker-0")->availability, inv::AvailState::Degraded);
  EXPECT_EQ(b.find("controller-0")->console, "ttyS1");
  EXPECT_EQ(b.system().uuid, "uuid-1");
}

TEST(SqliteHostStore, SchemaIsVersionedAndMigrated) {
  TempDir dir;
  const std::string path = dir.file("inventory.db");
  {
    SqliteHostStore store(path);
    EXPECT_EQ(store.schema_version_found(), 0);
  }
  {
    SqliteHostStore store(path);
    EXPECT_EQ(store.schema_version_found(), kHostStoreSchemaVersion);
  }
  Db db(path);
  EXPECT_EQ(schema_version(db), kHostStoreSchemaVersion);
  EXPECT_TRUE(db.table_exists("host"));
  EXPECT_TRUE(db.table_exists("inv_system"));
  Statement mode(db, "PRAGMA journal_mode", "read the journal mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "wal");
  mode.reset();

  // The migrations, run by hand on an empty file, reach the same version.
  Db scratch(dir.file("scratch.db"));
  EXPECT_EQ(migrate(scratch, host_store_migrations(), kHostStoreSchemaVersion), 0);
  EXPECT_EQ(schema_version(scratch), kHostStoreSchemaVersion);
}

TEST(SqliteHostStore, RefusesAFileFromTheFuture) {
  TempDir dir;
  const std::string path = dir.file("inventory.db");
  {
    Db db(path);
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (7);", "seed");
  }
  const std::string e = error_of([&] { SqliteHostStore store(path); });
  EXPECT_TRUE(contains(e, path + ": schema version 7 is newer than this build knows (1)")) << e;
}

TEST(SqliteHostStore, AnUnwritablePlaceIsAnErrorNamingTheFile) {
  TempDir dir;
  // Even root cannot create files in /proc, or under a regular file.
  const std::string in_proc = "/proc/roost-inv-test/inventory.db";
  std::string e = error_of([&] { SqliteHostStore store(in_proc); });
  EXPECT_TRUE(contains(e, in_proc + ": open")) << e;
  {
    Db plain(dir.file("not-a-dir"));
  }
  const std::string under_file = dir.file("not-a-dir") + "/inventory.db";
  e = error_of([&] { SqliteHostStore store(under_file); });
  EXPECT_TRUE(contains(e, under_file)) << e;
  EXPECT_TRUE(contains(e, "SQLITE_CANTOPEN")) << e;
}

TEST(SqliteHostStore, AFullDiskFailsTheWriteNamingTheFileAndLosesNothingEarlier) {
  TempDir dir;
  const std::string path = dir.file("inventory.db");
  HostStoreOptions capped;
  capped.max_database_pages = 30;  // ~120 KiB: a disk that fills up
  inv::testing::Fixture f;
  auto store = std::make_shared<SqliteHostStore>(path, capped);
  inv::Inventory inv(f.deps(store));
  inv.load(inv::System{});
  std::vector<std::string> accepted;
  std::string failure;
  for (int i = 0; i < 1000 && failure.empty(); ++i) {
    const std::string name = "worker-" + std::to_string(i);
    auto r = inv.add(inv::testing::input(name));
    if (!r) {
      EXPECT_EQ(r.error().http_status, 500);
      failure = r.error().message;
      EXPECT_EQ(inv.find(name), nullptr);
      break;
    }
    accepted.push_back(name);
    // A big machine inventory per host fills the pages quickly.
    inv.set_machine_inventory(name, inv::testing::sample_machine(name, 64));
  }
  ASSERT_FALSE(failure.empty()) << "the cap never bit";
  EXPECT_TRUE(contains(failure, path)) << failure;
  EXPECT_TRUE(contains(failure, "write a host")) << failure;
  EXPECT_TRUE(contains(failure, "full")) << failure;
  EXPECT_GT(accepted.size(), 3u);

  // A direct write says the same.
  const std::string direct = error_of([&] { store->put_host(make_host(999, "big")); });
  EXPECT_TRUE(contains(direct, path + ": write a host: database or disk is full")) << direct;

  SqliteHostStore reopened(path);
  const auto hosts = reopened.load_hosts();
  std::vector<std::string> names;
  for (const Host& h : hosts) names.push_back(h.hostname);
  // Every accepted host is there (the last one's inventory may have failed: that write is logged, not lost in memory).
  EXPECT_EQ(names, accepted);
}

// A real I/O error: the child may not grow files past a limit (RLIMIT_FSIZE, SIGXFSZ ignored), so the
// kernel refuses SQLite's write with EFBIG. The error names the file; a reopen holds every host written
// before it.
TEST(SqliteHostStore, AWriteTheKernelRefusesIsAStoreErrorNamingTheFile) {
  TempDir dir;
  const std::string path = dir.file("inventory.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    signal(SIGXFSZ, SIG_IGN);
    std::string report;
    int code = 0;
    try {
      SqliteHostStore store(path);
      rlimit limit{256 * 1024, 256 * 1024};
      if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(5);
      std::uint64_t written = 0;
      for (std::uint64_t i = 1; i < 100000; ++i) {
        Host h = make_host(i, "worker-" + std::to_string(i));
        h.inventory = inv::testing::sample_machine(h.hostname, 64);
        try {
          store.put_host(h);
          written = i;
        } catch (const StoreError& e) {
          report = std::to_string(written) + "\n" + e.what();
          break;
        }
      }
      if (report.empty()) code = 6;  // the limit never bit
    } catch (const std::exception& e) {
      report = std::string("unexpected: ") + e.what();
      code = 2;
    }
    (void)!write(fds[1], report.data(), report.size());
    _exit(code);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status << ": " << out;
  const auto newline = out.find('\n');
  ASSERT_NE(newline, std::string::npos) << out;
  const std::uint64_t written = std::stoull(out.substr(0, newline));
  const std::string error = out.substr(newline + 1);
  EXPECT_TRUE(contains(error, path + ": write a host")) << error;
  EXPECT_TRUE(contains(error, "disk I/O error") || contains(error, "full")) << error;
  EXPECT_GT(written, 3u);
  SqliteHostStore reopened(path);
  EXPECT_EQ(reopened.load_hosts().size(), written);
}

TEST(SqliteHostStore, ACorruptRowIsAnErrorNamingTheFileAndTheRow) {
  TempDir dir;
  const std::string path = dir.file("inventory.db");
  {
    SqliteHostStore store(path);
    store.put_host(make_host(1, "worker-0"));
    store.put_host(make_host(2, "worker-1"));
  }
  {
    Db db(path);
    db.exec("UPDATE host SET body = json_set(body, '$.availability', 'sideways') WHERE id = 2", "corrupt");
  }
  SqliteHostStore store(path);
  const std::string e = error_of([&] { store.load_hosts(); });
  EXPECT_EQ(e, path + ": load hosts: corrupt row id 2: availability: 'sideways' is not a known value");
}

}  // namespace
}  // namespace roost::sqlite
