#include "sim/fault_schedule.h"

#include <algorithm>

namespace roost::sim {

FaultSchedule::FaultSchedule(const SimConfig& config, const FleetIndex& fleet)
    : faults_(config.faults),
      fleet_(fleet),
      by_node_(fleet.nodes().size()),
      node_kinds_(fleet.nodes().size(), 0),
      by_site_(fleet.site_count()) {
  static_assert(static_cast<unsigned>(FaultKind::ProcessKill) < 8, "FaultSchedule::bit() keeps kinds in a byte");
  for (std::uint32_t i = 0; i < faults_.size(); ++i) {
    const FaultSpec& f = faults_[i];
    windows_.push_back({f.at.time_since_epoch().count(), f.until ? f.until->time_since_epoch().count() : kForever});
    auto add_node = [&](const std::string& name) {
      const NodeId id = *fleet.find_node(name);
      auto& list = by_node_[id];
      if (list.empty() || list.back() != i) list.push_back(i);
      node_kinds_[id] |= bit(f.kind);
    };
    switch (f.kind) {
      case FaultKind::NetworkDown:
      case FaultKind::MessageLoss:
      case FaultKind::MessageDelay:
        if (f.nodes.empty()) {
          everyone_.push_back(i);
          everyone_kinds_ |= bit(f.kind);
        }
        for (const auto& n : f.nodes) add_node(n);
        break;
      case FaultKind::Partition: {
        auto& side = partition_side_[i];
        side.assign(fleet.nodes().size(), 0);
        for (std::size_t g = 0; g < 2; ++g)
          for (const auto& n : f.groups[g]) {
            side[*fleet.find_node(n)] = static_cast<std::int8_t>(g + 1);
            add_node(n);
          }
        break;
      }
      case FaultKind::SiteWanDown:
        by_site_[*fleet.find_site(f.site)].push_back(i);
        break;
      case FaultKind::ProcessKill:
        for (const auto& n : f.nodes) add_node(n);  // for crash_loop(); the kill itself is a site event
        break;
      case FaultKind::HostCrash:
      case FaultKind::HostRestart:
        break;  // site events, see node_actions()
    }
  }
}

bool FaultSchedule::lists(NodeId node, std::uint32_t fault) const {
  const auto& l = by_node_[node];
  return std::binary_search(l.begin(), l.end(), fault);
}

bool FaultSchedule::applies(std::uint32_t fault, core::Network net, std::int64_t t) const {
  if (!windows_[fault].active(t)) return false;
  const auto& n = faults_[fault].network;
  return !n || *n == net;
}

// Calls fn(fault) once for every fault of `kind` that names a or b or everyone.
template <class F>
void FaultSchedule::for_each_fault_of(NodeId a, NodeId b, FaultKind kind, F&& fn) const {
  if (!may(a, b, kind)) return;
  for (std::uint32_t f : everyone_)
    if (faults_[f].kind == kind) fn(f);
  for (std::uint32_t f : by_node_[a])
    if (faults_[f].kind == kind) fn(f);
  if (b != a)
    for (std::uint32_t f : by_node_[b])
      if (faults_[f].kind == kind && !lists(a, f)) fn(f);
}

bool FaultSchedule::network_down(NodeId node, core::Network net, std::int64_t t) const {
  bool down = false;
  for_each_fault_of(node, node, FaultKind::NetworkDown, [&](std::uint32_t f) { down = down || applies(f, net, t); });
  return down;
}

bool FaultSchedule::partitioned(NodeId a, NodeId b, std::int64_t t) const {
  if (!(node_kinds_[a] & bit(FaultKind::Partition))) return false;
  for (std::uint32_t f : by_node_[a]) {
    if (faults_[f].kind != FaultKind::Partition || !windows_[f].active(t)) continue;
    const auto& side = partition_side_.at(f);
    if (side[a] != 0 && side[b] != 0 && side[a] != side[b]) return true;
  }
  return false;
}

bool FaultSchedule::site_wan_down(SiteId site, std::int64_t t) const {
  for (std::uint32_t f : by_site_[site])
    if (windows_[f].active(t)) return true;
  return false;
}

double FaultSchedule::loss(NodeId a, NodeId b, core::Network net, std::int64_t t) const {
  double kept = 1.0;
  for_each_fault_of(a, b, FaultKind::MessageLoss, [&](std::uint32_t f) {
    if (applies(f, net, t)) kept *= 1.0 - faults_[f].fraction;
  });
  return 1.0 - kept;
}

std::int64_t FaultSchedule::delay(NodeId a, NodeId b, core::Network net, std::int64_t t, core::Rng& rng) const {
  std::int64_t extra = 0;
  for_each_fault_of(a, b, FaultKind::MessageDelay, [&](std::uint32_t f) {
    if (applies(f, net, t) && rng.chance(faults_[f].fraction)) extra += faults_[f].delay.count();
  });
  return extra;
}

bool FaultSchedule::crash_loop(NodeId node, std::string_view process, std::int64_t t) const {
  for (std::uint32_t f : by_node_[node]) {
    const FaultSpec& spec = faults_[f];
    if (spec.kind == FaultKind::ProcessKill && spec.crash_loop && spec.process == process && windows_[f].active(t))
      return true;
  }
  return false;
}

std::vector<FaultSchedule::NodeAction> FaultSchedule::node_actions() const {
  std::vector<NodeAction> out;
  for (std::uint32_t i = 0; i < faults_.size(); ++i) {
    const FaultSpec& f = faults_[i];
    if (f.kind == FaultKind::ProcessKill) {
      for (const auto& n : f.nodes) out.push_back({windows_[i].at, *fleet_.find_node(n), NodeAction::Kind::KillProcess, i});
      continue;
    }
    if (f.kind != FaultKind::HostCrash && f.kind != FaultKind::HostRestart) continue;
    std::vector<NodeId> targets;
    if (f.nodes.empty()) {
      for (NodeId n = 0; n < fleet_.nodes().size(); ++n) targets.push_back(n);
    } else {
      for (const auto& n : f.nodes) targets.push_back(*fleet_.find_node(n));
    }
    for (NodeId n : targets) {
      if (f.kind == FaultKind::HostCrash) {
        out.push_back({windows_[i].at, n, NodeAction::Kind::Crash, i});
        if (f.until) out.push_back({windows_[i].until, n, NodeAction::Kind::Restart, i});
      } else {
        out.push_back({windows_[i].at, n, NodeAction::Kind::Restart, i});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const NodeAction& x, const NodeAction& y) { return x.t < y.t; });
  return out;
}

std::vector<FaultSchedule::Boundary> FaultSchedule::boundaries() const {
  std::vector<Boundary> out;
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    out.push_back({windows_[i].at, i, true});
    if (windows_[i].until != kForever) out.push_back({windows_[i].until, i, false});
  }
  std::stable_sort(out.begin(), out.end(), [](const Boundary& x, const Boundary& y) {
    if (x.t != y.t) return x.t < y.t;
    if (x.fault != y.fault) return x.fault < y.fault;
    return x.start && !y.start;
  });
  return out;
}

std::string FaultSchedule::describe_targets(const FaultSpec& f) {
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) s += (s.empty() ? "" : ",") + n;
    return s.empty() ? std::string("*") : s;
  };
  switch (f.kind) {
    case FaultKind::SiteWanDown: return f.site;
    case FaultKind::Partition: return f.groups.size() == 2 ? join(f.groups[0]) + "|" + join(f.groups[1]) : "?";
    case FaultKind::ProcessKill: return join(f.nodes) + ":" + f.process;
    default: return join(f.nodes);
  }
}

}  // namespace roost::sim
