#include "sim/node_env.h"

#include <cstring>
#include <sstream>

#include "backends/openssl_crypto.h"
#include "platform/dc/subcloud_store.h"
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
  if (type == std::type_index(typeid(dc::SubcloudStore))) {
    std::shared_ptr<dc::SubcloudStore> subclouds = std::make_shared<dc::MemorySubcloudStore>();
    return durable[type] = std::shared_ptr<void>(subclouds, subclouds.get());
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

NodeEnv::TimerSlot* NodeEnv::pending_timer(core::TimerId id) {
  const auto index = static_cast<std::uint32_t>(id & 0xffffffffu);
  if (index >= timer_slots_.size()) return nullptr;
  TimerSlot& slot = timer_slots_[index];
  if (slot.generation != static_cast<std::uint32_t>(id >> 32) || !slot.pending) return nullptr;
  return &slot;
}

void NodeEnv::free_timer(TimerSlot& slot, std::uint32_t index) {
  slot.fn = nullptr;
  slot.pending = false;
  if (++slot.generation == 0) slot.generation = 1;  // ids are never 0
  free_timer_slots_.push_back(index);
}

core::TimerId NodeEnv::after(core::Duration d, std::function<void()> fn) {
  // A retired Env's timers never run; their ids (high bit set, no slot's generation) match nothing.
  if (retired_) return (std::uint64_t{1} << 63) | ++retired_timer_;
  std::uint32_t index;
  if (!free_timer_slots_.empty()) {
    index = free_timer_slots_.back();
    free_timer_slots_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(timer_slots_.size());
    timer_slots_.emplace_back();
  }
  TimerSlot& slot = timer_slots_[index];
  slot.fn = std::move(fn);
  slot.pending = true;
  const core::TimerId id = (static_cast<std::uint64_t>(slot.generation) << 32) | index;
  Event e;
  e.t = site_.now() + std::max<std::int64_t>(d.count(), 0);
  e.kind = Event::Kind::Timer;
  e.node = id_;
  e.incarnation = incarnation_;
  e.id = id;
  site_.schedule(std::move(e));
  return id;
}

void NodeEnv::cancel(core::TimerId id) {
  if (TimerSlot* slot = pending_timer(id)) free_timer(*slot, static_cast<std::uint32_t>(id & 0xffffffffu));
}

void NodeEnv::fire_timer(core::TimerId id) {
  TimerSlot* slot = pending_timer(id);
  if (!slot) return;  // cancelled
  auto fn = std::move(slot->fn);
  free_timer(*slot, static_cast<std::uint32_t>(id & 0xffffffffu));
  ++world_.stats.timer_events;
  fn();
}

std::optional<std::string> NodeEnv::route(const std::string& to, core::Network net, NodeId& to_id,
                                          FloatingId& floating) {
  const MessagePath::Destination* dest = destination(to);
  if (!dest) {
    MessagePath::Destination d;
    return world_.path.resolve(id_, to, d).value_or("unknown node '" + to + "'");
  }
  floating = dest->floating;
  return world_.path.unroutable(id_, to, *dest, net, to_id);
}

const MessagePath::Destination* NodeEnv::destination(const std::string& to) {
  const FleetIndex& fleet = world_.fleet;
  const MessagePath::Destination* dest = nullptr;
  const auto name_of = [&fleet](const MessagePath::Destination& d) -> const std::string& {
    return d.floating == kNoFloating ? fleet.node(d.node).name() : *fleet.floating(d.floating).name;
  };
  for (const KnownName& k : known_names_) {
    if (!k.used) break;
    const bool same = to.size() <= kInlineName
                          ? k.length == to.size() && std::memcmp(k.inline_name, to.data(), to.size()) == 0
                          : k.length == kLongName && name_of(k.dest) == to;
    if (same) {
      dest = &k.dest;
      break;
    }
  }
  if (!dest) {
    MessagePath::Destination d;
    if (world_.path.resolve(id_, to, d)) return nullptr;
    KnownName& k = known_names_[next_known_];
    next_known_ = static_cast<std::uint8_t>((next_known_ + 1) % known_names_.size());
    k.used = true;
    k.length = kLongName;
    if (to.size() <= kInlineName) {
      k.length = static_cast<std::uint8_t>(to.size());
      std::memcpy(k.inline_name, to.data(), to.size());
    }
    k.dest = d;
    dest = &k.dest;
  }
  return dest;
}

void NodeEnv::send(const std::string& to, core::Network net, core::Envelope msg) {
  if (retired_ || world_.stopping()) return;
  NodeId to_id = 0;
  const MessagePath::Destination* dest = destination(to);
  if (!dest || !world_.path.routable(id_, *dest, net, to_id)) {
    ++world_.stats.unroutable_messages;
    ++world_.stats.dropped_messages;
    return;
  }
  auto p = std::make_unique<Packet>();
  p->kind = Packet::Kind::Datagram;
  p->from = id_;
  p->to = to_id;
  p->floating = dest->floating;
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
  auto unroutable = route(to, net, to_id, floating);
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
  cancel(it->second.deadline);
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
