// A simulated node's own machine (Env::hardware().machine_inventory()): the scenario's "inventory" object
// when the node has one, else the deterministic default of sim/default_inventory.h. The scenario goes
// through the harness's parser, so the test also covers the key's validation.
#include <gtest/gtest.h>

#include <set>

#include "harness/scenario.h"
#include "platform/roles.h"
#include "sim/default_inventory.h"
#include "sim/simulation.h"

namespace roost::sim::testing {
namespace {

using nlohmann::json;

// "inventory-probe": logs what its hardware says of its machine when it starts.
//   logs: inventory.report {inventory: JSON text} | inventory.error {error}
class InventoryProbe final : public core::Node {
 public:
  using core::Node::Node;
  void start() override {
    auto r = env().hardware().machine_inventory();
    if (auto* m = std::get_if<core::MachineInventory>(&r)) log().info("inventory.report", {{"inventory", core::to_json(*m).dump()}});
    else log().info("inventory.error", {{"error", std::get<std::string>(r)}});
  }
};

const core::RoleRegistry& roles() {
  static const core::RoleRegistry r = [] {
    core::RoleRegistry r = platform::roles();
    r.add("inventory-probe", [](core::Env& env, const core::NodeSpec& spec) {
      return std::make_unique<InventoryProbe>(env, spec);
    });
    return r;
  }();
  return r;
}

const json kCustom = json::parse(R"({
  "kernel": "Linux 5.10.0-roost",
  "cpus": [{"cpu": 0, "socket": 0, "core": 0, "model": "Xeon"}, {"cpu": 1, "socket": 1, "core": 0, "numa_node": 1}],
  "memory": [{"numa_node": 0, "total_kib": 1000, "free_kib": 500}, {"numa_node": 1, "total_kib": 2000}],
  "disks": [{"device": "/dev/nvme0n1", "size_bytes": 960000000000, "serial": "N1"}],
  "ports": [{"name": "ens1f0", "mac": "3c:fd:fe:00:00:01", "speed_mbps": 25000, "mtu": 9000, "link_up": true}]
})");

std::string scenario(const json& custom_node_extra = json::object()) {
  json custom = {{"name", "worker-custom"}, {"role", "inventory-probe"}, {"inventory", kCustom}};
  custom.update(custom_node_extra);
  json doc = {{"roost_scenario", 1},
              {"name", "inventory"},
              {"duration_s", 1},
              {"sites",
               {{{"name", "lab"},
                 {"nodes",
                  {custom,
                   {{"name", "worker-default"}, {"role", "inventory-probe"}, {"networks", {"mgmt", "cluster-host"}}}}}}}}};
  return doc.dump();
}

core::MachineInventory reported(const SimResult& r, const std::string& node) {
  for (const auto& rec : r.trace) {
    if (rec.node != node) continue;
    for (const auto& f : rec.fields) {
      if (rec.event == "inventory.error") ADD_FAILURE() << node << ": " << std::get<std::string>(f.value);
      if (rec.event == "inventory.report" && f.key == "inventory")
        return core::machine_inventory_from_json(json::parse(std::get<std::string>(f.value)));
    }
  }
  ADD_FAILURE() << node << " reported nothing";
  return {};
}

TEST(MachineInventory, ANodeReportsItsScenarioInventory) {
  const auto loaded = harness::parse_scenario(scenario(), "inventory.json", roles());
  ASSERT_TRUE(loaded.ok()) << loaded.messages().front();
  const SimResult r = run_in_child(loaded.scenario->config, roles());

  core::MachineInventory want = core::machine_inventory_from_json(kCustom);
  want.hostname = "worker-custom";  // the scenario left it out: the node's name
  EXPECT_EQ(reported(r, "worker-custom"), want);
}

TEST(MachineInventory, WithoutOneANodeGetsTheDefaultMachineDerivedFromItsName) {
  const auto loaded = harness::parse_scenario(scenario(), "inventory.json", roles());
  ASSERT_TRUE(loaded.ok()) << loaded.messages().front();
  const SimResult r = run_in_child(loaded.scenario->config, roles());
  const core::MachineInventory m = reported(r, "worker-default");
  EXPECT_EQ(m, default_machine_inventory(loaded.scenario->config.sites[0].nodes[1]));

  EXPECT_EQ(m.hostname, "worker-default");
  EXPECT_EQ(m.sockets(), 1u);
  EXPECT_EQ(m.cores(), 4u);
  EXPECT_EQ(m.cpus.size(), 8u);
  EXPECT_EQ(m.memory_total_kib(), 16u * 1024 * 1024);
  ASSERT_EQ(m.disks.size(), 1u);
  EXPECT_EQ(m.disks[0].device, "/dev/sda");
  EXPECT_EQ(m.disks[0].size_bytes, 480'000'000'000u);
  EXPECT_FALSE(m.disks[0].rotational);
  ASSERT_EQ(m.ports.size(), 2u) << "one port per network the node is attached to";
  EXPECT_EQ(m.ports[0].name, "eth0");
  EXPECT_EQ(m.ports[1].name, "eth1");
  // Pinned (FNV-1a of "worker-default/mgmt", ".../cluster-host"): the MACs are a stable hash of the node's and the network's names, the same on every build.
  EXPECT_EQ(m.ports[0].mac, "02:98:c6:01:e8:3d");
  EXPECT_EQ(m.ports[1].mac, "02:ec:08:d3:db:f3");

  // Different nodes, different networks: different MACs.
  SimNodeSpec other;
  other.node.name = "worker-1";
  std::set<std::string> macs;
  for (const auto& p : default_machine_inventory(other).ports) macs.insert(p.mac);
  for (const auto& p : m.ports) macs.insert(p.mac);
  EXPECT_EQ(macs.size(), 5u);
}

TEST(MachineInventory, ScenarioErrorsNameTheWholePath) {
  auto errors = [](const json& extra) {
    const auto loaded = harness::parse_scenario(scenario(extra), "inventory.json", roles());
    return loaded.messages();
  };
  json bad = kCustom;
  bad["ports"][0]["mtu"] = -5;
  EXPECT_EQ(errors({{"inventory", bad}}),
            std::vector<std::string>{"inventory.json: $.sites[0].nodes[0].inventory.ports[0].mtu: expected an integer "
                                     "at least 0 (got -5)"});
  bad = kCustom;
  bad["cpus"][1] = "cpu1";
  EXPECT_EQ(errors({{"inventory", bad}}),
            std::vector<std::string>{"inventory.json: $.sites[0].nodes[0].inventory.cpus[1]: expected an object "
                                     "(got a string)"});
  EXPECT_EQ(errors({{"inventory", {{"disk", json::array()}}}}),
            std::vector<std::string>{"inventory.json: $.sites[0].nodes[0].inventory.disk: unknown field (known: "
                                     "hostname, kernel, cpus, memory, disks, ports)"});
  EXPECT_EQ(errors({{"inventory", json::array()}}),
            std::vector<std::string>{"inventory.json: $.sites[0].nodes[0].inventory: expected an object, got array"});
  const auto typo = harness::parse_scenario(
      R"({"roost_scenario": 1, "name": "x", "duration_s": 1, "sites": [{"name": "lab", "nodes": [
           {"name": "w", "role": "inventory-probe", "inventroy": {}}]}]})",
      "typo.json", roles());
  ASSERT_EQ(typo.messages().size(), 1u);
  EXPECT_EQ(typo.messages()[0], R"(typo.json: $.sites[0].nodes[0].inventroy: unknown field (did you mean "inventory"?))");
}

}  // namespace
}  // namespace roost::sim::testing
