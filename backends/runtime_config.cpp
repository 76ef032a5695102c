#include "backends/runtime_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fstream>
#include <set>
#include <sstream>

namespace roost::backends {
namespace {

std::string type_name(const nlohmann::json& v) {
  if (v.is_number_unsigned() || v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  return std::string(v.is_object() ? "an object" : v.is_array() ? "an array" : v.is_string() ? "a string"
                     : v.is_boolean()                          ? "a boolean"
                                                               : "null");
}

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

// Rejects keys that the schema does not know: a typo must not silently fall back to a default.
void only_keys(const nlohmann::json& obj, const std::string& path, std::initializer_list<const char*> known) {
  for (const auto& [k, _] : obj.items()) {
    bool ok = false;
    std::string list;
    for (const char* n : known) {
      ok = ok || k == n;
      list += (list.empty() ? "" : ", ") + std::string(n);
    }
    if (!ok) throw ConfigError(join(path, k), "unknown field (expected one of: " + list + ")");
  }
}

const nlohmann::json& expect_object(const nlohmann::json& v, const std::string& path) {
  if (!v.is_object()) throw ConfigError(path, "must be an object, not " + type_name(v));
  return v;
}

std::string expect_string(const nlohmann::json& v, const std::string& path) {
  if (!v.is_string()) throw ConfigError(path, "must be a string, not " + type_name(v));
  return v.get<std::string>();
}

std::uint64_t expect_unsigned(const nlohmann::json& v, const std::string& path, std::uint64_t lo, std::uint64_t hi) {
  if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0))
    throw ConfigError(path, "must be a non-negative integer, not " + (v.is_number() ? v.dump() : type_name(v)));
  const auto n = v.get<std::uint64_t>();
  if (n < lo || n > hi)
    throw ConfigError(path, std::to_string(n) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return n;
}

bool is_ip_address(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// `what` names the owner in messages: "a node", "a floating name".
NodeAddresses parse_addresses(const nlohmann::json& node, const std::string& path, const std::string& what = "a node") {
  if (!node.contains("addresses"))
    throw ConfigError(join(path, "addresses"), "missing (" + what + " needs an address on at least one network)");
  const std::string apath = join(path, "addresses");
  const auto& a = expect_object(node["addresses"], apath);
  if (a.empty()) throw ConfigError(apath, "empty (" + what + " needs an address on at least one network)");
  NodeAddresses out;
  for (const auto& [k, v] : a.items()) {
    const auto net = core::parse_network(k);
    if (!net) throw ConfigError(join(apath, k), "unknown network (expected mgmt, cluster-host, oam or wan)");
    const std::string addr = expect_string(v, join(apath, k));
    if (!is_ip_address(addr)) throw ConfigError(join(apath, k), "\"" + addr + "\" is not an IP address");
    if (!out.emplace(*net, addr).second)
      throw ConfigError(join(apath, k), "network given twice (\"management\" is another name of mgmt)");
  }
  return out;
}

std::string parse_name(const nlohmann::json& node, const std::string& path) {
  if (!node.contains("name")) throw ConfigError(join(path, "name"), "missing");
  std::string name = expect_string(node["name"], join(path, "name"));
  if (name.empty()) throw ConfigError(join(path, "name"), "must not be empty");
  return name;
}

LogConfig parse_log(const nlohmann::json& v, const std::string& path) {
  expect_object(v, path);
  only_keys(v, path, {"level", "file", "stderr"});
  LogConfig c;
  if (v.contains("level")) {
    const std::string s = expect_string(v["level"], join(path, "level"));
    const auto l = parse_log_level(s);
    if (!l) throw ConfigError(join(path, "level"), "\"" + s + "\" is not a log level (debug, info, warn, error)");
    c.level = *l;
  }
  if (v.contains("file") && !v["file"].is_null()) {
    c.file = expect_string(v["file"], join(path, "file"));
    if (c.file->empty()) throw ConfigError(join(path, "file"), "must not be empty (omit it to log to no file)");
  }
  if (v.contains("stderr")) {
    if (!v["stderr"].is_boolean()) throw ConfigError(join(path, "stderr"), "must be a boolean, not " + type_name(v["stderr"]));
    c.to_stderr = v["stderr"].get<bool>();
  }
  return c;
}

PortConfig parse_ports(const nlohmann::json& v, const std::string& path) {
  expect_object(v, path);
  only_keys(v, path, {"datagram", "call"});
  PortConfig p;
  if (v.contains("datagram")) p.datagram = static_cast<std::uint16_t>(expect_unsigned(v["datagram"], join(path, "datagram"), 1, 65535));
  if (v.contains("call")) p.call = static_cast<std::uint16_t>(expect_unsigned(v["call"], join(path, "call"), 1, 65535));
  if (p.datagram == p.call) throw ConfigError(join(path, "call"), "must differ from ports.datagram");
  return p;
}

AdminConfig parse_admin(const nlohmann::json& v, const std::string& path) {
  expect_object(v, path);
  only_keys(v, path, {"address", "port"});
  AdminConfig a;
  if (v.contains("address")) a.address = expect_string(v["address"], join(path, "address"));
  if (!is_ip_address(a.address)) throw ConfigError(join(path, "address"), "\"" + a.address + "\" is not an IP address");
  if (!is_loopback_address(a.address))
    throw ConfigError(join(path, "address"),
                      a.address + " is not a loopback address (the admin API has no authentication: 127.0.0.0/8 or ::1)");
  if (!v.contains("port")) throw ConfigError(join(path, "port"), "missing (the admin API's TCP port)");
  a.port = static_cast<std::uint16_t>(expect_unsigned(v["port"], join(path, "port"), 1, 65535));
  return a;
}

}  // namespace

bool is_loopback_address(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, address.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

AdminConfig parse_admin_listen(const std::string& text, const std::string& path) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw ConfigError(path, "\"" + text + "\" is not ADDRESS:PORT (e.g. 127.0.0.1:7499)");
  std::string address = text.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  const std::string port = text.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5)
    throw ConfigError(path, "\"" + port + "\" in \"" + text + "\" is not a port number");
  return parse_admin(nlohmann::json{{"address", address}, {"port", std::stoul(port)}}, path);
}

std::optional<core::LogLevel> parse_log_level(std::string_view s) {
  for (auto l : {core::LogLevel::Debug, core::LogLevel::Info, core::LogLevel::Warn, core::LogLevel::Error})
    if (core::to_string(l) == s) return l;
  if (s == "warning") return core::LogLevel::Warn;
  return std::nullopt;
}

RuntimeConfig parse_runtime_config(const nlohmann::json& j, const core::RoleRegistry& roles) {
  expect_object(j, "");
  only_keys(j, "", {"seed", "log", "ports", "nodes", "peers", "data_dir", "floating", "admin"});
  RuntimeConfig c;
  if (j.contains("seed")) c.seed = expect_unsigned(j["seed"], "seed", 0, UINT64_MAX);
  if (j.contains("log")) c.log = parse_log(j["log"], "log");
  if (j.contains("ports")) c.ports = parse_ports(j["ports"], "ports");
  if (j.contains("admin")) c.admin = parse_admin(j["admin"], "admin");
  if (j.contains("data_dir")) {
    c.data_dir = expect_string(j["data_dir"], "data_dir");
    if (c.data_dir->empty()) throw ConfigError("data_dir", "must not be empty");
  }

  std::map<std::string, std::string> names;          // node (or floating) name -> path of its entry
  std::map<std::string, std::string> address_owner;  // "address" -> "path of its first use"
  auto claim = [&](const std::string& name, const NodeAddresses& addrs, const std::string& path) {
    if (auto [it, fresh] = names.emplace(name, path); !fresh)
      throw ConfigError(join(path, "name"), "duplicate node \"" + name + "\" (also at " + it->second + ")");
    for (const auto& [net, addr] : addrs) {
      const std::string where = join(join(path, "addresses"), std::string(core::to_string(net)));
      auto [it, fresh] = address_owner.emplace(addr, where);
      if (!fresh) throw ConfigError(where, "address " + addr + " is already used at " + it->second);
    }
  };

  if (!j.contains("nodes")) throw ConfigError("nodes", "missing (the nodes this process hosts)");
  if (!j["nodes"].is_array()) throw ConfigError("nodes", "must be an array, not " + type_name(j["nodes"]));
  for (std::size_t i = 0; i < j["nodes"].size(); ++i) {
    const std::string path = index("nodes", i);
    const auto& n = expect_object(j["nodes"][i], path);
    only_keys(n, path, {"name", "role", "site", "config", "addresses", "reboot_s"});
    HostedNode h;
    h.spec.name = parse_name(n, path);
    if (!n.contains("role")) throw ConfigError(join(path, "role"), "missing");
    h.spec.role = expect_string(n["role"], join(path, "role"));
    if (!roles.has(h.spec.role)) {
      std::string known;
      for (const auto& r : roles.roles()) known += (known.empty() ? "" : ", ") + r;
      throw ConfigError(join(path, "role"), "unknown role \"" + h.spec.role + "\" (known: " + known + ")");
    }
    if (n.contains("site")) h.spec.site = expect_string(n["site"], join(path, "site"));
    if (n.contains("config")) h.spec.config = expect_object(n["config"], join(path, "config"));
    if (n.contains("reboot_s")) {
      const auto& r = n["reboot_s"];
      if (!r.is_number() || r.get<double>() < 0 || r.get<double>() > 3600)
        throw ConfigError(join(path, "reboot_s"), "must be a number of seconds in [0, 3600]");
      h.reboot_time = core::Duration(static_cast<std::int64_t>(r.get<double>() * 1e9));
    }
    h.addresses = parse_addresses(n, path);
    claim(h.spec.name, h.addresses, path);
    c.nodes.push_back(std::move(h));
  }

  if (j.contains("peers")) {
    if (!j["peers"].is_array()) throw ConfigError("peers", "must be an array, not " + type_name(j["peers"]));
    for (std::size_t i = 0; i < j["peers"].size(); ++i) {
      const std::string path = index("peers", i);
      const auto& n = expect_object(j["peers"][i], path);
      only_keys(n, path, {"name", "addresses"});
      PeerNode p;
      p.name = parse_name(n, path);
      p.addresses = parse_addresses(n, path);
      claim(p.name, p.addresses, path);
      c.peers.push_back(std::move(p));
    }
  }

  // After the nodes and peers, so that a floating name equal to any of them is caught whatever the order.
  if (j.contains("floating")) {
    if (!j["floating"].is_array()) throw ConfigError("floating", "must be an array, not " + type_name(j["floating"]));
    for (std::size_t i = 0; i < j["floating"].size(); ++i) {
      const std::string path = index("floating", i);
      const auto& n = expect_object(j["floating"][i], path);
      only_keys(n, path, {"name", "addresses"});
      FloatingName f;
      f.name = parse_name(n, path);
      if (auto it = names.find(f.name); it != names.end())
        throw ConfigError(join(path, "name"),
                          "\"" + f.name + "\" is already " +
                              (it->second.rfind("floating", 0) == 0 ? "a floating name at " : "the name of the node at ") +
                              it->second + " (a floating name must differ from every node name)");
      f.addresses = parse_addresses(n, path, "a floating name");
      claim(f.name, f.addresses, path);
      c.floating.push_back(std::move(f));
    }
  }
  return c;
}

const FloatingName* RuntimeConfig::find_floating(const std::string& name) const {
  for (const auto& f : floating)
    if (f.name == name) return &f;
  return nullptr;
}

RuntimeConfig load_runtime_config(const std::string& file, const core::RoleRegistry& roles) {
  std::ifstream in(file);
  if (!in) throw ConfigError("", file + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError("", file + ": not valid JSON: " + e.what());
  }
  try {
    return parse_runtime_config(j, roles);
  } catch (const ConfigError& e) {
    throw ConfigError(e.path(), e.problem() + " (in " + file + ")");
  }
}

nlohmann::json RuntimeConfig::to_json() const {
  auto addrs = [](const NodeAddresses& a) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& [net, addr] : a) o[std::string(core::to_string(net))] = addr;
    return o;
  };
  nlohmann::json j;
  j["seed"] = seed;
  j["log"] = {{"level", std::string(core::to_string(log.level))}, {"stderr", log.to_stderr}};
  if (log.file) j["log"]["file"] = *log.file;
  j["ports"] = {{"datagram", ports.datagram}, {"call", ports.call}};
  if (data_dir) j["data_dir"] = *data_dir;
  j["nodes"] = nlohmann::json::array();
  for (const auto& n : nodes)
    j["nodes"].push_back({{"name", n.spec.name},
                          {"role", n.spec.role},
                          {"site", n.spec.site},
                          {"config", n.spec.config},
                          {"addresses", addrs(n.addresses)},
                          {"reboot_s", core::to_seconds(n.reboot_time)}});
  j["peers"] = nlohmann::json::array();
  for (const auto& p : peers) j["peers"].push_back({{"name", p.name}, {"addresses", addrs(p.addresses)}});
  if (!floating.empty()) {
    j["floating"] = nlohmann::json::array();
    for (const auto& f : floating) j["floating"].push_back({{"name", f.name}, {"addresses", addrs(f.addresses)}});
  }
  if (admin) j["admin"] = {{"address", admin->address}, {"port", admin->port}};
  return j;
}

}  // namespace roost::backends
