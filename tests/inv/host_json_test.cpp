// The host and system records as JSON: StarlingX's spellings, what to_json shows and hides, and the
// errors host_input_from_json / system_from_json give for bad input.
#include <gtest/gtest.h>

#include "platform/inv/host.h"
#include "platform/inv/host_record.h"
#include "tests/inv/inv_test_support.h"

namespace roost::inv {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  try {
    host_input_from_json(j);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(HostEnums, SpellingsAreStarlingXsAndParseBack) {
  EXPECT_EQ(to_string(Personality::Controller), "controller");
  EXPECT_EQ(to_string(Personality::Worker), "worker");
  EXPECT_EQ(to_string(Personality::Storage), "storage");
  EXPECT_EQ(to_string(AdminState::Locked), "locked");
  EXPECT_EQ(to_string(AdminState::Unlocked), "unlocked");
  EXPECT_EQ(to_string(OperState::Enabled), "enabled");
  EXPECT_EQ(to_string(OperState::Disabled), "disabled");
  const std::vector<std::pair<AvailState, std::string>> avail{
      {AvailState::NotInstalled, "not-installed"}, {AvailState::Available, "available"},
      {AvailState::Degraded, "degraded"},          {AvailState::Failed, "failed"},
      {AvailState::Intest, "intest"},              {AvailState::PowerOff, "power-off"},
      {AvailState::Offline, "offline"},            {AvailState::Online, "online"},
      {AvailState::Offduty, "offduty"}};
  for (const auto& [v, s] : avail) {
    EXPECT_EQ(to_string(v), s);
    EXPECT_EQ(parse_avail(s), v);
  }
  for (auto [v, s] : std::vector<std::pair<BmType, std::string>>{
           {BmType::None, "none"}, {BmType::Dynamic, "dynamic"}, {BmType::Ipmi, "ipmi"}, {BmType::Redfish, "redfish"}}) {
    EXPECT_EQ(to_string(v), s);
    EXPECT_EQ(parse_bm_type(s), v);
  }
  EXPECT_EQ(to_string(InvProvision::Unprovisioned), "unprovisioned");
  EXPECT_EQ(to_string(InvProvision::Inventoried), "inventoried");
  EXPECT_EQ(to_string(InvProvision::Configured), "configured");
  EXPECT_EQ(to_string(InvProvision::Provisioning), "provisioning");
  EXPECT_EQ(to_string(InvProvision::Provisioned), "provisioned");
  EXPECT_EQ(to_string(ClockSync::Ntp), "ntp");
  EXPECT_EQ(parse_clock_sync("ptp"), ClockSync::Ptp);
  EXPECT_EQ(parse_personality("storage"), Personality::Storage);
  EXPECT_EQ(parse_admin("unlocked"), AdminState::Unlocked);
  EXPECT_EQ(parse_oper("enabled"), OperState::Enabled);
  EXPECT_FALSE(parse_personality("Controller"));
  EXPECT_FALSE(parse_avail("power_off"));
  EXPECT_FALSE(parse_bm_type("ipmx"));
}

Host sample_host() {
  Host h;
  h.id = 7;
  h.uuid = "0f7c6f0e-0000-4000-8000-000000000007";
  h.hostname = "worker-0";
  h.subfunctions = {"worker", "lowlatency"};
  h.administrative = AdminState::Unlocked;
  h.operational = OperState::Enabled;
  h.availability = AvailState::PowerOff;
  h.bm_type = BmType::Ipmi;
  h.bm_ip = "10.0.0.7";
  h.bm_username = "admin";
  h.bm_password = "s3cret-pw";
  h.location = {{"locality", "rack 3"}};
  h.created_at_us = 1'767'225'600'123'456;  // 2026-01-01T00:00:00.123456Z
  h.inventory = testing::sample_machine("worker-0");
  return h;
}

TEST(HostJson, ShowsSysinvFieldsAndNeverThePassword) {
  const Host h = sample_host();
  const json j = to_json(h);
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["hostname"], "worker-0");
  EXPECT_EQ(j["personality"], "worker");
  EXPECT_EQ(j["subfunctions"], "worker,lowlatency");
  EXPECT_EQ(j["administrative"], "unlocked");
  EXPECT_EQ(j["operational"], "enabled");
  EXPECT_EQ(j["availability"], "power-off");
  EXPECT_EQ(j["invprovision"], "unprovisioned");
  EXPECT_EQ(j["bm_type"], "ipmi");
  EXPECT_EQ(j["location"]["locality"], "rack 3");
  EXPECT_EQ(j["clock_synchronization"], "ntp");
  EXPECT_EQ(j["created_at"], "2026-01-01T00:00:00.123456+00:00");
  EXPECT_TRUE(j["updated_at"].is_null());
  EXPECT_FALSE(j.contains("bm_password"));
  EXPECT_EQ(j.dump().find("s3cret-pw"), std::string::npos);
  EXPECT_FALSE(j.contains("inventory"));
}

TEST(HostJson, InventoryOnlyWhenAskedShapedAsCoreMachineInventory) {
  Host h = sample_host();
  const json j = to_json(h, true);
  ASSERT_TRUE(j.contains("inventory"));
  EXPECT_EQ(j["inventory"], core::to_json(*h.inventory));
  EXPECT_EQ(j["inventory"]["cpus"].size(), 4u);
  h.inventory.reset();
  EXPECT_TRUE(to_json(h, true)["inventory"].is_null());
}

TEST(HostJson, RecordKeepsEverythingIncludingPasswordAndInventory) {
  const Host h = sample_host();
  const json r = host_record(h);
  EXPECT_EQ(r["bm_password"], "s3cret-pw");
  const Host back = host_from_record(r);
  EXPECT_TRUE(same_host(h, back));
  EXPECT_EQ(back.inventory, h.inventory);
  json broken = r;
  broken["availability"] = "gone";
  try {
    host_from_record(broken);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("availability: 'gone'"), std::string::npos) << e.what();
  }
}

