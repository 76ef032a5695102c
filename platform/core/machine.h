// What a host's agent knows of its own machine: CPUs, memory, disks and network ports (StarlingX's
// icpus / imemorys / idisks / ports). The real runtime reads it from the OS (/proc and /sys,
// backends/os_inventory); the simulation from the scenario (a node's "inventory"). Plain data that
// travels in messages (codec.h) and converts to and from JSON (the REST API's shapes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace roost::core {

struct CpuInfo {
  std::uint32_t cpu = 0;     // logical CPU number (Linux's cpuN)
  std::uint32_t socket = 0;  // physical package id
  std::uint32_t core = 0;    // core id within the socket
  std::uint32_t thread = 0;  // 0 for the first hyperthread of a core, 1 for its sibling...
  std::uint32_t numa_node = 0;
  std::string model;         // "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"
  template <class V>
  void visit(V& v) { v("cpu", cpu); v("socket", socket); v("core", core); v("thread", thread); v("numa_node", numa_node); v("model", model); }
  friend bool operator==(const CpuInfo&, const CpuInfo&) = default;
};

struct MemoryNode {
  std::uint32_t numa_node = 0;
  std::uint64_t total_kib = 0;
  std::uint64_t free_kib = 0;
  std::uint64_t hugepages_2m_total = 0;  // pages
  std::uint64_t hugepages_1g_total = 0;  // pages
  template <class V>
  void visit(V& v) { v("numa_node", numa_node); v("total_kib", total_kib); v("free_kib", free_kib); v("hugepages_2m_total", hugepages_2m_total); v("hugepages_1g_total", hugepages_1g_total); }
  friend bool operator==(const MemoryNode&, const MemoryNode&) = default;
};

struct DiskInfo {
  std::string device;          // "/dev/sda"
  std::uint64_t size_bytes = 0;
  bool rotational = false;     // HDD (true) or SSD/NVMe (false)
  std::string model;
  std::string serial;
  template <class V>
  void visit(V& v) { v("device", device); v("size_bytes", size_bytes); v("rotational", rotational); v("model", model); v("serial", serial); }
  friend bool operator==(const DiskInfo&, const DiskInfo&) = default;
};

struct PortInfo {
  std::string name;            // "eth0"
  std::string mac;             // "52:54:00:12:34:56"
  std::int64_t speed_mbps = -1;  // -1: unknown (link down, virtual)
  std::uint32_t mtu = 0;
  std::string driver;          // "virtio_net"
  std::string pci_address;     // "0000:00:03.0", "" for virtual ports
  bool link_up = false;
  template <class V>
  void visit(V& v) { v("name", name); v("mac", mac); v("speed_mbps", speed_mbps); v("mtu", mtu); v("driver", driver); v("pci_address", pci_address); v("link_up", link_up); }
  friend bool operator==(const PortInfo&, const PortInfo&) = default;
};

struct MachineInventory {
  std::string hostname;        // the OS's hostname (the simulation: the node's name)
  std::string kernel;          // "Linux 6.1.0-13-amd64"
  std::vector<CpuInfo> cpus;
  std::vector<MemoryNode> memory;
  std::vector<DiskInfo> disks;
  std::vector<PortInfo> ports;
  template <class V>
  void visit(V& v) { v("hostname", hostname); v("kernel", kernel); v("cpus", cpus); v("memory", memory); v("disks", disks); v("ports", ports); }
  friend bool operator==(const MachineInventory&, const MachineInventory&) = default;

  std::uint32_t sockets() const;  // distinct socket ids
  std::uint32_t cores() const;    // distinct (socket, core) pairs
  std::uint64_t memory_total_kib() const;
};

// JSON: the field names above; missing keys keep their defaults. from_json throws
// std::invalid_argument naming the path of a wrongly typed field ("cpus[3].socket: expected an integer").
nlohmann::json to_json(const MachineInventory& m);
MachineInventory machine_inventory_from_json(const nlohmann::json& j);

}  // namespace roost::core
