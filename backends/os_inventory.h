// Reads this machine's hardware inventory (platform/core/machine.h) from Linux's /proc and /sys, as
// StarlingX's inventory agent does:
//   CPUs     /sys/devices/system/cpu/cpuN/topology/{physical_package_id,core_id,thread_siblings_list}
//            (thread = the CPU's position among its siblings), model from /proc/cpuinfo;
//   memory   /sys/devices/system/node/nodeN/{meminfo,cpulist,hugepages}, or /proc/meminfo as one node
//            when the kernel has no NUMA nodes in sysfs;
//   disks    /sys/block/* except loop, ram, zram and device-mapper devices: size (512-byte sectors),
//            queue/rotational, device/model, serial (serial, device/serial or device/wwid);
//   ports    /sys/class/net/* except lo: address, speed (-1 where the driver cannot say), mtu, operstate,
//            driver (device/driver's name) and PCI address (the nearest PCI device above device/);
//   hostname and kernel: gethostname() and uname() for "/"; for any other root (a fake tree in a test),
//            <root>/proc/sys/kernel/{hostname,ostype,osrelease}.
// Blocking file reads of a few kilobytes: cheap enough to do on the runtime's thread when asked.
#pragma once

#include <filesystem>
#include <string>
#include <variant>

#include "platform/core/machine.h"

namespace roost::backends {

// The inventory of the machine whose /proc and /sys are under `root`, or a text naming the file that
// could not be read or parsed.
std::variant<core::MachineInventory, std::string> read_os_inventory(const std::filesystem::path& root = "/");

}  // namespace roost::backends
