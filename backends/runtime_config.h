// roostd's configuration: which nodes this process hosts, where every other node lives, which ports
// every node listens on, and where logs go. Loaded from JSON; every error names the JSON path of the
// offending value and what is wrong with it, e.g. `nodes[2].addresses.mgmt: "10.0.0" is not an IP address`.
//
//   { "seed": 1,
//     "log": {"level": "info", "file": "/path/log.jsonl", "stderr": true},
//     "ports": {"datagram": 7400, "call": 7401},
//     "data_dir": "/var/lib/roost",   (optional: durable node state, e.g. <data_dir>/<node>/fm.db)
//     "nodes": [ {"name": "controller-0", "role": "pulse-controller", "site": "lab", "config": {...},
//                 "addresses": {"mgmt": "127.0.1.1", "cluster-host": "127.0.2.1", "oam": "127.0.3.1"}} ],
//     "peers": [ {"name": "worker-0", "addresses": {"mgmt": "127.0.1.2"}} ],
//     "floating": [ {"name": "controller", "addresses": {"mgmt": "127.0.1.100", "oam": "127.0.3.100"}} ],
//     "admin": {"address": "127.0.0.1", "port": 7499} }   (optional: roostd's admin API, admin_api.h)
//
// Each node has one address per network it is attached to, and every node listens on the same ports on
// its own addresses, so an address alone says which node (and network) a packet is for.
//
// "floating" (optional): names that are not nodes but are answered by whichever node claims them
// (Env::claim_floating), at addresses of their own. Every roostd process that hosts a node that may
// claim one, or that sends to one, lists it: the claiming node binds the addresses (so only one node on
// the machine, or in the lab, can hold them at a time), every other node sends to them. A floating name
// must differ from every node and peer name, and its addresses from every other address of the config.
//
// "admin" (optional): where roostd serves its admin API (backends/admin_api.h: list the hosted nodes, stop
// and start one of them while the process keeps running). It has no authentication, so the address must
// be a loopback address.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/log.h"
#include "platform/core/network.h"
#include "platform/core/node.h"

namespace roost::backends {

// A configuration error: `path` is where in the JSON document (e.g. "nodes[1].role"), what() is
// "<path>: <what is wrong>".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string path, const std::string& problem)
      : std::runtime_error(path.empty() ? problem : path + ": " + problem), path_(std::move(path)), problem_(problem) {}
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

// Network -> IP address (textual, as given; validated to parse as IPv4 or IPv6).
using NodeAddresses = std::map<core::Network, std::string>;

struct HostedNode {
  core::NodeSpec spec;
  NodeAddresses addresses;
  // How long Env::reboot() keeps the node down before its next incarnation starts ("reboot_s"): the
  // machine's reboot time as the lab pretends it (roostd restarts the node, never the machine).
  core::Duration reboot_time = core::seconds(2);
};

struct PeerNode {
  std::string name;
  NodeAddresses addresses;
};

// A floating name and its address on each of its networks.
struct FloatingName {
  std::string name;
  NodeAddresses addresses;
};

struct LogConfig {
  core::LogLevel level = core::LogLevel::Info;
  std::optional<std::string> file;  // JSON lines, one object per record
  bool to_stderr = true;
};

struct PortConfig {
  std::uint16_t datagram = 7400;
  std::uint16_t call = 7401;
};

// roostd's admin API listener (admin_api.h); the address is a loopback address.
struct AdminConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
};

struct RuntimeConfig {
  std::uint64_t seed = 1;
  LogConfig log;
  PortConfig ports;
  // Where nodes keep durable state (Env::resource): <data_dir>/<node>/... ; none: nodes that need
  // durable state fail to start, saying so.
  std::optional<std::string> data_dir;
  std::vector<HostedNode> nodes;  // hosted by this process
  std::vector<PeerNode> peers;    // hosted elsewhere: the directory of where to reach them
  std::vector<FloatingName> floating;  // claimed by a node at run time (see the header comment)
  std::optional<AdminConfig> admin;    // none: no admin API

  // The floating name `name`, or nullptr.
  const FloatingName* find_floating(const std::string& name) const;

  nlohmann::json to_json() const;
};

// Validates `j` (roles against `roles`); throws ConfigError.
RuntimeConfig parse_runtime_config(const nlohmann::json& j, const core::RoleRegistry& roles);
// Reads and parses a file; a file that cannot be read or is not JSON is a ConfigError too (path "").
RuntimeConfig load_runtime_config(const std::string& file, const core::RoleRegistry& roles);

std::optional<core::LogLevel> parse_log_level(std::string_view s);

// "ADDRESS:PORT" (roostd --admin, or the "admin" object's fields): a loopback IPv4/IPv6 address ("[::1]:7499"
// for IPv6) and a port in [1, 65535]. Throws ConfigError at `path` naming what is wrong.
AdminConfig parse_admin_listen(const std::string& text, const std::string& path);
bool is_loopback_address(const std::string& address);

}  // namespace roost::backends
