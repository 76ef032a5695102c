// `roost subcloud ...` and `roost subcloud-group ...` (the real CLI binary, run as a child process) against a
// real dc-manager: a system controller roostd and two subcloud agents in a second roostd on loopback
// (tests/dc/real_fleet_lab.h), audited every 500 ms. Tables and JSON, adding/moving/managing/deleting
// subclouds, groups, the server's refusals (exit 1, its reason on stderr), usage errors (exit 2), and an
// unreachable dc-manager (exit 3, naming the URL).
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <thread>

#include "tests/dc/real_fleet_lab.h"
#include "tests/support/cli_run.h"

namespace roost::testing {
namespace {

using namespace dc_lab;
using namespace std::chrono;

using roost::testing::CliRun;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class DcCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    FleetOptions o;
    o.subclouds = 2;
    o.audit_interval_ms = 500;
    o.audit_timeout_ms = 400;
    lab_ = new RealLab(fleet_nodes(o));
    lab_->start();
    url_ = "http://" + lab_->address(kController, core::Network::Oam) + ":" + std::to_string(kDcRestPort);
  }
  static void TearDownTestSuite() {
    delete lab_;  // stops both roostd processes by PID
    lab_ = nullptr;
  }

  // Runs `[env] roost <args>`; --url is added unless `with_url` is false.
  CliRun roost(const std::string& args, bool with_url = true, const std::string& env = "") {
    const std::string err_file = (lab_->dir() / "cli.err").string();
    return roost::testing::run_cli(env + " " + ROOST_CLI_PATH + " " + args + (with_url ? " --url " + url_ : "") +
                                       " </dev/null",
                                   err_file);
  }
  nlohmann::json roost_json(const std::string& args) {
    const auto r = roost(args + " --format json");
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.describe();
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << args << ": not JSON: " << r.out;
    return j;
  }
  // Waits (through the CLI) until both configured subclouds are online.
  void wait_online() {
    const auto end = steady_clock::now() + seconds(10);
    while (steady_clock::now() < end) {
      const auto list = roost_json("subcloud list");
      std::size_t online = 0;
      for (const auto& s : list) online += s.value("availability-status", "") == "online";
      if (online >= 2) return;
      std::this_thread::sleep_for(milliseconds(200));
    }
    FAIL() << "the two subclouds did not come online: " << roost("subcloud list").out;
  }

  static RealLab* lab_;
  static std::string url_;
};

RealLab* DcCli::lab_ = nullptr;
std::string DcCli::url_;

TEST_F(DcCli, ListAndShowPrintTablesAndJson) {
  wait_online();
  const auto table = roost("subcloud list");
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_TRUE(contains(table.out, "ID  NAME           MANAGEMENT  AVAILABILITY  DEPLOY STATUS  SYNC")) << table.out;
  EXPECT_TRUE(contains(table.out, "subcloud-0001  managed     online        complete")) << table.out;
  EXPECT_TRUE(contains(table.out, "subcloud-0002  managed     online        complete")) << table.out;

  const auto show = roost("subcloud show subcloud-0002");
  ASSERT_EQ(show.exit_code, 0) << show.describe();
  EXPECT_TRUE(contains(show.out, "management-subnet")) << show.out;
  EXPECT_TRUE(contains(show.out, "10.0.2.0/24")) << show.out;
  EXPECT_FALSE(contains(show.out, "endpoint sync status")) << "only with --detail";

  const auto detail = roost("subcloud show subcloud-0001 --detail");
  ASSERT_EQ(detail.exit_code, 0) << detail.describe();
  EXPECT_TRUE(contains(detail.out, "endpoint sync status\nENDPOINT")) << detail.out;
  EXPECT_TRUE(contains(detail.out, "kube-rootca")) << detail.out;
  EXPECT_TRUE(contains(detail.out, "alarm summary\n")) << detail.out;
  EXPECT_TRUE(contains(detail.out, "cloud_status")) << detail.out;

  const auto j = roost_json("subcloud show 1 --detail");  // by id, too
  EXPECT_EQ(j.value("name", ""), "subcloud-0001");
  EXPECT_EQ(j.value("endpoint_sync_status", nlohmann::json::array()).size(), 7u) << j.dump();
  EXPECT_TRUE(j.contains("alarm_summary")) << j.dump();

  // $ROOST_DC_URL stands in for --url.
  const auto by_env = roost("subcloud list --format json", false, "ROOST_DC_URL=" + url_);
  ASSERT_EQ(by_env.exit_code, 0) << by_env.describe();
  EXPECT_GE(nlohmann::json::parse(by_env.out).size(), 2u);
}

