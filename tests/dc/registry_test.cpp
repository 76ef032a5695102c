// The subcloud registry's validation and groups, and the audit slots' spread, without any node.
#include <gtest/gtest.h>

#include <algorithm>

#include "platform/dc/audit_slots.h"
#include "platform/dc/registry.h"

namespace {

using namespace roost;
using namespace roost::dc;
using nlohmann::json;

SubcloudInput input(const std::string& name, const std::string& subnet) {
  SubcloudInput in;
  in.name = name;
  in.management_subnet = subnet;
  return in;
}

std::string error_of(const Outcome<const Subcloud*>& r) { return r ? "" : r.error().message; }

TEST(Registry, AddsWithDefaultsAndFindsByNameOrId) {
  SubcloudRegistry reg;
  auto r = reg.add(input("subcloud-0001", "10.10.1.0/24"), 42);
  ASSERT_TRUE(r) << error_of(r);
  const Subcloud& s = *r.value();
  EXPECT_EQ(s.id, 1u);
  EXPECT_EQ(s.region_name, "subcloud-0001");
  EXPECT_EQ(s.management_gateway_ip, "10.10.1.1");
  EXPECT_EQ(s.management_start_ip, "10.10.1.2");
  EXPECT_EQ(s.management_end_ip, "10.10.1.254");
  EXPECT_EQ(s.availability, Availability::Offline);  // until the first successful audit
  EXPECT_EQ(s.deploy_status, DeployStatus::Complete);
  EXPECT_EQ(s.group_id, kDefaultGroupId);
  EXPECT_EQ(s.agent, "subcloud-0001.controller-0");
  EXPECT_EQ(s.overall_sync(), SyncStatus::Unknown);
  EXPECT_EQ(reg.find("1"), &s);
  EXPECT_EQ(reg.find("subcloud-0001"), &s);
  EXPECT_EQ(reg.find("2"), nullptr);
  const json j = to_json(s, true);
  EXPECT_EQ(j["management-state"], "managed");
  EXPECT_EQ(j["availability-status"], "offline");
  EXPECT_EQ(j["deploy-status"], "complete");
  EXPECT_EQ(j["endpoint_sync_status"].size(), kEndpointCount);
  EXPECT_EQ(j["alarm_summary"]["cloud_status"], "OK");
  EXPECT_EQ(j["created-at"], "1970-01-01 00:00:00.000042");
}

TEST(Registry, RejectsBadInputNamingTheField) {
  SubcloudRegistry reg;
  ASSERT_TRUE(reg.add(input("sc1", "10.10.0.0/16"), 0));
  EXPECT_EQ(error_of(reg.add(input("1abc", "10.20.1.0/24"), 0)), "name: '1abc' must start with a letter");
  EXPECT_EQ(error_of(reg.add(input("a b", "10.20.1.0/24"), 0)), "name: 'a b' may contain only letters, digits, '-', '_' and '.'");
  EXPECT_EQ(error_of(reg.add(input("sc1", "10.20.1.0/24"), 0)), "name: a subcloud named 'sc1' already exists");
  EXPECT_EQ(reg.add(input("sc1", "10.20.1.0/24"), 0).error().http_status, 409);
  EXPECT_EQ(error_of(reg.add(input("sc2", "10.20.1.0"), 0)), "management-subnet: expected an IPv4 CIDR such as 10.1.7.0/24");
  EXPECT_EQ(error_of(reg.add(input("sc2", "10.20.1.5/24"), 0)),
            "management-subnet: '10.20.1.5/24' has host bits set (the network address is 10.20.1.0/24)");
  EXPECT_EQ(error_of(reg.add(input("sc2", "10.20.1.0/31"), 0)), "management-subnet: prefix length 31 is outside 8..30");
  EXPECT_EQ(error_of(reg.add(input("sc2", "10.300.1.0/24"), 0)), "management-subnet: '10.300.1.0' is not an IPv4 address");
  EXPECT_EQ(error_of(reg.add(input("sc2", "10.10.5.0/24"), 0)),
            "management-subnet: 10.10.5.0/24 overlaps the management subnet of subcloud 'sc1' (10.10.0.0-10.10.255.255)");
  EXPECT_EQ(error_of(reg.add(input("sc2", "10.0.0.0/8"), 0)).substr(0, 43), "management-subnet: 10.0.0.0/8 overlaps the ");
  auto in = input("sc2", "10.20.1.0/24");
  in.management_start_ip = "10.20.2.5";
  EXPECT_EQ(error_of(reg.add(in, 0)),
            "management-start-ip: 10.20.2.5 is not a usable address of 10.20.1.0/24 (10.20.1.1-10.20.1.254)");
  in.management_start_ip = "10.20.1.100";
  in.management_end_ip = "10.20.1.50";
  EXPECT_EQ(error_of(reg.add(in, 0)), "management-start-ip: 10.20.1.100 is after management-end-ip 10.20.1.50");
  in.management_end_ip = "10.20.1.200";
  in.management_gateway_ip = "10.20.1.150";
  EXPECT_EQ(error_of(reg.add(in, 0)), "management-gateway-ip: 10.20.1.150 lies inside the address range 10.20.1.100-10.20.1.200");
  in.management_gateway_ip = "10.20.1.1";
  in.group = "nope";
  EXPECT_EQ(error_of(reg.add(in, 0)), "group_id: no subcloud group 'nope'");
  in.group.reset();
  EXPECT_TRUE(reg.add(in, 0)) << "a valid one after all those";
  EXPECT_EQ(reg.size(), 2u);
}

TEST(Registry, ParsesBothSpellingsAndRejectsUnknownKeys) {
  auto a = subcloud_input_from_json({{"name", "x"}, {"management-subnet", "10.1.0.0/24"}, {"region-name", "r1"}, {"group_id", 3}});
  auto b = subcloud_input_from_json({{"name", "x"}, {"management_subnet", "10.1.0.0/24"}, {"region_name", "r1"}, {"group", "3"}});
  EXPECT_EQ(a.management_subnet, b.management_subnet);
  EXPECT_EQ(a.region_name, b.region_name);
  EXPECT_EQ(a.group, b.group);
  auto throws = [](const json& j, const std::string& expected) {
    try {
      subcloud_input_from_json(j);
      ADD_FAILURE() << "accepted " << j.dump();
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).substr(0, expected.size()), expected);
    }
  };
  throws({{"management-subnet", "10.1.0.0/24"}}, "name: required");
  throws({{"name", "x"}}, "management-subnet: required");
  throws({{"name", "x"}, {"management-subnet", "10.1.0.0/24"}, {"colour", "red"}}, "colour: unknown key");
  throws({{"name", "x"}, {"management-subnet", "10.1.0.0/24"}, {"management-state", "sort-of"}}, "management-state: must be managed or unmanaged");
  throws({{"name", "x"}, {"management-subnet", "10.1.0.0/24"}, {"deploy-status", "done"}}, "deploy-status: 'done' is not a deploy status");
}

