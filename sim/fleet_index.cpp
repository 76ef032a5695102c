#include "sim/fleet_index.h"

namespace roost::sim {

FleetIndex::FleetIndex(const SimConfig& config) : config_(config) {
  site_nodes_.resize(config.sites.size());
  for (SiteId s = 0; s < config.sites.size(); ++s) {
    site_by_name_.emplace(config.sites[s].name, s);
    for (const auto& spec : config.sites[s].nodes) {
      NodeInfo info;
      info.spec = &spec;
      info.site = s;
      for (core::Network n : spec.networks) info.networks |= static_cast<std::uint8_t>(1u << static_cast<unsigned>(n));
      const auto id = static_cast<NodeId>(nodes_.size());
      nodes_.push_back(info);
      site_nodes_[s].push_back(id);
      node_by_name_.emplace(spec.node.name, id);
    }
    for (const auto& name : config.sites[s].floating) {
      const auto id = static_cast<FloatingId>(floating_.size());
      floating_.push_back(FloatingInfo{&name, s});
      floating_by_name_[name].push_back(id);
    }
  }
}

std::optional<FloatingId> FleetIndex::find_floating_in(SiteId site, std::string_view name) const {
  auto it = floating_by_name_.find(name);
  if (it == floating_by_name_.end()) return std::nullopt;
  for (FloatingId f : it->second)
    if (floating_[f].site == site) return f;
  return std::nullopt;
}

std::optional<FloatingId> FleetIndex::resolve_floating(SiteId from, std::string_view name, std::string& why) const {
  auto it = floating_by_name_.find(name);
  if (it == floating_by_name_.end()) {
    why = "unknown node '" + std::string(name) + "'";
    return std::nullopt;
  }
  if (auto own = find_floating_in(from, name)) return own;
  if (it->second.size() == 1) return it->second.front();
  std::string sites;
  for (FloatingId f : it->second) sites += (sites.empty() ? "'" : ", '") + site(floating_[f].site).name + "'";
  why = "floating name '" + std::string(name) + "' belongs to several sites (" + sites + "), not to '" +
        site(from).name + "'";
  return std::nullopt;
}

std::optional<NodeId> FleetIndex::find_node(std::string_view name) const {
  auto it = node_by_name_.find(name);
  if (it == node_by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<SiteId> FleetIndex::find_site(std::string_view name) const {
  auto it = site_by_name_.find(name);
  if (it == site_by_name_.end()) return std::nullopt;
  return it->second;
}

}  // namespace roost::sim
