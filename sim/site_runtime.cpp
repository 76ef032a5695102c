#include "sim/site_runtime.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "sim/message_path.h"
#include "sim/node_env.h"
#include "sim/sim_processes.h"
#include "sim/simulated_bmc.h"
#include "sim/world.h"

namespace roost::sim {
namespace {

const char* kind_name(Event::Kind k) {
  switch (k) {
    case Event::Kind::Timer: return "timer";
    case Event::Kind::Deliver: return "delivery";
    case Event::Kind::Crash: return "crash";
    case Event::Kind::Restart: return "restart";
    case Event::Kind::Boot: return "boot";
    case Event::Kind::BmcPower: return "BMC power action";
    case Event::Kind::BmcCycleOn: return "BMC power-cycle restore";
    case Event::Kind::BmcSensor: return "BMC sensor change";
    case Event::Kind::Reboot: return "reboot";
    case Event::Kind::ProcessKill: return "process kill";
  }
  return "?";
}

}  // namespace

SiteRuntime::SiteRuntime(World& world, SiteId id)
    : world_(world),
      scheduler_(*world.scheduler),
      id_(id),
      link_rng_(core::Rng::derive(world.config.seed, "link/" + world.fleet.site(id).name)) {}

SiteRuntime::~SiteRuntime() = default;

void SiteRuntime::start() {
  try {
    boot_at_start();
  } catch (const std::exception& ex) {
    world_.fail("site '" + world_.fleet.site(id_).name + "': starting its nodes failed: " + ex.what());
  }
}

void SiteRuntime::run_event(Event& e) {
  try {
    dispatch(e);
  } catch (const std::exception& ex) {
    std::ostringstream what;
    what << "site '" << world_.fleet.site(id_).name << "': " << kind_name(e.kind) << " for node '"
         << world_.fleet.node(e.packet ? e.packet->to : e.node).name() << "' at t=" << static_cast<double>(now()) / 1e9
         << " s threw: " << ex.what();
    world_.fail(what.str());
  }
}

void SiteRuntime::boot_at_start() {
  for (const auto& a : world_.node_actions(id_)) {
    Event e;
    e.t = a.t;
    switch (a.kind) {
      case FaultSchedule::NodeAction::Kind::Crash: e.kind = Event::Kind::Crash; break;
      case FaultSchedule::NodeAction::Kind::Restart: e.kind = Event::Kind::Restart; break;
      case FaultSchedule::NodeAction::Kind::KillProcess:
        e.kind = Event::Kind::ProcessKill;
        e.id = a.fault;
        break;
    }
    e.node = a.node;
    schedule(std::move(e));
  }
  // Scheduled sensor readings of the site's BMCs.
  for (NodeId n : world_.fleet.site_nodes(id_)) {
    const auto& bmc = world_.fleet.node(n).spec->bmc;
    if (!bmc) continue;
    for (std::size_t i = 0; i < bmc->changes.size(); ++i) {
      Event e;
      e.t = bmc->changes[i].at.time_since_epoch().count();
      e.kind = Event::Kind::BmcSensor;
      e.node = n;
      e.id = i;
      schedule(std::move(e));
    }
  }
  // Every node is built first, then started, both in config order.
  std::vector<NodeId> built;
  for (NodeId n : world_.fleet.site_nodes(id_)) {
    if (world_.fleet.node(n).spec->start_down) continue;
    bring_up(n);
    built.push_back(n);
  }
  for (NodeId n : built) world_.slots[n].node->start();
}

void SiteRuntime::dispatch(Event& e) {
  switch (e.kind) {
    case Event::Kind::Timer: {
      NodeSlot& slot = world_.slots[e.node];
      if (slot.state == NodeSlot::State::Up && slot.incarnation == e.incarnation) slot.env->fire_timer(e.id);
      break;
    }
    case Event::Kind::Deliver: deliver(*e.packet); break;
    case Event::Kind::Crash: crash(e.node, "crash"); break;
    case Event::Kind::Restart: restart(e.node); break;
    case Event::Kind::Boot: boot(e.node, e.id); break;
    case Event::Kind::BmcPower: bmc_power(e.node, static_cast<core::PowerAction>(e.id), e.by); break;
    case Event::Kind::BmcCycleOn: bmc_power_on(e.node); break;
    case Event::Kind::BmcSensor: bmc_sensor(e.node, e.id); break;
    case Event::Kind::Reboot: reboot(e.node, e.incarnation); break;
    case Event::Kind::ProcessKill: kill_process(e.node, e.id); break;
  }
}

void SiteRuntime::deliver(Packet& p) {
  const bool accepted = world_.path.accepts(p, now());  // first: it may hand a floating name's packet to its holder
  NodeSlot& slot = world_.slots[p.to];
  if (!accepted || (p.kind == Packet::Kind::Reply && slot.incarnation != p.caller_incarnation)) {
    ++world_.stats.dropped_messages;
    return;
  }
  if (p.via_simgrid) {
    ++world_.stats.simgrid_messages;
    world_.stats.simgrid_bytes += p.size;
  } else {
    ++world_.stats.local_messages;
  }
  world_.trace.delivered(now(), p.from, p.to, p.net, p.failure ? 0 : p.envelope.type, p.size);
  const core::Peer& peer = world_.peer(p.from, p.net);
  switch (p.kind) {
    case Packet::Kind::Datagram: slot.node->deliver(peer, p.envelope); break;
    case Packet::Kind::Request: {
      // The reply goes back only while the serving incarnation lives; a server that crashes with the
      // request in hand answers nothing (the caller times out).
      World* w = &world_;
      const NodeId server = p.to, caller = p.from;
      const std::uint32_t server_incarnation = slot.incarnation, caller_incarnation = p.caller_incarnation;
      const std::uint64_t call_id = p.call_id;
      const core::Network net = p.net;
      core::Reply reply([w, server, caller, server_incarnation, caller_incarnation, call_id,
                         net](core::CallOutcome outcome) {
        if (w->stopping()) return;
        const NodeSlot& s = w->slots[server];
        if (s.state != NodeSlot::State::Up || s.incarnation != server_incarnation) return;
        auto r = std::make_unique<Packet>();
        r->kind = Packet::Kind::Reply;
        r->from = server;
        r->to = caller;
        r->net = net;
        r->call_id = call_id;
        r->caller_incarnation = caller_incarnation;
        if (auto* env = std::get_if<core::Envelope>(&outcome)) {
          r->envelope = std::move(*env);
        } else {
          r->failure = std::get<core::CallFailure>(std::move(outcome));
          r->envelope = core::Envelope{0, r->failure->detail};
        }
        r->size = core::frame_size(w->fleet.node(server).name(), w->fleet.node(caller).name(), r->envelope);
        w->path.send(*w->sites[w->fleet.node(server).site], std::move(r));
      });
      slot.node->serve(peer, p.envelope, std::move(reply));
      break;
    }
    case Packet::Kind::Reply:
      slot.env->complete_call(p.call_id, p.failure ? core::CallOutcome(std::move(*p.failure))
                                                   : core::CallOutcome(std::move(p.envelope)));
      break;
  }
}

void SiteRuntime::crash(NodeId node, const char* reason) {
  NodeSlot& slot = world_.slots[node];
  if (slot.state == NodeSlot::State::Down) return;
  const bool was_up = slot.state == NodeSlot::State::Up;
  slot.state = NodeSlot::State::Down;
  ++slot.boot_token;  // a boot in progress is abandoned
  world_.sim_record(now(), "node.down",
                    {{"node", world_.fleet.node(node).name()}, {"reason", reason}, {"incarnation", slot.incarnation}});
  if (!was_up) return;
  world_.release_all_floating(node, now(), reason);  // before anything is destroyed: nobody may route to it now
  // The slot is emptied before anything is destroyed, so that nothing run by a destructor finds the node.
  auto dead_node = std::move(slot.node);
  auto dead_env = std::move(slot.env);
  dead_env->retire();
  dead_node.reset();
  processes_.erase(node);  // the host's processes end with it (after the node, whose destructor may stop some)
  dead_env.reset();
}

void SiteRuntime::restart(NodeId node) {
  NodeSlot& slot = world_.slots[node];
  if (slot.state == NodeSlot::State::Booting) return;
  if (slot.state == NodeSlot::State::Up) crash(node, "restart");
  if (auto& bmc = world_.bmcs[node]) bmc->set_powered(true);  // a restart fault implies power
  begin_boot(node, world_.fleet.node(node).spec->boot_time.count());
}

void SiteRuntime::reboot(NodeId node, std::uint32_t incarnation) {
  NodeSlot& slot = world_.slots[node];
  if (slot.state != NodeSlot::State::Up || slot.incarnation != incarnation) return;  // crashed meanwhile
  crash(node, "reboot");
  const auto& spec = *world_.fleet.node(node).spec;
  const auto& bmc = world_.bmcs[node];
  begin_boot(node, (bmc ? bmc->boot_time(spec.boot_time) : spec.boot_time).count());
}

void SiteRuntime::begin_boot(NodeId node, std::int64_t delay) {
  NodeSlot& slot = world_.slots[node];
  slot.state = NodeSlot::State::Booting;
  Event e;
  e.t = now() + delay;
  e.kind = Event::Kind::Boot;
  e.node = node;
  e.id = ++slot.boot_token;
  schedule(std::move(e));
}

void SiteRuntime::bmc_power(NodeId node, core::PowerAction action, NodeId by) {
  SimulatedBmc& bmc = *world_.bmcs[node];
  world_.sim_record(now(), "bmc.power", {{"node", world_.fleet.node(node).name()},
                                        {"action", std::string(core::to_string(action))},
                                        {"by", world_.fleet.node(by).name()}});
  const auto boot_time = [&] { return bmc.boot_time(world_.fleet.node(node).spec->boot_time).count(); };
  switch (action) {
    case core::PowerAction::Off:
      bmc.set_powered(false);
      crash(node, "power-off");
      break;
    case core::PowerAction::On:
      if (bmc.powered()) break;  // already on: a host hung with its power on stays hung
      bmc.set_powered(true);
      if (world_.slots[node].state == NodeSlot::State::Down) begin_boot(node, boot_time());
      break;
    case core::PowerAction::Reset:
      if (!bmc.powered()) break;  // a reset pulse does not power a host on
      crash(node, "reset");
      begin_boot(node, boot_time());
      break;
    case core::PowerAction::Cycle: {
      bmc.set_powered(false);
      crash(node, "power-cycle");
      Event e;
      e.t = now() + bmc.spec().cycle_off.count();
      e.kind = Event::Kind::BmcCycleOn;
      e.node = node;
      schedule(std::move(e));
      break;
    }
  }
}

void SiteRuntime::bmc_power_on(NodeId node) {
  SimulatedBmc& bmc = *world_.bmcs[node];
  if (bmc.powered()) return;  // someone powered it on meanwhile
  bmc.set_powered(true);
  if (world_.slots[node].state == NodeSlot::State::Down)
    begin_boot(node, bmc.boot_time(world_.fleet.node(node).spec->boot_time).count());
}

void SiteRuntime::bmc_sensor(NodeId node, std::size_t change) {
  SimulatedBmc& bmc = *world_.bmcs[node];
  const core::SensorReading r = bmc.reading(bmc.apply_change(change));
  core::LogFields fields{{"node", world_.fleet.node(node).name()}, {"sensor", r.name}};
  if (r.value) fields.emplace_back("value", *r.value);
  fields.emplace_back("status", std::string(core::to_string(r.status)));
  world_.sim_record(now(), "bmc.sensor", std::move(fields));
}

void SiteRuntime::boot(NodeId node, std::uint64_t token) {
  NodeSlot& slot = world_.slots[node];
  if (slot.state != NodeSlot::State::Booting || slot.boot_token != token) return;
  bring_up(node);
  world_.sim_record(now(), "node.up", {{"node", world_.fleet.node(node).name()}, {"incarnation", slot.incarnation}});
  slot.node->start();
}

void SiteRuntime::bring_up(NodeId node) {
  NodeSlot& slot = world_.slots[node];
  ++slot.incarnation;
  slot.env = std::make_unique<NodeEnv>(*this, node, slot.incarnation);
  processes_[node] = std::make_unique<SimProcesses>(*slot.env, *this, node);  // a fresh host runs none yet
  slot.node = world_.roles.make(*slot.env, world_.fleet.node(node).spec->node);
  if (!slot.node) throw std::runtime_error("role '" + world_.fleet.node(node).spec->node.role + "' built no node");
  slot.state = NodeSlot::State::Up;
}

SimProcesses& SiteRuntime::processes(NodeId node) {
  auto it = processes_.find(node);
  if (it == processes_.end())
    throw std::logic_error("node '" + world_.fleet.node(node).name() + "' is not up: it has no processes");
  return *it->second;
}

void SiteRuntime::kill_process(NodeId node, std::size_t fault) {
  const FaultSpec& f = world_.faults.spec(fault);
  auto it = processes_.find(node);
  const std::size_t killed = it == processes_.end() ? 0 : it->second->kill(f.process);
  // A kill that finds nothing (the node is down, the process is between two runs) is worth a record too.
  if (killed == 0)
    world_.sim_record(now(), "process.kill_missed", {{"node", world_.fleet.node(node).name()}, {"process", f.process}});
}

void SiteRuntime::shut_down() {
  for (NodeId n : world_.fleet.site_nodes(id_)) {
    NodeSlot& slot = world_.slots[n];
    slot.state = NodeSlot::State::Down;
    world_.release_all_floating(n, now(), "end of run", false);
    auto node = std::move(slot.node);
    auto env = std::move(slot.env);
    if (env) env->retire();
    node.reset();
    processes_.erase(n);
    env.reset();
  }
}

}  // namespace roost::sim
