// MachineInventory (platform/core/machine.h): JSON round trip, the binary codec, the counts, and errors
// that name the path of the bad field.
#include <gtest/gtest.h>

#include <stdexcept>

#include "platform/core/codec.h"
#include "platform/core/machine.h"

namespace roost::core {
namespace {

using nlohmann::json;

MachineInventory two_socket_machine() {
  MachineInventory m;
  m.hostname = "worker-3";
  m.kernel = "Linux 6.1.0-13-amd64";
  // 2 sockets x 2 cores x 2 threads, one NUMA node per socket.
  for (std::uint32_t cpu = 0; cpu < 8; ++cpu) {
    CpuInfo c;
    c.cpu = cpu;
    c.socket = (cpu / 2) % 2;
    c.core = cpu % 2;
    c.thread = cpu / 4;
    c.numa_node = c.socket;
    c.model = "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz";
    m.cpus.push_back(c);
  }
  m.memory = {MemoryNode{0, 65'000'000, 60'000'000, 512, 0}, MemoryNode{1, 66'000'000, 61'000'000, 0, 4}};
  m.disks = {DiskInfo{"/dev/sda", 480'103'981'056, false, "SAMSUNG MZ7LH480", "S45NNA0M123456"},
             DiskInfo{"/dev/sdb", 4'000'787'030'016, true, "ST4000NM0035", "ZC1ABCDE"}};
  m.ports = {PortInfo{"eno1", "3c:fd:fe:aa:bb:01", 10000, 9000, "i40e", "0000:3b:00.0", true},
             PortInfo{"eno2", "3c:fd:fe:aa:bb:02", -1, 1500, "i40e", "0000:3b:00.1", false}};
  return m;
}

TEST(MachineInventory, JsonRoundTripKeepsEveryField) {
  const MachineInventory m = two_socket_machine();
  const json j = to_json(m);
  EXPECT_EQ(j["cpus"].size(), 8u);
  EXPECT_EQ(j["cpus"][5]["socket"], 0);
  EXPECT_EQ(j["ports"][1]["speed_mbps"], -1);
  EXPECT_EQ(j["disks"][1]["rotational"], true);
  EXPECT_EQ(j["memory"][1]["hugepages_1g_total"], 4);
  EXPECT_EQ(machine_inventory_from_json(j), m);
  EXPECT_EQ(machine_inventory_from_json(json::parse(j.dump())), m) << "through text too";
}

TEST(MachineInventory, BinaryCodecRoundTrip) {
  const MachineInventory m = two_socket_machine();
  MachineInventory back;
  ASSERT_FALSE(decode(encode(m), back));
  EXPECT_EQ(back, m);
}

TEST(MachineInventory, CountsSocketsCoresAndMemory) {
  const MachineInventory m = two_socket_machine();
  EXPECT_EQ(m.sockets(), 2u);
  EXPECT_EQ(m.cores(), 4u);
  EXPECT_EQ(m.memory_total_kib(), 131'000'000u);
  EXPECT_EQ(MachineInventory{}.sockets(), 0u);
  EXPECT_EQ(MachineInventory{}.memory_total_kib(), 0u);
}

TEST(MachineInventory, MissingKeysKeepTheirDefaults) {
  const MachineInventory m = machine_inventory_from_json(json::parse(R"({"ports": [{"name": "eth0"}]})"));
  ASSERT_EQ(m.ports.size(), 1u);
  EXPECT_EQ(m.ports[0].name, "eth0");
  EXPECT_EQ(m.ports[0].speed_mbps, -1);
  EXPECT_TRUE(m.cpus.empty());
  EXPECT_EQ(machine_inventory_from_json(json::object()), MachineInventory{});
}

std::string error_of(const std::string& text) {
  try {
    machine_inventory_from_json(json::parse(text));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(MachineInventory, ErrorsNameThePathOfTheBadField) {
  EXPECT_EQ(error_of(R"({"cpus": [{}, {}, {}, {"socket": "one"}]})"),
            "cpus[3].socket: expected an integer (got a string)");
  EXPECT_EQ(error_of(R"({"cpus": [{"socket": 1.5}]})"), "cpus[0].socket: expected an integer (got a number)");
  EXPECT_EQ(error_of(R"({"cpus": [{"core": -1}]})"), "cpus[0].core: expected an integer at least 0 (got -1)");
  EXPECT_EQ(error_of(R"({"cpus": [{"cpu": 4294967296}]})"),
            "cpus[0].cpu: expected an integer at most 4294967295 (got 4294967296)");
  EXPECT_EQ(error_of(R"({"memory": {"total_kib": 1}})"), "memory: expected an array (got an object)");
  EXPECT_EQ(error_of(R"({"disks": [{"rotational": "yes"}]})"),
            "disks[0].rotational: expected true or false (got a string)");
  EXPECT_EQ(error_of(R"({"ports": [3]})"), "ports[0]: expected an object (got an integer)");
  EXPECT_EQ(error_of(R"({"hostname": null})"), "hostname: expected a string (got null)");
  EXPECT_EQ(error_of(R"([])"), "expected an object (got an array)");
  EXPECT_EQ(error_of(R"({"ports": [{"nmae": "eth0"}]})"),
            "ports[0].nmae: unknown field (known: name, mac, speed_mbps, mtu, driver, pci_address, link_up)");
  EXPECT_EQ(error_of(R"({"cpu": []})"), "cpu: unknown field (known: hostname, kernel, cpus, memory, disks, ports)");
}

}  // namespace
}  // namespace roost::core
