#include "sim/platform_builder.h"

#include <simgrid/s4u/NetZone.hpp>

namespace roost::sim {
namespace {

namespace sg = simgrid::s4u;

constexpr double kHostSpeed = 1e9;  // flops; nothing computes, hosts only send, receive and sleep

double seconds(core::Duration d) { return core::to_seconds(d); }

sg::SplitDuplexLink* make_link(sg::NetZone* zone, const std::string& name, const LinkSpec& spec, double latency_s) {
  auto* link = zone->create_split_duplex_link(name, spec.bandwidth_bps / 8.0);
  link->set_latency(latency_s);
  return link;
}

}  // namespace

Platform build_platform(const SimConfig& config, const FleetIndex& fleet) {
  Platform p;
  auto* root = sg::create_star_zone("roost");
  p.control = root->create_host("roost/control", kHostSpeed);
  p.backbone = root->create_link("backbone", config.backbone.bandwidth_bps / 8.0);
  p.backbone->set_latency(seconds(config.backbone.latency));
  p.endpoint_of_node.resize(fleet.nodes().size());

  for (SiteId s = 0; s < fleet.site_count(); ++s) {
    const SiteSpec& site = fleet.site(s);
    auto* wan = make_link(root, "wan/" + site.name, site.wan, seconds(site.wan.latency));
    p.site_wan.push_back(wan);
    const std::vector<sg::LinkInRoute> wan_route{sg::LinkInRoute(wan, sg::LinkInRoute::Direction::UP),
                                                 sg::LinkInRoute(p.backbone)};
    if (config.lan_mode == LanMode::LocalQueue) {
      auto* host = root->create_host("site/" + site.name, kHostSpeed);
      root->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, wan_route, true);
      p.site_runtime.push_back(host);
      const auto endpoint = static_cast<std::uint32_t>(p.endpoints.size());
      p.endpoints.push_back(host);
      for (NodeId n : fleet.site_nodes(s)) p.endpoint_of_node[n] = endpoint;
      continue;
    }
    auto* zone = sg::create_star_zone("zone/" + site.name);
    zone->set_parent(root);
    auto* router = zone->create_router("router/" + site.name);
    p.site_runtime.push_back(zone->create_host("runtime/" + site.name, kHostSpeed));
    for (NodeId n : fleet.site_nodes(s)) {
      const std::string& name = fleet.node(n).name();
      auto* host = zone->create_host("node/" + name, kHostSpeed);
      auto* lan = make_link(zone, "lan/" + name, site.lan, seconds(site.lan.latency) / 2);
      zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                      {sg::LinkInRoute(lan, sg::LinkInRoute::Direction::UP)}, true);
      p.endpoint_of_node[n] = static_cast<std::uint32_t>(p.endpoints.size());
      p.endpoints.push_back(host);
    }
    zone->seal();
    root->add_route(zone->get_netpoint(), nullptr, router, nullptr, wan_route, true);
  }
  root->seal();
  return p;
}

}  // namespace roost::sim