TEST(Registry, GroupsDefaultAlwaysExistsAndMembersBlockDelete) {
  SubcloudRegistry reg;
  ASSERT_EQ(reg.groups().size(), 1u);
  EXPECT_EQ(reg.groups()[0]->name, "Default");
  EXPECT_EQ(reg.groups()[0]->update_apply_type, ApplyType::Parallel);
  EXPECT_EQ(reg.groups()[0]->max_parallel_subclouds, 2u);
  EXPECT_EQ(reg.remove_group("Default").error().http_status, 409);
  EXPECT_EQ(reg.remove_group("1").error().message, "the Default subcloud group cannot be deleted");
  GroupInput g = group_input_from_json({{"name", "edge-east"}, {"update_apply_type", "serial"}, {"max_parallel_subclouds", 10}}, true);
  auto added = reg.add_group(g, 0);
  ASSERT_TRUE(added);
  EXPECT_EQ(added.value()->id, 2u);
  EXPECT_EQ(reg.add_group(g, 0).error().http_status, 409);  // duplicate name
  auto in = input("sc1", "10.1.0.0/24");
  in.group = "edge-east";
  auto s = reg.add(in, 0);
  ASSERT_TRUE(s);
  EXPECT_EQ(s.value()->group_id, 2u);
  EXPECT_EQ(reg.member_count(2), 1u);
  EXPECT_EQ(reg.remove_group("edge-east").error().message,
            "subcloud group 'edge-east' has 1 subcloud(s): move them to another group before deleting it");
  ASSERT_TRUE(reg.set_group(s.value()->id, "Default", 5));
  EXPECT_EQ(reg.member_count(2), 0u);
  EXPECT_EQ(reg.members(1).size(), 1u);
  EXPECT_TRUE(reg.remove_group("2"));
  EXPECT_EQ(reg.find_group("edge-east"), nullptr);
  EXPECT_EQ(reg.update_group("Default", group_input_from_json({{"name", "Other"}}, false), 0).error().message,
            "name: the Default group cannot be renamed");
  auto bad = [](const json& j, const std::string& expected) {
    try {
      group_input_from_json(j, true);
      ADD_FAILURE() << "accepted " << j.dump();
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).substr(0, expected.size()), expected);
    }
  };
  bad({{"name", "g"}, {"max_parallel_subclouds", 0}}, "max_parallel_subclouds: 0 is outside 1..5000");
  bad({{"name", "g"}, {"max_parallel_subclouds", 5001}}, "max_parallel_subclouds: 5001 is outside 1..5000");
  bad({{"name", "g"}, {"update_apply_type", "random"}}, "update_apply_type: must be serial or parallel");
  bad({{"name", "123"}}, "name: '123' must be non-empty and not all digits");
  bad({{"description", "x"}}, "name: required");
}

