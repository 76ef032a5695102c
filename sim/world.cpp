#include "sim/world.h"

#include "sim/node_env.h"
#include "sim/scheduler.h"
#include "sim/simulated_bmc.h"
#include "sim/site_runtime.h"

namespace roost::sim {

NodeSlot::NodeSlot() = default;
NodeSlot::~NodeSlot() = default;
NodeSlot::NodeSlot(NodeSlot&&) noexcept = default;
NodeSlot& NodeSlot::operator=(NodeSlot&&) noexcept = default;

World::World(const SimConfig& cfg, const core::RoleRegistry& r)
    : config(cfg),
      roles(r),
      fleet(cfg),
      faults(cfg, fleet),
      trace(cfg.trace_level),
      path(*this),
      slots(fleet.nodes().size()),
      end_ns(cfg.duration.count()),
      floating_holders(fleet.floating_count()),
      node_actions_(fleet.site_count()),
      peers_(fleet.nodes().size() * core::kNetworkCount) {
  for (const auto& a : faults.node_actions()) node_actions_[fleet.node(a.node).site].push_back(a);
  bmcs.resize(fleet.nodes().size());
  for (NodeId n = 0; n < fleet.nodes().size(); ++n)
    if (const SimNodeSpec& spec = *fleet.node(n).spec; spec.bmc)
      bmcs[n] = std::make_unique<SimulatedBmc>(*spec.bmc, cfg.seed, spec.node.name, !spec.start_down);
}

World::~World() = default;

void World::fail(std::string what) {
  if (stopping_) return;
  stopping_ = true;
  failure_ = std::move(what);
  if (scheduler) scheduler->wake();
  if (on_fail_) on_fail_();
}

bool World::claim_floating(NodeId node, std::string_view name, std::int64_t t) {
  const auto f = fleet.find_floating_in(fleet.node(node).site, name);
  if (!f) return false;
  auto& holder = floating_holders[*f];
  if (holder) return *holder == node;
  holder = node;
  sim_record(t, "floating.claim", {{"name", std::string(name)}, {"node", fleet.node(node).name()}});
  return true;
}

void World::release_floating(NodeId node, std::string_view name, std::int64_t t) {
  const auto f = fleet.find_floating_in(fleet.node(node).site, name);
  if (!f || floating_holders[*f] != node) return;
  floating_holders[*f].reset();
  sim_record(t, "floating.release",
             {{"name", std::string(name)}, {"node", fleet.node(node).name()}, {"reason", "released"}});
}

void World::release_all_floating(NodeId node, std::int64_t t, std::string_view reason, bool record) {
  for (FloatingId f = 0; f < floating_holders.size(); ++f) {
    if (floating_holders[f] != node) continue;
    floating_holders[f].reset();
    if (record)
      sim_record(t, "floating.release",
                 {{"name", *fleet.floating(f).name}, {"node", fleet.node(node).name()}, {"reason", std::string(reason)}});
  }
}

void World::sim_record(std::int64_t t, std::string event, core::LogFields fields) {
  trace.record(TraceRecord{core::TimePoint(core::Duration(t)), "sim", core::LogLevel::Info, std::move(event),
                           std::move(fields)});
}

}  // namespace roost::sim
