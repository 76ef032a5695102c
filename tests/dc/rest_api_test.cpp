// The dc-manager's REST API through its router (as the real runtime's listener feeds it).
#include <gtest/gtest.h>

#include "tests/dc/dc_test_support.h"

namespace {

using namespace roost;
using namespace roost::dc;
using nlohmann::json;
using roost::testing::ManagerRig;

struct Answer {
  int status = 0;
  json body;
};

Answer request(ManagerRig& rig, const std::string& method, const std::string& target, const std::string& body = "") {
  EXPECT_EQ(rig.env.served.size(), 1u);
  EXPECT_EQ(rig.env.served.at(0).port, 8119);
  EXPECT_EQ(rig.env.served.at(0).net, core::Network::Oam);
  core::HttpRequest req;
  req.method = method;
  req.target = target;
  core::split_target(target, req.path, req.query);
  req.body = body;
  Answer a;
  bool answered = false;
  rig.env.served.at(0).router->dispatch(req, [&](core::HttpResponse r) {
    a.status = r.status;
    a.body = r.body.empty() ? json() : json::parse(r.body);
    answered = true;
  });
  EXPECT_TRUE(answered) << method << " " << target;
  rig.pump();
  return a;
}

TEST(DcRest, SubcloudsListShowDetailAndAlarms) {
  ManagerRig rig(2);
  rig.alarms["sc1.controller-0"] = AlarmSummary{1, 2, 0, 3};
  rig.run(core::milliseconds(600));
  auto list = request(rig, "GET", "/v1.0/subclouds");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["subclouds"].size(), 2u);
  const json& sc1 = list.body["subclouds"][0];
  EXPECT_EQ(sc1["name"], "sc1");
  EXPECT_EQ(sc1["availability-status"], "online");
  EXPECT_EQ(sc1["management-state"], "managed");
  EXPECT_EQ(sc1["deploy-status"], "complete");
  EXPECT_EQ(sc1["management-subnet"], "10.0.1.0/24");
  EXPECT_EQ(sc1["group_id"], 1);
  EXPECT_EQ(sc1["sync_status"], "in-sync");
  EXPECT_FALSE(sc1.contains("endpoint_sync_status"));
  auto by_id = request(rig, "GET", "/v1.0/subclouds/2");
  EXPECT_EQ(by_id.body["name"], "sc2");
  auto detail = request(rig, "GET", "/v1.0/subclouds/sc1/detail");
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(detail.body["endpoint_sync_status"][0], (json{{"endpoint_type", "platform"}, {"sync_status", "in-sync"}}));
  EXPECT_EQ(detail.body["alarm_summary"],
            (json{{"critical_alarms", 1}, {"major_alarms", 2}, {"minor_alarms", 0}, {"warnings", 3}, {"cloud_status", "critical"}}));
  auto alarms = request(rig, "GET", "/v1.0/alarms");
  ASSERT_EQ(alarms.body["alarm_summary"].size(), 2u);
  EXPECT_EQ(alarms.body["alarm_summary"][1]["name"], "sc2");
  EXPECT_EQ(alarms.body["alarm_summary"][1]["cloud_status"], "OK");
  auto missing = request(rig, "GET", "/v1.0/subclouds/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"], "not-found");
  EXPECT_EQ(missing.body["detail"], "subcloud 'nope' not found (give a name or an id)");
}

