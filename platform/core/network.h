// The networks a node may be attached to. Each node has one address per network, so a fault
// (or a test) can cut one network of one node and leave the others alone.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace roost::core {

enum class Network : std::uint8_t {
  Management = 0,   // mgmt: heartbeats, maintenance, internal APIs
  ClusterHost = 1,  // cluster-host: second heartbeat path, storage/k8s traffic
  Oam = 2,          // operations, administration and maintenance: the public API
  Wan = 3,          // system controller <-> subclouds
};

inline constexpr std::array<Network, 4> kAllNetworks{Network::Management, Network::ClusterHost, Network::Oam,
                                                     Network::Wan};
inline constexpr std::size_t kNetworkCount = kAllNetworks.size();

constexpr std::string_view to_string(Network n) {
  switch (n) {
    case Network::Management: return "mgmt";
    case Network::ClusterHost: return "cluster-host";
    case Network::Oam: return "oam";
    case Network::Wan: return "wan";
  }
  return "?";
}

constexpr std::optional<Network> parse_network(std::string_view s) {
  for (Network n : kAllNetworks)
    if (to_string(n) == s) return n;
  if (s == "management") return Network::Management;
  return std::nullopt;
}

}  // namespace roost::core
