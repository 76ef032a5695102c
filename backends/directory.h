// Where every node of the fleet can be reached: its address on each network. Built once from the
// runtime config (hosted nodes, peers and floating names alike); addresses are parsed here so sending
// never parses. A floating name resolves to its own addresses: whichever node has claimed it (bound
// them) gets what is sent there, and nobody does while no node holds it.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/address.hpp>

#include "backends/runtime_config.h"
#include "platform/core/network.h"

namespace roost::backends {

struct DirectoryEntry {
  std::string name;
  bool hosted_here = false;
  bool floating = false;  // a floating name (RuntimeConfig::floating), not a node
  std::array<std::optional<boost::asio::ip::address>, core::kNetworkCount> address;
  std::array<std::string, core::kNetworkCount> address_text;

  const std::optional<boost::asio::ip::address>& on(core::Network n) const {
    return address[static_cast<std::size_t>(n)];
  }
  const std::string& text_on(core::Network n) const { return address_text[static_cast<std::size_t>(n)]; }
};

class Directory {
 public:
  // The config is validated already (parse_runtime_config), so every address parses.
  explicit Directory(const RuntimeConfig& config);
  const DirectoryEntry* find(const std::string& node) const;
  std::size_t size() const { return entries_.size(); }

 private:
  void add(const std::string& name, const NodeAddresses& addresses, bool hosted, bool floating);
  std::unordered_map<std::string, DirectoryEntry> entries_;
};

}  // namespace roost::backends
