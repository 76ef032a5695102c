// backends/os_inventory: a fake /proc and /sys tree in a temp dir gives an exact inventory; broken
// trees give errors naming the file; and this very machine reads as a plausible one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <boost/asio/io_context.hpp>

#include "backends/node_hardware.h"
#include "backends/os_inventory.h"

namespace roost::backends {
namespace {

namespace fs = std::filesystem;
using core::CpuInfo;
using core::DiskInfo;
using core::MachineInventory;
using core::MemoryNode;
using core::PortInfo;

class FakeTree : public ::testing::Test {
 protected:
  FakeTree() {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("roost-os-inventory-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(root_);
  }
  ~FakeTree() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void write(const std::string& rel, const std::string& text) {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  void link(const std::string& rel, const std::string& target) {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    fs::create_directory_symlink(target, p);
  }
  void cpu(int n, int package, int core, const std::string& siblings) {
    const std::string t = "sys/devices/system/cpu/cpu" + std::to_string(n) + "/topology/";
    write(t + "physical_package_id", std::to_string(package) + "\n");
    write(t + "core_id", std::to_string(core) + "\n");
    write(t + "thread_siblings_list", siblings + "\n");
  }

  // Two sockets of one core with two threads each, Linux's numbering (siblings are n and n+2), a
  // NUMA node per socket; cpu4 is offline.
  void build_two_socket_machine() {
    write("proc/sys/kernel/hostname", "fake-host\n");
    write("proc/sys/kernel/ostype", "Linux\n");
    write("proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
    std::string cpuinfo;
    for (int n = 0; n < 5; ++n)
      cpuinfo += "processor\t: " + std::to_string(n) + "\nvendor_id\t: GenuineIntel\nmodel name\t: " +
                 (n % 2 ? "Model B" : "Model A") + "\nflags\t\t: fpu vme\n\n";
    write("proc/cpuinfo", cpuinfo);
    cpu(0, 0, 0, "0,2");
    cpu(1, 1, 0, "1,3");
    cpu(2, 0, 0, "0,2");
    cpu(3, 1, 0, "1,3");
    write("sys/devices/system/cpu/cpu4/online", "0\n");
    write("sys/devices/system/cpu/possible", "0-4\n");
    write("sys/devices/system/cpu/cpufreq/boost", "1\n");
    for (int n = 0; n < 2; ++n) {
      const std::string d = "sys/devices/system/node/node" + std::to_string(n) + "/";
      write(d + "cpulist", n == 0 ? "0,2\n" : "1,3\n");
      write(d + "meminfo", "Node " + std::to_string(n) + " MemTotal:       " + (n == 0 ? "16000000" : "16500000") +
                               " kB\nNode " + std::to_string(n) + " MemFree:        " + (n == 0 ? "12000000" : "13000000") +
                               " kB\nNode " + std::to_string(n) + " MemUsed:         4000000 kB\n");
      write(d + "hugepages/hugepages-2048kB/nr_hugepages", n == 0 ? "512\n" : "0\n");
      write(d + "hugepages/hugepages-1048576kB/nr_hugepages", n == 0 ? "0\n" : "2\n");
    }
    write("sys/devices/system/node/online", "0-1\n");
    // Disks: two SATA, a virtio one with its serial at the block level; loop, zram, dm and ram are skipped.
    write("sys/block/sda/size", "937703088\n");
    write("sys/block/sda/queue/rotational", "0\n");
    write("sys/block/sda/device/model", "SAMSUNG MZ7LH480HAHQ    \n");
    write("sys/block/sda/device/wwid", "naa.5002538e40a1b2c3\n");
    write("sys/block/sdb/size", "7814037168\n");
    write("sys/block/sdb/queue/rotational", "1\n");
    write("sys/block/sdb/device/model", "ST4000NM0035\n");
    write("sys/block/sdb/device/serial", "ZC1ABCDE\n");
    write("sys/block/sdb/device/wwid", "naa.5000c500a1b2c3d4\n");
    write("sys/block/vda/size", "1048576\n");
    write("sys/block/vda/queue/rotational", "1\n");
    write("sys/block/vda/serial", "vol-42\n");
    for (const char* skipped : {"loop0", "zram0", "dm-0", "ram0"}) write(std::string("sys/block/") + skipped + "/size", "8\n");
    // Ports: a PCI NIC, a virtio NIC (the PCI function is the virtio device's parent), a bridge, lo.
    const std::string pci = "sys/devices/pci0000:00/";
    write(pci + "0000:3b:00.0/vendor", "0x8086\n");
    link(pci + "0000:3b:00.0/driver", "../../../bus/pci/drivers/i40e");
    write(pci + "0000:00:03.0/virtio2/features", "0\n");
    link(pci + "0000:00:03.0/virtio2/driver", "../../../../bus/virtio/drivers/virtio_net");
    auto port = [&](const std::string& name, const std::string& mac, const char* speed, const char* mtu,
                    const char* state) {
      const std::string d = "sys/class/net/" + name + "/";
      write(d + "address", mac + "\n");
      if (speed) write(d + "speed", speed);
      write(d + "mtu", mtu);
      write(d + "operstate", state);
    };
    port("eno1", "3c:fd:fe:aa:bb:01", "10000\n", "9000\n", "up\n");
    link("sys/class/net/eno1/device", "../../../devices/pci0000:00/0000:3b:00.0");
    port("eth1", "52:54:00:12:34:56", "-1\n", "1500\n", "down\n");
    link("sys/class/net/eth1/device", "../../../devices/pci0000:00/0000:00:03.0/virtio2");
    port("br0", "52:54:00:00:00:01", nullptr, "1500\n", "unknown\n");
    write("sys/class/net/br0/carrier", "1\n");
    port("lo", "00:00:00:00:00:00", nullptr, "65536\n", "unknown\n");
    write("sys/class/net/bonding_masters", "\n");
  }

  MachineInventory read_ok() {
    auto r = read_os_inventory(root_);
    if (auto* err = std::get_if<std::string>(&r)) {
      ADD_FAILURE() << *err;
      return {};
    }
    return std::get<MachineInventory>(r);
  }
  std::string read_error() {
    auto r = read_os_inventory(root_);
    if (auto* err = std::get_if<std::string>(&r)) return *err;
    return "(no error)";
  }

  fs::path root_;
};

TEST_F(FakeTree, ReadsTheExactMachine) {
  build_two_socket_machine();
  MachineInventory want;
  want.hostname = "fake-host";
  want.kernel = "Linux 6.1.0-13-amd64";
  want.cpus = {CpuInfo{0, 0, 0, 0, 0, "Model A"}, CpuInfo{1, 1, 0, 0, 1, "Model B"}, CpuInfo{2, 0, 0, 1, 0, "Model A"},
               CpuInfo{3, 1, 0, 1, 1, "Model B"}};
  want.memory = {MemoryNode{0, 16000000, 12000000, 512, 0}, MemoryNode{1, 16500000, 13000000, 0, 2}};
  want.disks = {DiskInfo{"/dev/sda", 480103981056, false, "SAMSUNG MZ7LH480HAHQ", "naa.5002538e40a1b2c3"},
                DiskInfo{"/dev/sdb", 4000787030016, true, "ST4000NM0035", "ZC1ABCDE"},
                DiskInfo{"/dev/vda", 536870912, true, "", "vol-42"}};
  want.ports = {PortInfo{"br0", "52:54:00:00:00:01", -1, 1500, "", "", true},
                PortInfo{"eno1", "3c:fd:fe:aa:bb:01", 10000, 9000, "i40e", "0000:3b:00.0", true},
                PortInfo{"eth1", "52:54:00:12:34:56", -1, 1500, "virtio_net", "0000:00:03.0", false}};
  const MachineInventory got = read_ok();
  EXPECT_EQ(got, want) << core::to_json(got).dump(1);
  EXPECT_EQ(got.sockets(), 2u);
  EXPECT_EQ(got.cores(), 2u);
  EXPECT_EQ(got.memory_total_kib(), 32500000u);
}

TEST_F(FakeTree, WithoutNumaNodesTheWholeMachineIsNodeZero) {
  build_two_socket_machine();
  fs::remove_all(root_ / "sys/devices/system/node");
  write("proc/meminfo", "MemTotal:       32500000 kB\nMemFree:        25000000 kB\nHugePages_Total:       0\n");
  write("sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "128\n");
  const MachineInventory got = read_ok();
  EXPECT_EQ(got.memory, (std::vector<MemoryNode>{MemoryNode{0, 32500000, 25000000, 128, 0}}));
  for (const auto& c : got.cpus) EXPECT_EQ(c.numa_node, 0u);
}

TEST_F(FakeTree, ErrorsNameTheFile) {
  build_two_socket_machine();
  fs::remove(root_ / "sys/devices/system/cpu/cpu2/topology/core_id");
  EXPECT_EQ(read_error(), "cannot read " + (root_ / "sys/devices/system/cpu/cpu2/topology/core_id").string());
  write("sys/devices/system/cpu/cpu2/topology/core_id", "zero\n");
  EXPECT_EQ(read_error(),
            (root_ / "sys/devices/system/cpu/cpu2/topology/core_id").string() + ": expected an integer, got \"zero\"");
  write("sys/devices/system/cpu/cpu2/topology/core_id", "0\n");
  write("sys/devices/system/cpu/cpu2/topology/thread_siblings_list", "0,3\n");
  EXPECT_EQ(read_error(), (root_ / "sys/devices/system/cpu/cpu2/topology/thread_siblings_list").string() +
                              ": does not list cpu2 itself");
  write("sys/devices/system/cpu/cpu2/topology/thread_siblings_list", "0,2\n");
  write("sys/devices/system/node/node1/meminfo", "Node 1 MemFree: 1 kB\n");
  EXPECT_EQ(read_error(), (root_ / "sys/devices/system/node/node1/meminfo").string() + ": no MemTotal line");
  fs::remove(root_ / "proc/cpuinfo");
  EXPECT_EQ(read_error(), "cannot read " + (root_ / "proc/cpuinfo").string());
}

TEST_F(FakeTree, AnEmptyTreeSaysWhatIsMissing) {
  EXPECT_EQ(read_error(), "cannot read " + (root_ / "proc/sys/kernel/hostname").string());
}

// This machine, through the same code and through the real runtime's NodeHardware.
TEST(OsInventory, ReadsThisMachine) {
  auto r = read_os_inventory();
  ASSERT_TRUE(std::holds_alternative<MachineInventory>(r)) << std::get<std::string>(r);
  const MachineInventory& m = std::get<MachineInventory>(r);
  EXPECT_GE(m.cpus.size(), 1u);
  EXPECT_EQ(m.cpus.size(), static_cast<std::size_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_GE(m.sockets(), 1u);
  EXPECT_GT(m.memory_total_kib(), 0u);
  EXPECT_FALSE(m.ports.empty());
  for (const auto& p : m.ports) {
    EXPECT_NE(p.name, "lo");
    EXPECT_GT(p.mtu, 0u) << p.name;
  }
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(m.hostname, host);
  EXPECT_EQ(m.kernel.rfind("Linux ", 0), 0u) << m.kernel;

  boost::asio::io_context io;
  NodeHardware hw(io, [] { return [](std::function<void()> f) { f(); }; }, ipmi::IpmiOptions{});
  auto via_env = hw.machine_inventory();
  ASSERT_TRUE(std::holds_alternative<MachineInventory>(via_env)) << std::get<std::string>(via_env);
  EXPECT_EQ(std::get<MachineInventory>(via_env).cpus, m.cpus);
}

}  // namespace
}  // namespace roost::backends
