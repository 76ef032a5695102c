#include "backends/os_inventory.h"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>
#include <vector>

namespace roost::backends {

namespace fs = std::filesystem;

namespace {

// Why the inventory could not be read: a text naming the file.
struct ReadError {
  std::string what;
};

std::string trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && space(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && space(s[i])) ++i;
  return s.substr(i);
}

// The file's text, trimmed; none if it is missing or unreadable (sysfs attributes such as a down
// port's speed fail on read with EINVAL).
std::optional<std::string> read_optional(const fs::path& p) {
  // POSIX reads, not a stream: a sysfs attribute that fails on read must be told apart from an empty one.
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return trim(std::move(text));
}

std::string read_required(const fs::path& p) {
  auto text = read_optional(p);
  if (!text) throw ReadError{"cannot read " + p.string()};
  return *text;
}

template <class T>
T parse_number(const std::string& text, const fs::path& p) {
  T v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    throw ReadError{p.string() + ": expected an integer, got \"" + text + "\""};
  return v;
}

template <class T>
T read_number(const fs::path& p) {
  return parse_number<T>(read_required(p), p);
}

// "0-3,8,10-11" (Linux's cpulist format) -> {0, 1, 2, 3, 8, 10, 11}.
std::vector<std::uint32_t> parse_cpulist(const std::string& text, const fs::path& p) {
  std::vector<std::uint32_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    const auto dash = item.find('-');
    const auto first = parse_number<std::uint32_t>(item.substr(0, dash), p);
    const auto last = dash == std::string::npos ? first : parse_number<std::uint32_t>(item.substr(dash + 1), p);
    if (last < first) throw ReadError{p.string() + ": bad CPU range \"" + item + "\""};
    for (auto c = first; c <= last; ++c) out.push_back(c);
  }
  return out;
}