TEST(HostInputJson, ReadsEveryFieldWithDefaults) {
  const HostInput in = host_input_from_json(json::parse(R"({
    "hostname": "worker-1", "personality": "worker", "subfunctions": "worker, lowlatency",
    "mgmt_mac": "08:00:27:AA:bb:cc", "mgmt_ip": null, "bm_ip": "bmc-1.lab", "bm_type": "redfish",
    "bm_username": "root", "bm_password": "pw", "bm_port": 8443, "boot_device": "/dev/sda",
    "rootfs_device": "/dev/sdb", "console": "ttyS0,115200", "install_output": "text",
    "location": "rack 4", "clock_synchronization": "ptp", "administrative": "unlocked", "power_on": true})"));
  EXPECT_EQ(in.hostname, "worker-1");
  EXPECT_EQ(in.subfunctions, (std::vector<std::string>{"worker", "lowlatency"}));
  EXPECT_EQ(in.mgmt_mac, "08:00:27:AA:bb:cc");  // normalized when added, not here
  EXPECT_EQ(in.mgmt_ip, "");
  EXPECT_EQ(in.bm_type, BmType::Redfish);
  EXPECT_EQ(in.bm_port, 8443);
  EXPECT_EQ(in.location, (json{{"locality", "rack 4"}}));
  EXPECT_EQ(in.clock_synchronization, ClockSync::Ptp);
  EXPECT_EQ(in.administrative, AdminState::Unlocked);
  EXPECT_TRUE(in.power_on);

  const HostInput minimal = host_input_from_json(json{{"hostname", "storage-0"}, {"personality", "storage"}});
  EXPECT_EQ(minimal.personality, Personality::Storage);
  EXPECT_EQ(minimal.bm_type, BmType::None);
  EXPECT_EQ(minimal.bm_port, 623);
  EXPECT_EQ(minimal.administrative, AdminState::Locked);
  EXPECT_FALSE(minimal.power_on);
  EXPECT_EQ(host_input_from_json(json{{"hostname", "a"}, {"personality", "worker"}, {"subfunctions", {"worker"}}})
                .subfunctions,
            std::vector<std::string>{"worker"});
}

