#include "sim/default_inventory.h"

#include <cstdint>
#include <string_view>

namespace roost::sim {

namespace {

// FNV-1a: stable across builds and platforms (std::hash is not), which keeps MACs and serials identical
// from run to run.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string hex(std::uint64_t v, int digits, bool upper = false) {
  static constexpr char kLower[] = "0123456789abcdef", kUpper[] = "0123456789ABCDEF";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = (upper ? kUpper : kLower)[v & 0xf];
  return out;
}

// 02:xx:xx:xx:xx:xx: locally administered, unicast.
std::string mac_for(const std::string& node, core::Network net) {
  const std::uint64_t h = fnv1a(node + "/" + std::string(core::to_string(net)));
  std::string mac = "02";
  for (int byte = 4; byte >= 0; --byte) mac += ":" + hex((h >> (8 * byte)) & 0xff, 2);
  return mac;
}

}  // namespace

core::MachineInventory default_machine_inventory(const SimNodeSpec& node) {
  const std::string& name = node.node.name;
  core::MachineInventory m;
  m.hostname = name;
  m.kernel = "Linux 6.1.0-roost-sim";
  constexpr std::uint32_t kCores = 4, kThreads = 2;
  for (std::uint32_t cpu = 0; cpu < kCores * kThreads; ++cpu)
    m.cpus.push_back(core::CpuInfo{cpu, 0, cpu % kCores, cpu / kCores, 0, "Roost Simulated CPU @ 2.40GHz"});
  m.memory.push_back(core::MemoryNode{0, 16ull * 1024 * 1024, 12ull * 1024 * 1024, 0, 0});
  m.disks.push_back(core::DiskInfo{"/dev/sda", 480'000'000'000ull, false, "Roost Simulated SSD 480GB",
                                   "SIM" + hex(fnv1a(name + "/sda"), 12, true)});
  for (std::size_t i = 0; i < node.networks.size(); ++i) {
    core::PortInfo p;
    p.name = "eth" + std::to_string(i);
    p.mac = mac_for(name, node.networks[i]);
    p.speed_mbps = 10000;
    p.mtu = 1500;
    p.driver = "virtio_net";
    p.pci_address = "0000:00:" + hex(3 + i, 2) + ".0";
    p.link_up = true;
    m.ports.push_back(std::move(p));
  }
  return m;
}

core::MachineInventory machine_inventory_of(const SimNodeSpec& node) {
  if (!node.inventory) return default_machine_inventory(node);
  core::MachineInventory m = *node.inventory;
  if (m.hostname.empty()) m.hostname = node.node.name;
  return m;
}

}  // namespace roost::sim
