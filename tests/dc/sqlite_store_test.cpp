// SqliteSubcloudStore (dc.db): what it writes comes back after a reopen; the dc-manager over it keeps what
// was accepted through a full disk and refuses the rest with an error naming the file; a corrupt row or an
// unwritable place is a StoreError naming the file and the row.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/sqlite/sqlite_db.h"
#include "backends/sqlite/sqlite_subcloud_store.h"
#include "tests/dc/dc_test_support.h"
#include "tests/support/temp_dir.h"

namespace roost::sqlite {
namespace {

using dc::StoreError;
using roost::testing::TempDir;

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

dc::Subcloud subcloud(std::uint64_t id, const std::string& name) {
  dc::Subcloud s;
  s.id = id;
  s.name = name;
  s.region_name = name;
  s.software_version = "25.09";
  s.management_subnet = "10.7." + std::to_string(id) + ".0/24";
  s.management_gateway_ip = "10.7." + std::to_string(id) + ".1";
  s.management_start_ip = "10.7." + std::to_string(id) + ".2";
  s.management_end_ip = "10.7." + std::to_string(id) + ".254";
  s.agent = name + ".controller-0";
  s.created_at_us = 1767225600000000;
  return s;
}

TEST(SqliteSubcloudStore, WhatIsWrittenComesBackAfterReopen) {
  TempDir dir;
  const std::string path = dir.file("dc.db");
  {
    SqliteSubcloudStore store(path);
    EXPECT_TRUE(store.load_groups().empty());  // never written: the manager seeds it
    dc::SubcloudGroup g;
    g.id = 2;
    g.name = "edge";
    g.description = "far \"away\"";
    g.update_apply_type = dc::ApplyType::Serial;
    g.max_parallel_subclouds = 9;
    store.put_group(g);
    auto a = subcloud(1, "sc1");
    a.group_id = 2;
    a.management_state = dc::ManagementState::Unmanaged;
    a.deploy_status = dc::DeployStatus::BootstrapFailed;
    a.error_description = "bootstrap failed: timeout";
    a.availability = dc::Availability::Online;  // audited state: not kept
    store.put_subcloud(a);
    store.put_subcloud(subcloud(2, "sc2"));
    store.put_subcloud(subcloud(3, "sc3"));
    store.remove_subcloud(2);
    store.remove_subcloud(99);  // unknown: no-op
    a.description = "replaced";
    store.put_subcloud(a);
  }
  SqliteSubcloudStore store(path);
  const auto groups = store.load_groups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].name, "edge");
  EXPECT_EQ(groups[0].description, "far \"away\"");
  EXPECT_EQ(groups[0].update_apply_type, dc::ApplyType::Serial);
  EXPECT_EQ(groups[0].max_parallel_subclouds, 9u);
  const auto subclouds = store.load_subclouds();
  ASSERT_EQ(subclouds.size(), 2u);
  EXPECT_EQ(subclouds[0].name, "sc1");
  EXPECT_EQ(subclouds[0].description, "replaced");
  EXPECT_EQ(subclouds[0].group_id, 2u);
  EXPECT_EQ(subclouds[0].management_state, dc::ManagementState::Unmanaged);
  EXPECT_EQ(subclouds[0].deploy_status, dc::DeployStatus::BootstrapFailed);
  EXPECT_EQ(subclouds[0].error_description, "bootstrap failed: timeout");
  EXPECT_EQ(subclouds[0].availability, dc::Availability::Offline);
  EXPECT_EQ(subclouds[0].management_end_ip, "10.7.1.254");
  EXPECT_EQ(subclouds[1].name, "sc3");
  // The columns are a view of the body, for a person with the sqlite3 shell.
  Db db(path);
  Statement q(db, "SELECT name, management_state, deploy_status, group_id FROM subcloud WHERE id = 1", "read");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.column_text(0), "sc1");
  EXPECT_EQ(q.column_text(1), "unmanaged");
  EXPECT_EQ(q.column_text(2), "bootstrap-failed");
  EXPECT_EQ(q.column_int(3), 2);
  q.reset();
}

TEST(SqliteSubcloudStore, AFullDiskRefusesTheChangeNamingTheFileAndLosesNothingAccepted) {
  TempDir dir;
  const std::string path = dir.file("dc.db");
  SubcloudStoreOptions capped;
  capped.max_database_pages = 30;  // ~120 KiB: a disk that fills up
  auto store = std::make_shared<SqliteSubcloudStore>(path, capped);
  roost::testing::ManagerRig rig(0, {}, {}, store);
  std::vector<std::string> accepted;
  std::string failure;
  for (int i = 1; i < 2000 && failure.empty(); ++i) {
    dc::SubcloudInput in;
    in.name = "subcloud-" + std::to_string(i);
    in.management_subnet = "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24";
    in.description = std::string(200, 'd');
    auto r = rig.manager->add_subcloud(in);
    if (!r) {
      EXPECT_EQ(r.error().http_status, 500);
      failure = r.error().message;
      EXPECT_EQ(rig.manager->registry().find(in.name), nullptr);
      break;
    }
    accepted.push_back(in.name);
  }
  ASSERT_FALSE(failure.empty()) << "the cap never bit";
  EXPECT_TRUE(contains(failure, path + ": write a subcloud")) << failure;
  EXPECT_TRUE(contains(failure, "full")) << failure;
  EXPECT_TRUE(contains(failure, "nothing was changed")) << failure;
  EXPECT_GT(accepted.size(), 10u);

  // A manager started on the file afterwards holds exactly what was accepted.
  roost::testing::ManagerRig again(0, {}, {}, std::make_shared<SqliteSubcloudStore>(path));
  std::vector<std::string> names;
  for (const dc::Subcloud* s : again.manager->registry().subclouds()) names.push_back(s->name);
  EXPECT_EQ(names, accepted);
}

TEST(SqliteSubcloudStore, ACorruptRowIsAnErrorNamingTheFileAndTheRow) {
  TempDir dir;
  const std::string path = dir.file("dc.db");
  {
    SqliteSubcloudStore store(path);
    store.put_subcloud(subcloud(1, "sc1"));
    store.put_subcloud(subcloud(2, "sc2"));
  }
  {
    Db db(path);
    db.exec("UPDATE subcloud SET body = '{\"id\": 2, \"name\": \"sc2\"}' WHERE id = 2", "break a row");
  }
  SqliteSubcloudStore store(path);
  const std::string e = error_of([&] { store.load_subclouds(); });
  EXPECT_EQ(e, path + ": load subclouds: corrupt row id 2: description: missing");
  // A manager on it refuses to start, saying so.
  try {
    roost::testing::ManagerRig rig(0, {}, {}, std::make_shared<SqliteSubcloudStore>(path));
    ADD_FAILURE() << "started on a corrupt store";
  } catch (const std::runtime_error& err) {
    EXPECT_TRUE(contains(err.what(), "dc-manager: the subcloud store: " + path + ": load subclouds: corrupt row id 2"))
        << err.what();
  }
}

TEST(SqliteSubcloudStore, AnUnwritablePlaceIsAnErrorNamingTheFile) {
  const std::string in_proc = "/proc/roost-dc-test/dc.db";
  const std::string e = error_of([&] { SqliteSubcloudStore store(in_proc); });
  EXPECT_TRUE(contains(e, in_proc + ": open")) << e;
}

}  // namespace
}  // namespace roost::sqlite