TEST(Registry, DeleteOnlyWhenUnmanagedAndOffline) {
  SubcloudRegistry reg;
  ASSERT_TRUE(reg.add(input("sc1", "10.1.0.0/24"), 0));
  EXPECT_EQ(reg.remove("sc1").error().message, "subcloud 'sc1' is managed: unmanage it before deleting it");
  reg.mutable_by_id(1)->management_state = ManagementState::Unmanaged;
  reg.mutable_by_id(1)->availability = Availability::Online;
  EXPECT_EQ(reg.remove("sc1").error().message, "subcloud 'sc1' is online: only an offline subcloud can be deleted");
  reg.mutable_by_id(1)->availability = Availability::Offline;
  EXPECT_TRUE(reg.remove("sc1"));
  EXPECT_EQ(reg.remove("sc1").error().http_status, 404);
  // The subnet and the name are free again.
  EXPECT_TRUE(reg.add(input("sc1", "10.1.0.0/24"), 0));
}

TEST(AuditSlots, InitialSubcloudsAreExactlyEvenAndAddedOnesFillTheLargestGap) {
  const core::Duration interval = core::seconds(30);
  AuditSlots slots(interval);
  slots.place_evenly({1, 2, 3, 4});
  EXPECT_EQ(slots.offset(1), core::seconds(0));
  EXPECT_EQ(slots.offset(2), core::milliseconds(7500));
  EXPECT_EQ(slots.offset(4), core::milliseconds(22500));
  EXPECT_EQ(slots.largest_gap(), core::milliseconds(7500));
  // New ones go into the middle of the largest (earliest) gap; nobody else moves.
  EXPECT_EQ(slots.place(5), core::milliseconds(3750));
  EXPECT_EQ(slots.place(6), core::milliseconds(11250));
  EXPECT_EQ(slots.offset(2), core::milliseconds(7500));
  slots.remove(5);
  EXPECT_EQ(slots.largest_gap(), core::milliseconds(7500));
  EXPECT_EQ(slots.place(7), core::milliseconds(3750));
  // Many adds stay spread: no gap above twice the even spacing.
  AuditSlots many(interval);
  for (std::uint64_t id = 1; id <= 1000; ++id) many.place(id);
  EXPECT_LE(many.largest_gap(), 2 * interval / 1000);
  // Removing all but one leaves one gap: the whole interval.
  for (std::uint64_t id = 2; id <= 1000; ++id) many.remove(id);
  EXPECT_EQ(many.size(), 1u);
  EXPECT_EQ(many.largest_gap(), interval);
}

}  // namespace