TEST(HostInputJson, ErrorsNameTheField) {
  const json base{{"hostname", "worker-1"}, {"personality", "worker"}};
  const auto with = [&](const char* k, json v) {
    json j = base;
    j[k] = std::move(v);
    return error_of(j);
  };
  EXPECT_EQ(with("bm_type", "ipmx"), "bm_type: 'ipmx' is not one of none, dynamic, ipmi, redfish");
  EXPECT_EQ(with("personality", "router"), "personality: 'router' is not one of controller, worker, storage");
  EXPECT_EQ(with("bm_port", 70000), "bm_port: expected an integer from 1 to 65535, got 70000");
  EXPECT_EQ(with("bm_port", "623"), "bm_port: expected an integer from 1 to 65535, got \"623\"");
  EXPECT_EQ(with("mgmt_mac", 5), "mgmt_mac: expected a string, got number");
  EXPECT_EQ(with("power_on", "yes"), "power_on: expected true or false");
  EXPECT_EQ(with("subfunctions", json{"worker", 3}), "subfunctions[1]: expected a string");
  EXPECT_EQ(with("location", 3), "location: expected an object ({\"locality\": \"...\"}) or a string");
  EXPECT_EQ(with("administrative", "open"), "administrative: 'open' is not one of locked, unlocked");
  EXPECT_EQ(with("bm_tpye", "ipmi"), "unknown field 'bm_tpye'");
  EXPECT_EQ(error_of(json{{"personality", "worker"}}), "hostname: required");
  EXPECT_EQ(error_of(json{{"hostname", "x"}}), "personality: required (one of controller, worker, storage)");
  EXPECT_EQ(error_of(json::array()), "expected an object (a host), got array");
}

TEST(SystemJson, ShowsAndReadsWithErrorsNamingTheField) {
  System s;
  s.uuid = "sys-uuid";
  s.system_mode = "simplex";
  s.system_type = "All-in-one";
  s.created_at_us = 1'767'225'600'000'000;
  const json j = to_json(s);
  EXPECT_EQ(j["uuid"], "sys-uuid");
  EXPECT_EQ(j["name"], "roost");
  EXPECT_EQ(j["system_mode"], "simplex");
  EXPECT_EQ(j["system_type"], "All-in-one");
  EXPECT_TRUE(j["distributed_cloud_role"].is_null());
  EXPECT_EQ(j["created_at"], "2026-01-01T00:00:00.000000+00:00");

  const System back = system_from_json(j);  // a shown system reads back (created_at is read-only)
  EXPECT_EQ(back.uuid, "sys-uuid");
  EXPECT_EQ(back.system_mode, "simplex");
  EXPECT_EQ(back.created_at_us, 0);

  const System patched = system_from_json(json{{"distributed_cloud_role", "subcloud"}, {"contact", "ops"}}, s);
  EXPECT_EQ(patched.distributed_cloud_role, "subcloud");
  EXPECT_EQ(patched.contact, "ops");
  EXPECT_EQ(patched.system_mode, "simplex");

  const auto error = [](const json& j) {
    try {
      system_from_json(j);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error(json{{"system_mode", "triplex"}}), "system_mode: 'triplex' is not one of simplex, duplex, duplex-direct");
  EXPECT_EQ(error(json{{"system_type", "AIO"}}), "system_type: 'AIO' is not one of All-in-one, Standard");
  EXPECT_EQ(error(json{{"distributed_cloud_role", "central"}}),
            "distributed_cloud_role: 'central' is not one of \"\", systemcontroller, subcloud");
  EXPECT_EQ(error(json{{"name", 3}}), "name: expected a string, got number");
  EXPECT_EQ(error(json{{"colour", "blue"}}), "unknown field 'colour'");
  EXPECT_TRUE(same_system(system_from_record(system_record(s)), s));
}

}  // namespace
}  // namespace roost::inv
