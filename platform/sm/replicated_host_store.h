// The maintenance/inventory service's host store, replicated to the standby controller.
//
// The nested mtce (role "controller") keeps the system record and every host in inv::HostStore. Each
// controller has its own (Env::resource<inv::HostStore>(): SQLite on the real runtime); without this, the
// controller taking over would start maintenance from whatever its store held the last time it was
// active: other uuids, old availability, hosts failed and re-enabled for nothing.
//
// Active side. The active's nested mtce gets a ReplicatedHostStore (a NestedNodeActions override, like the
// FM store): every put_system / put_host / remove_host goes to the local store first (synchronous and
// durable, as before) and is queued as a logical, idempotent operation: the whole record (inv/host_record.h)
// or a removal by uuid, numbered by a stream position (term, seq). An InventoryShipper sends the queue to
// the standby (ReplicateInventory, one request in flight, what queued meanwhile rides along); a request
// that fails stays queued and is retried at the next hello. A full snapshot (the system and every host;
// the standby replaces its content) goes first on activation, whenever the standby (re)appears, and when
// the standby answers that it has no base for the ops (it restarted, a gap, another term, a failed apply).
//
// Standby side (InventoryApplier, on every controller): applies the stream to its own resource<HostStore>()
// in order (ops it already has are skipped: a retried request), refuses while active or from an older term.
//
// Not ack-gated, unlike FM's alarms (replicator.h): HostStore's API is synchronous, so a change is
// acknowledged to its maker (an operator's REST call, maintenance's state change) before the standby has
// it. Changes made within a replication round trip of a failover can be lost; the new active's
// maintenance then works from the state just before them.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/core/network.h"
#include "platform/core/node.h"
#include "platform/inv/host_store.h"
#include "platform/sm/messages.h"

namespace roost::sm {

class InventoryShipper {
 public:
  struct Config {
    std::string peer;
    core::Duration timeout = core::milliseconds(500);  // an op request; a snapshot gets four times this
    std::size_t max_batch = 128;                         // ops per request
    // Ops queued for a standby that does not take them: past this many, a snapshot replaces them.
    std::size_t max_queue = 4096;
  };
  struct Hooks {
    // The network to reach the peer on now (one whose hellos arrive), or none.
    std::function<std::optional<core::Network>()> route;
  };
  // `local` is the active's own store: snapshots are read from it.
  InventoryShipper(core::Node& node, std::shared_ptr<inv::HostStore> local, Config config, Hooks hooks);
  ~InventoryShipper();
  InventoryShipper(const InventoryShipper&) = delete;
  InventoryShipper& operator=(const InventoryShipper&) = delete;

  // Becomes the source at `term`: the stream restarts, a snapshot goes first.
  void activate(std::uint64_t term);
  // Stops shipping: what is queued or in flight is dropped (the new active sends its own snapshot).
  void deactivate();
  bool activated() const { return active_; }

  // What the controller knows of the peer at each hello: present (heard and not active). A standby that
  // (re)appears gets a snapshot; a pending retry goes now.
  void peer_update(bool present);

  // A change the local store has just made durably.
  void put_system(const inv::System& s);
  void put_host(const inv::Host& h);
  void remove_host(const std::string& uuid);

  // The standby acknowledged everything up to now (nothing queued, in flight or owed as a snapshot).
  bool caught_up() const;
  std::size_t queued() const { return queue_.size(); }
  nlohmann::json to_json() const;  // for `roost sm status`

 private:
  void enqueue(InventoryOp op);
  void pump();
  void send_snapshot(core::Network net);
  void send_ops(core::Network net);
  void on_reply(const core::Result<InventoryAck>& r, bool snapshot);
  void fell_behind();

  core::Node& node_;
  std::shared_ptr<inv::HostStore> local_;
  Config config_;
  Hooks hooks_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  bool active_ = false;
  std::uint64_t term_ = 0;
  std::uint64_t generation_ = 0;  // bumps on activate/deactivate: stale replies are ignored
  std::uint64_t next_seq_ = 0;    // the last stream position given to an op
  std::deque<InventoryOp> queue_;  // not yet acknowledged, oldest first
  bool need_snapshot_ = false;    // a snapshot must be sent (ops given positions meanwhile are in it)
  bool in_flight_ = false;
  bool peer_present_ = false;
  bool retry_at_hello_ = false;   // the last request failed: the next hello (peer_update) retries, not a write
  // Since the last "caught-up": the standby was behind (a snapshot, a failed request). Logged when it
  // holds everything again, so sm.inventory_sync stays a few records per failover, not one per write.
  bool behind_ = false;
  std::uint64_t shipped_since_behind_ = 0;
  std::uint64_t failures_ = 0;
};

// The store the active's nested mtce writes through: local first, then the shipper's queue. The shipper
// must outlive it (the ServiceManager stops its services before it destroys the shipper).
class ReplicatedHostStore final : public inv::HostStore {
 public:
  ReplicatedHostStore(std::shared_ptr<inv::HostStore> local, InventoryShipper& shipper)
      : local_(std::move(local)), shipper_(shipper) {}

  std::optional<inv::System> load_system() override { return local_->load_system(); }
  std::vector<inv::Host> load_hosts() override { return local_->load_hosts(); }
  // A local failure (StoreError) propagates and nothing is queued: the standby never gets a change the
  // active does not hold.
  void put_system(const inv::System& s) override;
  void put_host(const inv::Host& h) override;
  void remove_host(const std::string& uuid) override;

 private:
  std::shared_ptr<inv::HostStore> local_;
  InventoryShipper& shipper_;
};

// Standby side: registers the ReplicateInventory handler on `node`. `store` null: this controller runs no
// maintenance/inventory service, and says so to a peer that sends it inventory.
class InventoryApplier {
 public:
  struct Hooks {
    std::function<std::uint64_t()> known_term;  // the highest term this node knows
    std::function<bool()> active;               // whether this node is active (it then refuses)
  };
  InventoryApplier(core::Node& node, std::shared_ptr<inv::HostStore> store, Hooks hooks);

  // The stream position applied last (term 0: no snapshot since this node started).
  std::uint64_t applied_term() const { return applied_term_; }
  std::uint64_t applied_seq() const { return applied_seq_; }

 private:
  InventoryAck on_request(const ReplicateInventory& m);
  InventoryAck install_snapshot(const ReplicateInventory& m);
  InventoryAck apply_ops(const ReplicateInventory& m);
  InventoryAck ack(bool ok, std::string error = {}, bool need_snapshot = false) const;

  core::Node& node_;
  std::shared_ptr<inv::HostStore> store_;
  Hooks hooks_;
  // In memory only: after a restart the first ops find no base and ask for a snapshot.
  std::uint64_t applied_term_ = 0, applied_seq_ = 0;
};

}  // namespace roost::sm
