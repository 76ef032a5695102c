#include "sim/node_env.h"

#include <sstream>

#include "backends/openssl_crypto.h"
#include "platform/fm/memory_alarm_store.h"
#include "platform/inv/host_store.h"
#include "sim/site_runtime.h"
#include "sim/world.h"

namespace roost::sim {
namespace {
std::string millis(core::Duration d) {
  std::ostringstream s;
  s << core::to_millis(d);
  return s.str();
}
}  // namespace

NodeEnv::NodeEnv(SiteRuntime& site, NodeId id, std::uint32_t incarnation)
    : site_(site),
      world_(site.world()),
      id_(id),
      incarnation_(incarnation),
      name_(world_.fleet.node(id).name()),
      rng_(core::Rng::derive(world_.config.seed, name_ + "#" + std::to_string(incarnation))),
      hardware_(*this, site, id) {}

core::TimePoint NodeEnv::now() const { return core::TimePoint(core::Duration(site_.now())); }

std::int64_t NodeEnv::wall_time_us() const { return world_.config.wall_epoch_us + site_.now() / 1000; }

std::shared_ptr<void> NodeEnv::resource(std::type_index type) {
  auto& durable = world_.slots[id_].durable;
  if (auto it = durable.find(type); it != durable.end()) return it->second;
  if (type == std::type_index(typeid(inv::HostStore))) {
    std::shared_ptr<inv::HostStore> hosts = std::make_shared<inv::MemoryHostStore>();
    return durable[type] = std::shared_ptr<void>(hosts, hosts.get());
  }
  if (type != std::type_index(typeid(fm::AlarmStore))) return nullptr;
  std::shared_ptr<fm::AlarmStore> store = std::make_shared<fm::MemoryAlarmStore>();
  return durable[type] = std::shared_ptr<void>(store, store.get());
}

bool NodeEnv::reboot(std::string_view reason) {
  if (retired_) return false;
  world_.sim_record(site_.now(), "node.rebooting", {{"node", name_}, {"reason", reason}});
  Event e;
  e.t = site_.now();
  e.kind = Event::Kind::Reboot;
  e.node = id_;
  e.incarnation = incarnation_;
  site_.schedule(std::move(e));
  return true;
}

core::TimerId NodeEnv::after(core::Duration d, std::function<void()> fn) {
  const core::TimerId id = next_timer_++;
  if (retired_) return id;
  timers_.emplace(id, std::move(fn));
  Event e;
  e.t = site_.now() + std::max<std::int64_t>(d.count(), 0);
  e.kind = Event::Kind::Timer;
  e.node = id_;
  e.incarnation = incarnation_;
  e.id = id;
  site_.schedule(std::move(e));
  return id;
}

void NodeEnv::cancel(core::TimerId id) { timers_.erase(id); }

void NodeEnv::fire_timer(core::TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;  // cancelled
  auto fn = std::move(it->second);
  timers_.erase(it);
  ++world_.stats.timer_events;
  fn();
}

void NodeEnv::send(const std::string& to, core::Network net, core::Envelope msg) {
  if (retired_ || world_.stopping()) return;
  NodeId to_id = 0;
  FloatingId floating = kNoFloating;
  if (world_.path.unroutable(id_, to, net, to_id, floating)) {
    ++world_.stats.unroutable_messages;
    ++world_.stats.dropped_messages;
    return;
  }
  auto p = std::make_unique<Packet>();
  p->kind = Packet::Kind::Datagram;
  p->from = id_;
  p->to = to_id;
  p->floating = floating;
  p->net = net;
  p->size = core::frame_size(name_, to, msg);
  p->envelope = std::move(msg);
  world_.path.send(site_, std::move(p));
}

void NodeEnv::call(const std::string& to, core::Network net, core::Envelope request, core::Duration timeout,
                   std::function<void(core::CallOutcome)> done) {
  if (retired_) return;
  ++world_.stats.calls;
  const std::uint64_t call_id = next_call_++;
  NodeId to_id = 0;
  FloatingId floating = kNoFloating;
  auto unroutable = world_.path.unroutable(id_, to, net, to_id, floating);
  // The deadline timer answers the call if nothing else does; for an unroutable destination it fires at
  // once (after the current callback), so `done` never runs inside call().
  core::CallFailure failure =
      unroutable ? core::CallFailure{core::CallError::Unreachable, *unroutable}
                 : core::CallFailure{core::CallError::Timeout,
                                     "no reply from '" + to + "' within " + millis(timeout) + " ms"};
  const core::TimerId deadline =
      after(unroutable ? core::Duration(0) : timeout,
            [this, call_id, failure = std::move(failure)]() mutable { complete_call(call_id, std::move(failure)); });
  calls_.emplace(call_id, PendingCall{std::move(done), deadline});
  if (unroutable) {
    ++world_.stats.unroutable_messages;
    ++world_.stats.dropped_messages;
    return;
  }
  if (world_.stopping()) return;
  auto p = std::make_unique<Packet>();
  p->kind = Packet::Kind::Request;
  p->from = id_;
  p->to = to_id;
  p->floating = floating;
  p->net = net;
  p->call_id = call_id;
  p->caller_incarnation = incarnation_;
  p->size = core::frame_size(name_, to, request);
  p->envelope = std::move(request);
  world_.path.send(site_, std::move(p));
}

void NodeEnv::complete_call(std::uint64_t call_id, core::CallOutcome outcome) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;  // already answered (a late reply after the timeout, or the reverse)
  auto done = std::move(it->second.done);
  timers_.erase(it->second.deadline);
  calls_.erase(it);
  if (std::holds_alternative<core::CallFailure>(outcome)) ++world_.stats.call_failures;
  if (done) done(std::move(outcome));
}

bool NodeEnv::claim_floating(const std::string& name) {
  return !retired_ && world_.claim_floating(id_, name, site_.now());
}

void NodeEnv::release_floating(const std::string& name) {
  if (!retired_) world_.release_floating(id_, name, site_.now());  // a dead incarnation's claims are gone already
}

const core::Crypto& NodeEnv::crypto() const { return backends::openssl_crypto(); }

bool NodeEnv::enabled(core::LogLevel level) const { return world_.trace.enabled(level); }

void NodeEnv::write(core::LogLevel level, std::string_view event, core::LogFields fields) {
  world_.trace.record(TraceRecord{now(), name_, level, std::string(event), std::move(fields)});
}

}  // namespace roost::sim