TEST_F(DcCli, GroupsAndTheSubcloudLifecycle) {
  wait_online();
  // A group: add, show, update, and it refuses to go while it has members.
  auto r = roost("subcloud-group add --name edge-east --description \"east coast\" --apply-type serial --max-parallel 3");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "edge-east")) << r.out;
  const auto group = roost_json("subcloud-group show edge-east");
  EXPECT_EQ(group.value("update_apply_type", ""), "serial");
  EXPECT_EQ(group.value("max_parallel_subclouds", 0), 3);
  r = roost("subcloud-group update edge-east --max-parallel 7 --apply-type parallel");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(roost_json("subcloud-group show edge-east").value("max_parallel_subclouds", 0), 7);
  const auto groups = roost("subcloud-group list");
  ASSERT_EQ(groups.exit_code, 0) << groups.describe();
  EXPECT_TRUE(contains(groups.out, "Default")) << groups.out;
  EXPECT_TRUE(contains(groups.out, "2   edge-east  parallel    7             east coast")) << groups.out;

  // A subcloud added into it (no agent runs for it: it stays offline), listed by the group.
  r = roost("subcloud add --name subcloud-0100 --subnet 10.100.0.0/24 --group edge-east --region east-1");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "subcloud-0100")) << r.out;
  const auto added = roost_json("subcloud show subcloud-0100");
  EXPECT_EQ(added.value("management-state", ""), "unmanaged");
  EXPECT_EQ(added.value("availability-status", ""), "offline");
  EXPECT_EQ(added.value("region-name", ""), "east-1");
  const auto members = roost("subcloud-group list-subclouds edge-east");
  ASSERT_EQ(members.exit_code, 0) << members.describe();
  EXPECT_TRUE(contains(members.out, "subcloud-0100")) << members.out;
  EXPECT_FALSE(contains(members.out, "subcloud-0001")) << members.out;

  r = roost("subcloud-group delete edge-east --yes");
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.err, "HTTP 409")) << r.err;

  // An offline subcloud cannot be managed; an online one cannot be deleted.
  r = roost("subcloud manage subcloud-0100");
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.err, "HTTP 409")) << r.err;
  r = roost("subcloud unmanage subcloud-0002");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "subcloud-0002  unmanaged")) << r.out;
  r = roost("subcloud delete subcloud-0002 --yes");
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.err, "HTTP 409")) << r.err;
  r = roost("subcloud manage subcloud-0002");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "subcloud-0002  managed")) << r.out;

  // Moving and describing a subcloud.
  r = roost("subcloud update subcloud-0100 --group Default --description \"moved back\"");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto moved = roost_json("subcloud show subcloud-0100");
  EXPECT_EQ(moved.value("group_id", 0), 1) << moved.dump();
  EXPECT_EQ(moved.value("description", ""), "moved back");

  // Deletes: without --yes and no terminal it asks for --yes; then the unmanaged offline subcloud and the
  // now empty group go.
  r = roost("subcloud delete subcloud-0100");
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(contains(r.err, "--yes")) << r.err;
  r = roost("subcloud delete subcloud-0100 --yes");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "Deleted subcloud subcloud-0100")) << r.out;
  r = roost("subcloud-group delete edge-east --yes");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(roost("subcloud show subcloud-0100").exit_code, 1);
  EXPECT_EQ(roost("subcloud-group show edge-east").exit_code, 1);
}

// The dc-manager's registry is on disk (<data-dir>/<node>/dc.db): what operators changed over REST is there
// after the system controller's roostd is killed and started again.
TEST_F(DcCli, WhatOperatorsChangedSurvivesARestartOfTheSystemController) {
  wait_online();
  auto r = roost("subcloud-group add --name kept --max-parallel 4");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  r = roost("subcloud add --name subcloud-0150 --subnet 10.150.0.0/24 --group kept --description \"added over REST\"");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  r = roost("subcloud unmanage subcloud-0002");
  ASSERT_EQ(r.exit_code, 0) << r.describe();

  lab_->restart("system-controller");  // SIGKILL, then the same command line and data directory

  const auto kept = roost_json("subcloud show subcloud-0150");
  EXPECT_EQ(kept.value("description", ""), "added over REST") << kept.dump();
  EXPECT_EQ(kept.value("group_id", 0), roost_json("subcloud-group show kept").value("id", -1)) << kept.dump();
  EXPECT_EQ(roost_json("subcloud-group show kept").value("max_parallel_subclouds", 0), 4);
  EXPECT_EQ(roost_json("subcloud show subcloud-0002").value("management-state", ""), "unmanaged");
  wait_online();  // the restored subclouds are audited again
}

TEST_F(DcCli, ErrorsNameWhatWentWrong) {
  // The server's refusal: exit 1, the status and its reason on stderr.
  auto r = roost("subcloud show no-such-subcloud");
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.err, "GET /v1.0/subclouds/no-such-subcloud: HTTP 404")) << r.err;
  EXPECT_TRUE(contains(r.err, "no-such-subcloud")) << r.err;
  r = roost("subcloud add --name subcloud-0200 --subnet 10.200.0.0/33");
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.err, "HTTP 400")) << r.err;
  EXPECT_TRUE(contains(r.err, "management-subnet") || contains(r.err, "management_subnet")) << r.err;
  r = roost("subcloud add --name subcloud-0201 --subnet 10.0.1.0/24");  // subcloud-0001's subnet
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.err, "10.0.1.0/24")) << r.err;

  // Usage errors: exit 2, before any request.
  r = roost("subcloud add --name x");
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(contains(r.err, "subcloud add: --subnet is required")) << r.err;
  r = roost("subcloud update subcloud-0001");
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(contains(r.err, "nothing to change")) << r.err;
  r = roost("subcloud-group add --name g --apply-type sideways");
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  r = roost("subcloud list --url ftp://x", false);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(contains(r.err, "bad --url")) << r.err;

  // Nothing listens: exit 3, naming the service and the URL.
  r = roost("subcloud list --url http://127.0.0.1:9", false);
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(contains(r.err, "cannot reach the dc-manager at http://127.0.0.1:9: connection refused")) << r.err;
}

}  // namespace
}  // namespace roost::testing