TEST(DcRest, AddPatchDelete) {
  ManagerRig rig(1);
  auto added = request(rig, "POST", "/v1.0/subclouds",
                       R"({"name": "edge7", "management-subnet": "192.168.7.0/24", "region-name": "RegionSeven", "description": "shop 7"})");
  ASSERT_EQ(added.status, 200) << added.body.dump();
  EXPECT_EQ(added.body["id"], 2);
  EXPECT_EQ(added.body["management-state"], "unmanaged");  // StarlingX: unmanaged until managed
  EXPECT_EQ(added.body["availability-status"], "offline");
  EXPECT_EQ(added.body["region-name"], "RegionSeven");
  EXPECT_EQ(added.body["agent"], "edge7.controller-0");
  auto bad = request(rig, "POST", "/v1.0/subclouds", R"({"name": "edge8", "management-subnet": "192.168.7.128/25"})");
  EXPECT_EQ(bad.status, 409);
  EXPECT_NE(bad.body["detail"].get<std::string>().find("overlaps the management subnet of subcloud 'edge7'"), std::string::npos);
  EXPECT_EQ(request(rig, "POST", "/v1.0/subclouds", R"({"name": "edge8"})").body["detail"],
            "subcloud: management-subnet: required (an IPv4 CIDR such as 10.1.7.0/24)");
  EXPECT_EQ(request(rig, "POST", "/v1.0/subclouds", "{nope").status, 400);
  // It is audited from its slot on: online within an interval.
  rig.run(core::milliseconds(1000));
  EXPECT_EQ(request(rig, "GET", "/v1.0/subclouds/edge7").body["availability-status"], "online");
  auto managed = request(rig, "PATCH", "/v1.0/subclouds/edge7", R"({"management-state": "managed", "location": "Ottawa"})");
  ASSERT_EQ(managed.status, 200) << managed.body.dump();
  EXPECT_EQ(managed.body["management-state"], "managed");
  EXPECT_EQ(managed.body["location"], "Ottawa");
  EXPECT_NE(managed.body["updated-at"], nullptr);
  EXPECT_EQ(request(rig, "PATCH", "/v1.0/subclouds/edge7", R"({"name": "x"})").body["detail"],
            "name: cannot be changed (management-state, group_id, description, location)");
  EXPECT_EQ(request(rig, "PATCH", "/v1.0/subclouds/edge7", R"({"group_id": 9})").status, 400);
  EXPECT_EQ(request(rig, "DELETE", "/v1.0/subclouds/edge7").status, 409);
  request(rig, "PATCH", "/v1.0/subclouds/edge7", R"({"management-state": "unmanaged"})");
  EXPECT_EQ(request(rig, "DELETE", "/v1.0/subclouds/edge7").body["detail"],
            "subcloud 'edge7' is online: only an offline subcloud can be deleted");
  rig.down.insert("edge7.controller-0");
  rig.run(core::milliseconds(2000));
  EXPECT_EQ(request(rig, "DELETE", "/v1.0/subclouds/2").status, 204);
  EXPECT_EQ(request(rig, "GET", "/v1.0/subclouds/edge7").status, 404);
}

TEST(DcRest, SubcloudGroups) {
  ManagerRig rig(2);
  auto list = request(rig, "GET", "/v1.0/subcloud-groups");
  ASSERT_EQ(list.body["subcloud_groups"].size(), 1u);
  EXPECT_EQ(list.body["subcloud_groups"][0]["name"], "Default");
  EXPECT_EQ(list.body["subcloud_groups"][0]["update_apply_type"], "parallel");
  EXPECT_EQ(list.body["subcloud_groups"][0]["max_parallel_subclouds"], 2);
  auto added = request(rig, "POST", "/v1.0/subcloud-groups",
                       R"({"name": "east", "description": "east coast", "update_apply_type": "serial", "max_parallel_subclouds": 4})");
  ASSERT_EQ(added.status, 200) << added.body.dump();
  EXPECT_EQ(added.body["id"], 2);
  EXPECT_EQ(request(rig, "POST", "/v1.0/subcloud-groups", R"({"name": "east"})").status, 409);
  EXPECT_EQ(request(rig, "POST", "/v1.0/subcloud-groups", R"({"name": "w", "max_parallel_subclouds": 6000})").body["detail"],
            "subcloud group: max_parallel_subclouds: 6000 is outside 1..5000");
  ASSERT_EQ(request(rig, "PATCH", "/v1.0/subclouds/sc2", R"({"group_id": "east"})").body["group_id"], 2);
  auto members = request(rig, "GET", "/v1.0/subcloud-groups/east/subclouds");
  ASSERT_EQ(members.body["subclouds"].size(), 1u);
  EXPECT_EQ(members.body["subclouds"][0]["name"], "sc2");
  auto patched = request(rig, "PATCH", "/v1.0/subcloud-groups/2", R"({"max_parallel_subclouds": 10, "name": "east-1"})");
  EXPECT_EQ(patched.body["max_parallel_subclouds"], 10);
  EXPECT_EQ(patched.body["name"], "east-1");
  EXPECT_EQ(request(rig, "DELETE", "/v1.0/subcloud-groups/east-1").status, 409);
  EXPECT_EQ(request(rig, "DELETE", "/v1.0/subcloud-groups/Default").body["detail"], "the Default subcloud group cannot be deleted");
  request(rig, "PATCH", "/v1.0/subclouds/sc2", R"({"group_id": 1})");
  EXPECT_EQ(request(rig, "DELETE", "/v1.0/subcloud-groups/east-1").status, 204);
  EXPECT_EQ(request(rig, "GET", "/v1.0/subcloud-groups/2").status, 404);
  EXPECT_EQ(request(rig, "PUT", "/v1.0/subcloud-groups").status, 405);
}

}  // namespace
