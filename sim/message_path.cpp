#include "sim/message_path.h"

#include <cmath>

#include "sim/site_runtime.h"
#include "sim/transport.h"
#include "sim/world.h"

namespace roost::sim {
namespace {

std::int64_t jitter(const LinkSpec& l, core::Rng& rng) {
  return l.jitter.count() > 0 ? rng.between(std::int64_t{0}, l.jitter.count()) : 0;
}

std::int64_t transfer_ns(std::size_t bytes, double bandwidth_bps) {
  return std::llround(static_cast<double>(bytes) * 8.0 * 1e9 / bandwidth_bps);
}

}  // namespace

std::optional<std::string> MessagePath::resolve(NodeId from, std::string_view to, Destination& dest) const {
  const FleetIndex& fleet = world_.fleet;
  if (auto id = fleet.find_node(to)) {
    dest = Destination{*id, kNoFloating};
    return std::nullopt;
  }
  std::string why;
  auto f = fleet.resolve_floating(fleet.node(from).site, to, why);
  if (!f) return why;
  dest = Destination{0, *f};
  return std::nullopt;
}

std::optional<std::string> MessagePath::unroutable(NodeId from, std::string_view to, const Destination& dest,
                                                   core::Network net, NodeId& to_id) const {
  const FleetIndex& fleet = world_.fleet;
  if (dest.floating == kNoFloating) {
    to_id = dest.node;
  } else {
    const auto& holder = world_.floating_holders[dest.floating];
    if (!holder)
      return "no node holds floating name '" + std::string(to) + "' (site '" +
             fleet.site(fleet.floating(dest.floating).site).name + "')";
    to_id = *holder;
  }
  const auto net_name = [net] { return std::string(core::to_string(net)); };
  if (!fleet.attached(from, net)) return "'" + fleet.node(from).name() + "' is not attached to network " + net_name();
  if (!fleet.attached(to_id, net)) return "'" + std::string(to) + "' is not attached to network " + net_name();
  if (net != core::Network::Wan && fleet.node(from).site != fleet.node(to_id).site)
    return "network " + net_name() + " does not leave site '" + fleet.site(fleet.node(from).site).name + "' ('" +
           std::string(to) + "' is in site '" + fleet.site(fleet.node(to_id).site).name + "')";
  return std::nullopt;
}

bool MessagePath::routable(NodeId from, const Destination& dest, core::Network net, NodeId& to_id) const {
  const FleetIndex& fleet = world_.fleet;
  if (dest.floating == kNoFloating) {
    to_id = dest.node;
  } else {
    const auto& holder = world_.floating_holders[dest.floating];
    if (!holder) return false;
    to_id = *holder;
  }
  return fleet.attached(from, net) && fleet.attached(to_id, net) &&
         (net == core::Network::Wan || fleet.node(from).site == fleet.node(to_id).site);
}

void MessagePath::send(SiteRuntime& from_site, std::unique_ptr<Packet> p) {
  const std::int64_t t = from_site.now();
  const FaultSchedule& faults = world_.faults;
  const NodeInfo& a = world_.fleet.node(p->from);
  const NodeInfo& b = world_.fleet.node(p->to);
  const bool cross_site = a.site != b.site;
  auto drop = [&] { ++world_.stats.dropped_messages; };

  if (faults.network_down(p->from, p->net, t) || faults.network_down(p->to, p->net, t) ||
      faults.partitioned(p->from, p->to, t))
    return drop();
  if (cross_site && (faults.site_wan_down(a.site, t) || faults.site_wan_down(b.site, t))) return drop();

  const SiteSpec& sa = world_.fleet.site(a.site);
  const SiteSpec& sb = world_.fleet.site(b.site);
  core::Rng& rng = from_site.link_rng();
  if (p->kind == Packet::Kind::Datagram) {
    // Link loss and MessageLoss faults take datagrams only: calls model a reliable transport.
    const double link_loss = cross_site ? 1.0 - (1.0 - sa.wan.loss) * (1.0 - sb.wan.loss) : sa.lan.loss;
    if (rng.chance(link_loss)) return drop();
    if (rng.chance(faults.loss(p->from, p->to, p->net, t))) return drop();
  }
  std::int64_t extra = faults.delay(p->from, p->to, p->net, t, rng);
  extra += cross_site ? jitter(sa.wan, rng) + jitter(sb.wan, rng) : jitter(sa.lan, rng);

  const bool local = p->from == p->to || (!cross_site && world_.config.lan_mode == LanMode::LocalQueue);
  if (local) {
    Event e;
    e.t = t + extra;
    if (p->from != p->to) e.t += sa.lan.latency.count() + transfer_ns(p->size, sa.lan.bandwidth_bps);
    e.kind = Event::Kind::Deliver;
    e.packet = std::move(p);
    from_site.schedule(std::move(e));
    return;
  }
  p->via_simgrid = true;
  world_.transport->transmit(std::move(p), extra);
}

bool MessagePath::accepts(Packet& p, std::int64_t t) const {
  if (p.floating != kNoFloating) {
    const auto& holder = world_.floating_holders[p.floating];
    if (!holder || !world_.fleet.attached(*holder, p.net)) return false;
    p.to = *holder;
  }
  return world_.slots[p.to].state == NodeSlot::State::Up && !world_.faults.network_down(p.to, p.net, t);
}

}  // namespace roost::sim
