// The fault schedule as questions the message path asks: "is this network of this node down at t?",
// "are these two nodes partitioned at t?". Each answer is a pure function of the simulated time, so it
// does not matter in which order actors run within one instant: a fault is in force exactly on
// [at, until). Node crashes and restarts are not answered here: they are events in the owning site's
// queue (node_actions()), because they destroy and rebuild nodes; so are process kills, which end a
// process twin of a live node.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/core/rng.h"
#include "sim/config.h"
#include "sim/fleet_index.h"

namespace roost::sim {

class FaultSchedule {
 public:
  static constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();

  FaultSchedule(const SimConfig& config, const FleetIndex& fleet);

  bool network_down(NodeId node, core::Network net, std::int64_t t) const;
  bool partitioned(NodeId a, NodeId b, std::int64_t t) const;
  bool site_wan_down(SiteId site, std::int64_t t) const;
  // Probability that a datagram from a to b on `net` is lost to the MessageLoss faults in force at t.
  double loss(NodeId a, NodeId b, core::Network net, std::int64_t t) const;
  // Extra latency from the MessageDelay faults in force at t (each delays its `fraction` of messages);
  // draws from `rng` once per fault in force, never otherwise.
  std::int64_t delay(NodeId a, NodeId b, core::Network net, std::int64_t t, core::Rng& rng) const;

  // Whether a ProcessKill crash loop on `process` of `node` is in force at t: a run of it started then
  // dies again right away.
  bool crash_loop(NodeId node, std::string_view process, std::int64_t t) const;

  struct NodeAction {
    enum class Kind { Crash, Restart, KillProcess };
    std::int64_t t = 0;
    NodeId node = 0;
    Kind kind = Kind::Crash;
    std::size_t fault = 0;  // the fault it comes from (KillProcess: which process, in its spec)
  };
  // Crashes and restarts from HostCrash/HostRestart faults and kills from ProcessKill faults, in
  // (time, fault, node) order.
  std::vector<NodeAction> node_actions() const;

  struct Boundary {
    std::int64_t t = 0;
    std::size_t fault = 0;
    bool start = true;
  };
  // Every fault's start, and its end if it has one, in (time, fault, start-before-end) order.
  std::vector<Boundary> boundaries() const;

  const FaultSpec& spec(std::size_t fault) const { return faults_[fault]; }
  // Who a fault hits, for trace records: node names, a site, or "a,b|c,d" for a partition; "*" for all.
  static std::string describe_targets(const FaultSpec& f);

 private:
  struct Window {
    std::int64_t at = 0;
    std::int64_t until = kForever;
    bool active(std::int64_t t) const { return at <= t && t < until; }
  };
  static std::uint8_t bit(FaultKind k) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(k)); }
  // Whether any fault of `kind` names a or b or everyone: most messages meet no fault at all, and this
  // answers that from one byte per node.
  bool may(NodeId a, NodeId b, FaultKind kind) const {
    return ((node_kinds_[a] | node_kinds_[b] | everyone_kinds_) & bit(kind)) != 0;
  }
  bool lists(NodeId node, std::uint32_t fault) const;
  bool applies(std::uint32_t fault, core::Network net, std::int64_t t) const;
  template <class F>
  void for_each_fault_of(NodeId a, NodeId b, FaultKind kind, F&& fn) const;

  const std::vector<FaultSpec>& faults_;
  const FleetIndex& fleet_;
  std::vector<Window> windows_;
  std::vector<std::vector<std::uint32_t>> by_node_;  // faults naming the node (ascending)
  std::vector<std::uint32_t> everyone_;               // NetworkDown/Loss/Delay faults with no node list
  std::vector<std::uint8_t> node_kinds_;              // per node: bit(kind) of the faults in by_node_
  std::uint8_t everyone_kinds_ = 0;                   // bit(kind) of the faults in everyone_
  std::vector<std::vector<std::uint32_t>> by_site_;   // SiteWanDown faults per site
  std::unordered_map<std::uint32_t, std::vector<std::int8_t>> partition_side_;  // fault -> side per node (0: none)
};

}  // namespace roost::sim
