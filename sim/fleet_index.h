// The fleet as numbers: every node and site of a (validated) SimConfig gets a dense id, so the hot paths
// (routing a message, checking a fault) index vectors instead of hashing names.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/config.h"

namespace roost::sim {

using NodeId = std::uint32_t;
using SiteId = std::uint32_t;
// A floating name of one site (SiteSpec::floating), numbered across the fleet.
using FloatingId = std::uint32_t;
inline constexpr FloatingId kNoFloating = UINT32_MAX;

struct FloatingInfo {
  const std::string* name = nullptr;  // points into the SimConfig
  SiteId site = 0;
};

struct NodeInfo {
  const SimNodeSpec* spec = nullptr;  // points into the SimConfig the index was built from
  SiteId site = 0;
  std::uint8_t networks = 0;          // bit i set: attached to network i
  const std::string& name() const { return spec->node.name; }
};

// Lets the name maps be searched with a string_view, without building a std::string per message.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class FleetIndex {
 public:
  // `config` must outlive the index and not move.
  explicit FleetIndex(const SimConfig& config);

  const std::vector<NodeInfo>& nodes() const { return nodes_; }
  const NodeInfo& node(NodeId id) const { return nodes_[id]; }
  const SiteSpec& site(SiteId id) const { return config_.sites[id]; }
  std::size_t site_count() const { return config_.sites.size(); }
  // Node ids of a site, in config order.
  const std::vector<NodeId>& site_nodes(SiteId id) const { return site_nodes_[id]; }

  std::optional<NodeId> find_node(std::string_view name) const;
  std::optional<SiteId> find_site(std::string_view name) const;

  const FloatingInfo& floating(FloatingId id) const { return floating_[id]; }
  std::size_t floating_count() const { return floating_.size(); }
  // Site `site`'s own floating name `name` (what its nodes may claim).
  std::optional<FloatingId> find_floating_in(SiteId site, std::string_view name) const;
  // The floating name `name` as a node of site `from` addresses it: its own site's, else the one site that
  // has it. nullopt with `why` set when it is no floating name, or when several other sites have it.
  std::optional<FloatingId> resolve_floating(SiteId from, std::string_view name, std::string& why) const;
  bool attached(NodeId id, core::Network net) const {
    return (nodes_[id].networks >> static_cast<unsigned>(net)) & 1u;
  }

 private:
  const SimConfig& config_;
  std::vector<NodeInfo> nodes_;
  std::vector<std::vector<NodeId>> site_nodes_;
  std::unordered_map<std::string, NodeId, NameHash, std::equal_to<>> node_by_name_;
  std::unordered_map<std::string, SiteId, NameHash, std::equal_to<>> site_by_name_;
  std::vector<FloatingInfo> floating_;
  // Name -> the ids of the sites' floating names of that name, in site order.
  std::unordered_map<std::string, std::vector<FloatingId>, NameHash, std::equal_to<>> floating_by_name_;
};

}  // namespace roost::sim
