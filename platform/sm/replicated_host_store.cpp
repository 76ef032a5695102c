#include "platform/sm/replicated_host_store.h"

#include <map>
#include <stdexcept>

#include "platform/inv/host_record.h"

namespace roost::sm {

namespace {

const char* kind_name(InventoryOpKind k) {
  switch (k) {
    case InventoryOpKind::PutSystem: return "put-system";
    case InventoryOpKind::PutHost: return "put-host";
    case InventoryOpKind::RemoveHost: return "remove-host";
  }
  return "?";
}

}  // namespace

// ---- active side --------------------------------------------------------------------------------------

InventoryShipper::InventoryShipper(core::Node& node, std::shared_ptr<inv::HostStore> local, Config config, Hooks hooks)
    : node_(node), local_(std::move(local)), config_(std::move(config)), hooks_(std::move(hooks)) {
  if (!local_) throw std::invalid_argument("InventoryShipper: needs the active's own host store");
}

InventoryShipper::~InventoryShipper() { *alive_ = false; }

void InventoryShipper::activate(std::uint64_t term) {
  active_ = true;
  term_ = term;
  ++generation_;
  next_seq_ = 0;
  queue_.clear();
  in_flight_ = false;
  retry_at_hello_ = false;
  // The standby may hold anything (it may have been the active until now): it gets the whole store first.
  need_snapshot_ = true;
  peer_present_ = false;  // the controller says (peer_update)
  behind_ = false;
  failures_ = 0;
  fell_behind();
}

void InventoryShipper::deactivate() {
  if (!active_) return;
  active_ = false;
  ++generation_;
  queue_.clear();
  in_flight_ = false;
  need_snapshot_ = false;
}

void InventoryShipper::peer_update(bool present) {
  if (!active_) return;
  if (present && !peer_present_) {
    // Back (or first heard): what it missed meanwhile is unknown; the whole store is cheap next to guessing.
    need_snapshot_ = true;
    fell_behind();
  }
  peer_present_ = present;
  retry_at_hello_ = false;
  pump();
}

void InventoryShipper::put_system(const inv::System& s) {
  InventoryOp op;
  op.kind = InventoryOpKind::PutSystem;
  op.uuid = s.uuid;
  op.record = inv::system_record(s);
  enqueue(std::move(op));
}

void InventoryShipper::put_host(const inv::Host& h) {
  InventoryOp op;
  op.kind = InventoryOpKind::PutHost;
  op.uuid = h.uuid;
  op.record = inv::host_record(h);
  enqueue(std::move(op));
}

void InventoryShipper::remove_host(const std::string& uuid) {
  InventoryOp op;
  op.kind = InventoryOpKind::RemoveHost;
  op.uuid = uuid;
  enqueue(std::move(op));
}

void InventoryShipper::enqueue(InventoryOp op) {
  if (!active_) return;  // a service still stopping after go-standby: the new active's snapshot rules
  op.seq = ++next_seq_;
  // A snapshot not yet sent will be read from the local store, which already holds this change.
  if (need_snapshot_) return;
  queue_.push_back(std::move(op));
  if (queue_.size() > config_.max_queue) {
    queue_.clear();
    need_snapshot_ = true;
    fell_behind();
  }
  pump();
}

bool InventoryShipper::caught_up() const {
  return active_ && !behind_ && !need_snapshot_ && !in_flight_ && queue_.empty();
}

void InventoryShipper::fell_behind() {
  if (behind_) return;
  behind_ = true;
  shipped_since_behind_ = 0;
}

void InventoryShipper::pump() {
  if (!active_ || in_flight_ || !peer_present_ || retry_at_hello_) return;
  if (!need_snapshot_ && queue_.empty()) return;
  const auto net = hooks_.route ? hooks_.route() : std::nullopt;
  if (!net) return;
  if (need_snapshot_) send_snapshot(*net);
  else send_ops(*net);
}

void InventoryShipper::send_snapshot(core::Network net) {
  ReplicateInventory req;
  req.term = term_;
  req.snapshot = true;
  req.seq = next_seq_;
  try {
    if (auto s = local_->load_system()) {
      InventoryOp op;
      op.seq = req.seq;
      op.kind = InventoryOpKind::PutSystem;
      op.uuid = s->uuid;
      op.record = inv::system_record(*s);
      req.ops.push_back(std::move(op));
    }
    for (const inv::Host& h : local_->load_hosts()) {
      InventoryOp op;
      op.seq = req.seq;
      op.kind = InventoryOpKind::PutHost;
      op.uuid = h.uuid;
      op.record = inv::host_record(h);
      req.ops.push_back(std::move(op));
    }
  } catch (const inv::StoreError& e) {
    // Retried at the next hello; said once per run of failures.
    if (failures_++ == 0) node_.log().warn("sm.inventory_sync", {{"state", "snapshot-failed"}, {"error", e.what()}});
    retry_at_hello_ = true;
    return;
  }
  // Everything given a position so far is in what was just read.
  queue_.clear();
  need_snapshot_ = false;
  in_flight_ = true;
  node_.log().info("sm.inventory_sync", {{"state", "snapshot"}, {"ops", req.ops.size()}, {"peer", config_.peer},
                                         {"term", term_}, {"seq", req.seq}});
  const auto gen = generation_;
  node_.call<ReplicateInventory>(config_.peer, net, req, config_.timeout * 4,
                                 [this, alive = std::weak_ptr<bool>(alive_), gen, n = req.ops.size()](core::Result<InventoryAck> r) {
                                   if (alive.expired() || gen != generation_) return;
                                   if (r && r->ok) shipped_since_behind_ += n;
                                   on_reply(r, true);
                                 });
}

void InventoryShipper::send_ops(core::Network net) {
  ReplicateInventory req;
  req.term = term_;
  for (const auto& op : queue_) {
    if (req.ops.size() >= config_.max_batch) break;
    req.ops.push_back(op);
  }
  req.seq = req.ops.back().seq;
  in_flight_ = true;
  const auto gen = generation_;
  node_.call<ReplicateInventory>(config_.peer, net, req, config_.timeout,
                                 [this, alive = std::weak_ptr<bool>(alive_), gen](core::Result<InventoryAck> r) {
                                   if (alive.expired() || gen != generation_) return;
                                   on_reply(r, false);
                                 });
}

void InventoryShipper::on_reply(const core::Result<InventoryAck>& r, bool snapshot) {
  in_flight_ = false;
  if (!r || !r->ok) {
    ++failures_;
    fell_behind();
    // A snapshot that did not land must be sent again; ops that did not land are still queued.
    if (snapshot || (r && r->need_snapshot)) need_snapshot_ = true;
    // The standby answered ops with "no base": send the snapshot now. Otherwise (no answer, a refusal: it
    // is active or knows a newer term, or a snapshot it could not install) wait for the next hello, which
    // also says whether it is still our standby: neither new writes nor a failing store make a retry storm.
    if (!snapshot && r && r->need_snapshot) return pump();
    retry_at_hello_ = true;
    return;
  }
  failures_ = 0;
  if (!snapshot && r->term == term_) {
    while (!queue_.empty() && queue_.front().seq <= r->seq) {
      queue_.pop_front();
      ++shipped_since_behind_;
    }
  }
  if (behind_ && queue_.empty() && !need_snapshot_) {
    behind_ = false;
    node_.log().info("sm.inventory_sync", {{"state", "caught-up"}, {"ops", shipped_since_behind_}, {"peer", config_.peer},
                                           {"term", term_}, {"seq", r->seq}});
  }
  pump();
}

nlohmann::json InventoryShipper::to_json() const {
  return {{"active", active_},     {"term", term_},           {"seq", next_seq_},
          {"queued", queue_.size()}, {"in_flight", in_flight_}, {"need_snapshot", need_snapshot_},
          {"caught_up", caught_up()}};
}

void ReplicatedHostStore::put_system(const inv::System& s) {
  local_->put_system(s);
  shipper_.put_system(s);
}

void ReplicatedHostStore::put_host(const inv::Host& h) {
  local_->put_host(h);
  shipper_.put_host(h);
}

void ReplicatedHostStore::remove_host(const std::string& uuid) {
  local_->remove_host(uuid);
  shipper_.remove_host(uuid);
}

// ---- standby side -------------------------------------------------------------------------------------

InventoryApplier::InventoryApplier(core::Node& node, std::shared_ptr<inv::HostStore> store, Hooks hooks)
    : node_(node), store_(std::move(store)), hooks_(std::move(hooks)) {
  node_.on_call<ReplicateInventory>([this](const core::Peer&, const ReplicateInventory& m, core::Responder<InventoryAck> r) {
    r(on_request(m));
  });
}

InventoryAck InventoryApplier::ack(bool ok, std::string error, bool need_snapshot) const {
  InventoryAck a;
  a.ok = ok;
  a.need_snapshot = need_snapshot;
  a.term = applied_term_;
  a.seq = applied_seq_;
  a.error = std::move(error);
  return a;
}

InventoryAck InventoryApplier::on_request(const ReplicateInventory& m) {
  if (!store_)
    return ack(false, node_.name() + " runs no maintenance/inventory service (no \"mtce\" in its services)");
  if (hooks_.active && hooks_.active()) return ack(false, node_.name() + " is active");
  if (hooks_.known_term && m.term < hooks_.known_term())
    return ack(false, "term " + std::to_string(m.term) + " is older than " + std::to_string(hooks_.known_term()));
  return m.snapshot ? install_snapshot(m) : apply_ops(m);
}

InventoryAck InventoryApplier::install_snapshot(const ReplicateInventory& m) {
  // A snapshot older than what this stream already applied (a delayed retry): nothing to do.
  if (m.term == applied_term_ && m.seq < applied_seq_) return ack(true);
  // Every record is read before the store is touched: a bad snapshot leaves the store as it was.
  std::optional<inv::System> system;
  std::vector<inv::Host> hosts;
  std::map<std::string, std::uint64_t> ids;  // uuid -> id
  for (std::size_t i = 0; i < m.ops.size(); ++i) {
    const auto& op = m.ops[i];
    try {
      switch (op.kind) {
        case InventoryOpKind::PutSystem: system = inv::system_from_record(op.record); break;
        case InventoryOpKind::PutHost:
          hosts.push_back(inv::host_from_record(op.record));
          ids[hosts.back().uuid] = hosts.back().id;
          break;
        default: throw std::invalid_argument(std::string("a snapshot holds records, not ") + kind_name(op.kind));
      }
    } catch (const std::invalid_argument& e) {
      node_.log().error("sm.inventory_apply_failed", {{"snapshot", true}, {"op", i}, {"error", e.what()}});
      return ack(false, "inventory snapshot op " + std::to_string(i) + ": " + e.what(), true);
    }
  }
  try {
    // Hosts the active does not hold go first, and so do ours whose id the snapshot gives another host's
    // uuid (ids are unique in the store): then every put below is an insert or an update of its own row.
    for (const inv::Host& h : store_->load_hosts()) {
      auto it = ids.find(h.uuid);
      if (it == ids.end() || it->second != h.id) store_->remove_host(h.uuid);
    }
    if (system) store_->put_system(*system);
    for (const inv::Host& h : hosts) store_->put_host(h);
  } catch (const inv::StoreError& e) {
    applied_term_ = applied_seq_ = 0;  // partly installed: no base for ops until a snapshot lands
    node_.log().error("sm.inventory_apply_failed", {{"snapshot", true}, {"error", e.what()}});
    return ack(false, std::string("inventory snapshot: ") + e.what(), true);
  }
  applied_term_ = m.term;
  applied_seq_ = m.seq;
  return ack(true);
}

InventoryAck InventoryApplier::apply_ops(const ReplicateInventory& m) {
  if (m.term != applied_term_)
    return ack(false, "no inventory base at term " + std::to_string(m.term) + " (have term " + std::to_string(applied_term_) + ")",
               true);
  for (const auto& op : m.ops) {
    if (op.seq <= applied_seq_) continue;  // here already: a retried request
    if (op.seq != applied_seq_ + 1)
      return ack(false, "inventory gap: have seq " + std::to_string(applied_seq_) + ", got " + std::to_string(op.seq), true);
    try {
      switch (op.kind) {
        case InventoryOpKind::PutSystem: store_->put_system(inv::system_from_record(op.record)); break;
        case InventoryOpKind::PutHost: store_->put_host(inv::host_from_record(op.record)); break;
        case InventoryOpKind::RemoveHost:
          if (op.uuid.empty()) throw std::invalid_argument("remove-host names no uuid");
          store_->remove_host(op.uuid);
          break;
        default: throw std::invalid_argument("unknown op kind " + std::to_string(static_cast<int>(op.kind)));
      }
    } catch (const std::exception& e) {  // a bad record (invalid_argument) or the store (StoreError)
      node_.log().error("sm.inventory_apply_failed",
                        {{"seq", op.seq}, {"kind", kind_name(op.kind)}, {"uuid", op.uuid}, {"error", e.what()}});
      // Ops are whole records: the snapshot that follows repairs whatever this one would have done.
      applied_term_ = applied_seq_ = 0;
      return ack(false, "inventory op " + std::to_string(op.seq) + " (" + kind_name(op.kind) + " " + op.uuid + "): " + e.what(),
                 true);
    }
    applied_seq_ = op.seq;
  }
  return ack(true);
}

}  // namespace roost::sm