// Entries of `dir` named <prefix><number>, by number; empty if `dir` does not exist.
std::vector<std::pair<std::uint32_t, fs::path>> numbered_entries(const fs::path& dir, std::string_view prefix) {
  std::vector<std::pair<std::uint32_t, fs::path>> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (!std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); })) continue;
    out.emplace_back(parse_number<std::uint32_t>(digits, it->path()), it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> entry_names(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    out.push_back(it->path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// /proc/cpuinfo's "model name" by processor number (x86); other architectures may have none.
std::map<std::uint32_t, std::string> cpu_models(const fs::path& cpuinfo) {
  std::stringstream in(read_required(cpuinfo));
  std::map<std::uint32_t, std::string> out;
  std::optional<std::uint32_t> processor;
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (key == "processor") processor = parse_number<std::uint32_t>(value, cpuinfo);
    else if (key == "model name" && processor) out[*processor] = value;
  }
  return out;
}

// NUMA node of each CPU, from nodeN/cpulist.
std::map<std::uint32_t, std::uint32_t> cpu_nodes(const std::vector<std::pair<std::uint32_t, fs::path>>& nodes) {
  std::map<std::uint32_t, std::uint32_t> out;
  for (const auto& [n, dir] : nodes)
    for (auto cpu : parse_cpulist(read_required(dir / "cpulist"), dir / "cpulist")) out[cpu] = n;
  return out;
}

std::vector<core::CpuInfo> read_cpus(const fs::path& root, const std::map<std::uint32_t, std::uint32_t>& numa) {
  const auto models = cpu_models(root / "proc/cpuinfo");
  const auto dirs = numbered_entries(root / "sys/devices/system/cpu", "cpu");
  if (dirs.empty()) throw ReadError{"no CPUs under " + (root / "sys/devices/system/cpu").string()};
  std::vector<core::CpuInfo> out;
  for (const auto& [n, dir] : dirs) {
    // An offline CPU has no topology; it is not part of the machine until brought online.
    if (auto online = read_optional(dir / "online"); online && *online == "0") continue;
    const fs::path topo = dir / "topology";
    core::CpuInfo c;
    c.cpu = n;
    // Some hypervisors report package -1: one socket then.
    c.socket = static_cast<std::uint32_t>(std::max<std::int64_t>(0, read_number<std::int64_t>(topo / "physical_package_id")));
    c.core = read_number<std::uint32_t>(topo / "core_id");
    const auto siblings = parse_cpulist(read_required(topo / "thread_siblings_list"), topo / "thread_siblings_list");
    const auto at = std::find(siblings.begin(), siblings.end(), n);
    if (at == siblings.end())
      throw ReadError{(topo / "thread_siblings_list").string() + ": does not list cpu" + std::to_string(n) + " itself"};
    c.thread = static_cast<std::uint32_t>(at - siblings.begin());
    if (auto it = numa.find(n); it != numa.end()) c.numa_node = it->second;
    if (auto it = models.find(n); it != models.end()) c.model = it->second;
    out.push_back(std::move(c));
  }
  return out;
}

// "<key>: <n> kB" lines of a meminfo file (the per-node ones start with "Node <n> ").
std::map<std::string, std::uint64_t> meminfo(const fs::path& p) {
  std::stringstream in(read_required(p));
  std::map<std::string, std::uint64_t> out;
  std::string line;
  while (std::getline(in, line)) {
    if (starts_with(line, "Node ")) {
      const auto space = line.find(' ', 5);
      if (space == std::string::npos) continue;
      line = line.substr(space + 1);
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::stringstream value(line.substr(colon + 1));
    std::uint64_t v = 0;
    if (value >> v) out[trim(line.substr(0, colon))] = v;
  }
  return out;
}

std::uint64_t meminfo_field(const std::map<std::string, std::uint64_t>& m, const std::string& key, const fs::path& p) {
  auto it = m.find(key);
  if (it == m.end()) throw ReadError{p.string() + ": no " + key + " line"};
  return it->second;
}

// Huge pages reserved, of 2 MiB and 1 GiB, under a hugepages/ directory (per node or system-wide).
void read_hugepages(const fs::path& dir, core::MemoryNode& m) {
  auto pages = [&](const char* size) -> std::uint64_t {
    const fs::path p = dir / size / "nr_hugepages";
    auto text = read_optional(p);
    return text ? parse_number<std::uint64_t>(*text, p) : 0;
  };
  m.hugepages_2m_total = pages("hugepages-2048kB");
  m.hugepages_1g_total = pages("hugepages-1048576kB");
}

std::vector<core::MemoryNode> read_memory(const fs::path& root,
                                          const std::vector<std::pair<std::uint32_t, fs::path>>& nodes) {
  std::vector<core::MemoryNode> out;
  for (const auto& [n, dir] : nodes) {
    const fs::path p = dir / "meminfo";
    const auto m = meminfo(p);
    core::MemoryNode node;
    node.numa_node = n;
    node.total_kib = meminfo_field(m, "MemTotal", p);
    node.free_kib = meminfo_field(m, "MemFree", p);
    read_hugepages(dir / "hugepages", node);
    out.push_back(node);
  }
  if (!out.empty()) return out;
  // No NUMA nodes in sysfs (a kernel without CONFIG_NUMA): the whole machine is node 0.
  const fs::path p = root / "proc/meminfo";
  const auto m = meminfo(p);
  core::MemoryNode node;
  node.total_kib = meminfo_field(m, "MemTotal", p);
  node.free_kib = meminfo_field(m, "MemFree", p);
  read_hugepages(root / "sys/kernel/mm/hugepages", node);
  return {node};
}

std::vector<core::DiskInfo> read_disks(const fs::path& root) {
  std::vector<core::DiskInfo> out;
  const fs::path block = root / "sys/block";
  for (const auto& name : entry_names(block)) {
    // Not disks: loop devices, RAM disks, compressed swap in RAM, device-mapper volumes (LVM, crypt).
    if (starts_with(name, "loop") || starts_with(name, "ram") || starts_with(name, "zram") || starts_with(name, "dm-"))
      continue;
    const fs::path dir = block / name;
    core::DiskInfo d;
    std::string dev = name;
    std::replace(dev.begin(), dev.end(), '!', '/');  // "cciss!c0d0" is /dev/cciss/c0d0
    d.device = "/dev/" + dev;
    d.size_bytes = read_number<std::uint64_t>(dir / "size") * 512;  // always 512-byte units in sysfs
    if (auto rot = read_optional(dir / "queue/rotational")) d.rotational = *rot == "1";
    d.model = read_optional(dir / "device/model").value_or("");
    for (const char* f : {"serial", "device/serial", "device/wwid"})
      if (auto s = read_optional(dir / f); s && !s->empty()) {
        d.serial = *s;
        break;
      }
    out.push_back(std::move(d));
  }
  return out;
}

bool is_pci_address(const std::string& s) {
  // dddd:bb:dd.f (hex digits)
  if (s.size() != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11})
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// The PCI device at or above a net device's device/ link (a virtio NIC sits below its PCI function).
std::string pci_address(const fs::path& device) {
  std::error_code ec;
  fs::path p = fs::canonical(device, ec);
  if (ec) return "";
  for (; !p.empty() && p != p.root_path(); p = p.parent_path())
    if (is_pci_address(p.filename().string())) return p.filename().string();
  return "";
}

std::vector<core::PortInfo> read_ports(const fs::path& root) {
  std::vector<core::PortInfo> out;
  const fs::path net = root / "sys/class/net";
  for (const auto& name : entry_names(net)) {
    if (name == "lo") continue;
    const fs::path dir = net / name;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;  // e.g. bonding_masters, a file
    core::PortInfo p;
    p.name = name;
    p.mac = read_required(dir / "address");
    p.mtu = read_number<std::uint32_t>(dir / "mtu");
    if (auto speed = read_optional(dir / "speed")) {
      std::int64_t v = -1;
      const auto [end, err] = std::from_chars(speed->data(), speed->data() + speed->size(), v);
      p.speed_mbps = err == std::errc() && v > 0 ? v : -1;  // drivers that cannot say give -1 or fail
    }
    const std::string state = read_required(dir / "operstate");
    // Drivers without operstate support (tun, some virtual ones) say "unknown": trust the carrier.
    p.link_up = state == "up" || (state == "unknown" && read_optional(dir / "carrier").value_or("0") == "1");
    if (fs::exists(dir / "device", ec)) {
      const fs::path driver = fs::read_symlink(dir / "device/driver", ec);
      if (!ec) p.driver = driver.filename().string();
      p.pci_address = pci_address(dir / "device");
    }
    out.push_back(std::move(p));
  }
  return out;
}

void read_identity(const fs::path& root, core::MachineInventory& m) {
  if (root.lexically_normal() == fs::path("/")) {
    utsname u{};
    if (uname(&u) != 0) throw ReadError{"uname() failed"};
    m.kernel = std::string(u.sysname) + " " + u.release;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) throw ReadError{"gethostname() failed"};
    m.hostname = host;
    return;
  }
  const fs::path kernel = root / "proc/sys/kernel";
  m.hostname = read_required(kernel / "hostname");
  m.kernel = read_required(kernel / "ostype") + " " + read_required(kernel / "osrelease");
}

}  // namespace

std::variant<core::MachineInventory, std::string> read_os_inventory(const fs::path& root) {
  try {
    core::MachineInventory m;
    read_identity(root, m);
    const auto nodes = numbered_entries(root / "sys/devices/system/node", "node");
    m.cpus = read_cpus(root, cpu_nodes(nodes));
    m.memory = read_memory(root, nodes);
    m.disks = read_disks(root);
    m.ports = read_ports(root);
    return m;
  } catch (const ReadError& e) {
    return e.what;
  } catch (const fs::filesystem_error& e) {
    return std::string(e.what());
  }
}

}  // namespace roost::backends
