// Replicator: keeps the standby's copy of one durable store (core::ReplicaStore) in step with the active's.
//
// Active side. Every write takes the next log position (term, seq); the store commits it and hands back
// its changeset, which goes into an in-memory log and to the standby (ReplicateChanges, one request in
// flight, everything queued since riding along: group commit). A write is released to its client only
// when the standby has it durably, while the pair is in sync. The sync state:
//   in-sync    the standby acknowledged everything up to our position; writes wait for its ack;
//   resyncing  the standby is present but behind (or diverged): we send what it lacks (changes from the
//              log, or a snapshot when the log no longer reaches back) and writes wait, unless the standby
//              has said it knows it is not in sync (then it will not take over: writes go on alone);
//   away       the standby is not heard; writes wait until the controller proves the standby down
//              (set_alone(true): witnesses, see witness.h) or the standby comes back;
//   degraded   writes go on alone (allowed by set_alone or by the standby's "not in sync" answer).
// A write is never acknowledged on the active alone while the standby might take over without it: that
// is the whole of "no acknowledged write lost across a failover".
//
// Standby side: applies ReplicateChanges / InstallSnapshot from the active in log order, each change
// atomically with its position, and acknowledges with its durable position.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <functional>
#include <optional>
#include <string>

#include "platform/core/network.h"
#include "platform/core/node.h"
#include "platform/core/replica.h"
#include "platform/sm/messages.h"

namespace roost::sm {

enum class SyncState : std::uint8_t { Away, Resyncing, InSync, Degraded };
std::string_view to_string(SyncState s);

class Replicator {
 public:
  struct Config {
    std::string store = "fm";
    std::string peer;
    core::Duration timeout = core::milliseconds(500);  // per replication request
    std::size_t log_capacity = 8192;                     // changes kept for catching a standby up
    std::size_t max_batch = 256;                         // changes per request
  };
  struct Hooks {
    // The network to reach the peer on now (one whose hellos arrive), or none.
    std::function<std::optional<core::Network>()> route;
    // The highest term this node knows (a request from an older active is refused).
    std::function<std::uint64_t()> known_term;
    // Whether this node is active (a standby never takes replication while active).
    std::function<bool()> active;
    // The sync state changed (the controller logs sm.sync, raises/clears 400.002, says it in hellos).
    std::function<void(SyncState)> on_sync;
  };
  // Registers the standby-side handlers for this store on `node` (one Replicator per store name).
  Replicator(core::Node& node, core::ReplicaStore& store, Config config, Hooks hooks);
  ~Replicator();
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  // Active side ------------------------------------------------------------------------------------
  // Becomes the source at `term`: positions continue from the store's, under the new term. The first
  // position taken is a term marker (an empty write) the caller commits through write().
  void activate(std::uint64_t term);
  // Stops being the source: waiting writes are dropped unanswered (their clients time out and retry).
  void deactivate();
  bool activated() const { return active_; }
  // While fenced, new writes fail at once ("swact in progress"): a swact drains what is in flight.
  void fence(bool on) { fenced_ = on; }

  // Takes the next position and runs `commit(at, committed)`; `committed(ok, error, changeset)` must run
  // exactly once. `released(ok, error)` runs when the write may be acknowledged (or failed locally).
  using Committed = std::function<void(bool ok, std::string error, std::string changeset)>;
  void write(std::function<void(core::LogPosition at, Committed committed)> commit,
             std::function<void(bool ok, const std::string& error)> released);

  // What the controller knows of the peer, from its hellos: present (heard and not active), its durable
  // position, its own in-sync flag and the sync epoch it answers for.
  void peer_update(bool present, core::LogPosition position, bool peer_in_sync, std::uint64_t peer_epoch);
  // Writes may go on without the standby (the controller has proof it is down).
  void set_alone(bool alone);

  SyncState sync() const { return sync_; }
  std::uint64_t sync_epoch() const { return epoch_; }
  bool in_sync() const { return sync_ == SyncState::InSync; }
  std::size_t waiting() const { return waiting_.size(); }
  core::LogPosition position() const { return last_; }  // the last position taken (active)
  // What this node's store durably holds, without waiting on the store (a SQLite store's position() waits
  // for its queue): active: the last commit; standby: the last change or snapshot applied.
  core::LogPosition durable_position() const { return active_ ? committed_ : applied_; }
  // Everything written so far is on the standby (nothing waiting, nothing in flight): swact may go.
  bool drained() const;
  // Runs `fn` once the standby holds everything written so far (or false after `timeout`).
  void when_drained(core::Duration timeout, std::function<void(bool)> fn);

  // Standby side -----------------------------------------------------------------------------------
  // Whether the active's last word (its hellos) said this standby is in sync, for the epoch it named.
  void standby_view(bool in_sync, std::uint64_t epoch) { standby_in_sync_ = in_sync, standby_epoch_ = epoch; }
  bool standby_in_sync() const { return standby_in_sync_; }
  std::uint64_t standby_epoch() const { return standby_epoch_; }
  // The standby declares itself out of sync (restart, long loss of the active): it will not take over.
  void standby_outdate() { standby_in_sync_ = false; }

 private:
  struct Change {
    core::LogPosition at;
    std::string changeset;
  };
  struct Waiting {
    std::uint64_t seq;
    std::function<void(bool, const std::string&)> released;
    bool failed = false;  // the local commit failed: released with the error in turn
    std::string error;
  };
  void pump();
  void send_changes(core::Network net);
  void send_snapshot(core::Network net);
  void on_ack(const core::Result<ReplicationAck>& r, std::uint64_t sent_up_to);
  void release();
  void set_sync(SyncState s);
  bool may_go_alone() const;
  void on_changes(const ReplicateChanges& m, core::Responder<ReplicationAck> reply);
  void on_snapshot(const InstallSnapshot& m, core::Responder<ReplicationAck> reply);
  void apply_next(std::shared_ptr<ReplicateChanges> m, std::size_t i, core::Responder<ReplicationAck> reply);
  ReplicationAck ack(bool ok, std::string error = {}, bool need_snapshot = false);

  core::Node& node_;
  core::ReplicaStore& store_;
  Config config_;
  Hooks hooks_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  // Active side.
  bool active_ = false;
  std::uint64_t term_ = 0;
  core::LogPosition last_;          // last position taken
  core::LogPosition committed_;     // last position committed locally (in order)
  std::deque<Change> log_;          // committed changes, oldest first, up to log_capacity
  core::LogPosition log_base_;      // the position just before log_.front()
  std::deque<Waiting> waiting_;
  std::optional<core::LogPosition> peer_pos_;  // the standby's durable position, as last reported
  core::LogPosition acked_;         // what the standby acknowledged to us in this activation
  bool acked_valid_ = false;
  bool peer_present_ = false;
  bool peer_in_sync_ = false;
  std::uint64_t peer_epoch_ = 0;
  bool need_snapshot_ = false;
  bool alone_ = false;
  bool fenced_ = false;
  bool in_flight_ = false;
  int failures_ = 0;
  SyncState sync_ = SyncState::Away;
  std::uint64_t epoch_ = 0;
  std::uint64_t generation_ = 0;    // bumps on activate/deactivate: stale completions are ignored
  std::map<std::uint64_t, std::pair<std::function<void(bool)>, core::TimerId>> drained_waiters_;
  std::uint64_t next_waiter_ = 0;

  // Standby side.
  core::LogPosition applied_;
  bool applying_ = false;
  bool standby_in_sync_ = false;
  std::uint64_t standby_epoch_ = 0;
};

}  // namespace roost::sm
