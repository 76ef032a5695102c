// Lays out a lab of nodes on loopback: which process hosts each node, one distinct 127.x.y.z address
// per node per network, and the ports every node listens on; renders the roostd config (JSON) of each
// process. Used by RealLab (roostd processes) and by in-process tests (parse the JSON, run a runtime).
//
// Addresses: 127.<a>.<b + 4*network + i/250>.<1 + i%250> for the i-th node, where (a, b) is drawn at
// random per layout (b a multiple of 16), so labs of tests that ctest runs in parallel do not collide.
// Linux routes all of 127.0.0.0/8 to the loopback interface, so no setup is needed.
// Floating names (add_floating; roostd's "floating", answered by whichever node claims them) get
// 127.<a>.<b + 4*network>.<251 + k> for the k-th name: past every node's last byte (1..250).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/network.h"

namespace roost::testing {

struct LabNode {
  std::string name;
  std::string role;
  std::string process;  // the roostd process (or in-process runtime) that hosts it
  nlohmann::json config = nlohmann::json::object();
  std::string site = "lab";
  std::vector<core::Network> networks{core::Network::Management, core::Network::ClusterHost, core::Network::Oam};
};

struct LabFloating {
  std::string name;
  std::vector<core::Network> networks{core::Network::Management, core::Network::ClusterHost, core::Network::Oam};
};

class LabLayout {
 public:
  static constexpr std::size_t kMaxNodes = 1000;
  static constexpr std::size_t kMaxFloating = 4;

  // Throws std::invalid_argument on a duplicate or empty name, a node without a process, or too many nodes.
  explicit LabLayout(std::vector<LabNode> nodes, std::uint64_t seed = 1);

  const std::vector<LabNode>& nodes() const { return nodes_; }
  const LabNode& node(const std::string& name) const;
  std::vector<std::string> processes() const;  // in order of first appearance
  std::vector<std::string> nodes_of(const std::string& process) const;

  // Throws std::invalid_argument if the node is not attached to `net`.
  std::string address(const std::string& node, core::Network net) const;

  // Adds a floating name to every process's config. Throws std::invalid_argument on a name already used
  // (by a node or a floating name), no networks, or more than kMaxFloating names.
  void add_floating(LabFloating f);
  const std::vector<LabFloating>& floating() const { return floating_; }
  // Throws std::invalid_argument for an unknown name or a network the name is not on.
  std::string floating_address(const std::string& name, core::Network net) const;
  std::uint16_t datagram_port() const { return datagram_port_; }
  std::uint16_t call_port() const { return call_port_; }
  std::uint64_t seed() const { return seed_; }

  // The roostd config of `process`: its nodes hosted, every other node a peer, every floating name; `log`
  // is put as is.
  nlohmann::json config_for(const std::string& process, const nlohmann::json& log) const;

 private:
  std::vector<LabNode> nodes_;
  std::map<std::string, std::size_t> index_;
  std::vector<LabFloating> floating_;
  std::uint8_t a_ = 0, b_ = 0;
  std::uint16_t datagram_port_ = 0, call_port_ = 0;
  std::uint64_t seed_;
};

}  // namespace roost::testing
