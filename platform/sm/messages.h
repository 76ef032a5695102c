// What the service managers of a controller pair, their witnesses and their clients say to each other.
// Type ids 0x03xx (sm band).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/codec.h"
#include "platform/core/replica.h"

namespace roost::sm {

// The controller role a service manager holds (sm.role in the trace).
enum class Role : std::uint8_t {
  Initial = 0,   // just started: waiting (initial_wait) to hear the peer
  Standby = 1,   // the peer is (or may be) active; holding the replica
  Active = 2,    // runs the 1+1 groups, holds the floating name, acknowledges writes
  Outdated = 3,  // standby that knows its replica may lack acknowledged writes: never goes active alone
};
std::string_view to_string(Role r);

// Controller <-> controller, every hello period on every configured network (StarlingX's ALIVE).
// `auth` is HMAC-SHA512 over the encoding of this message with `auth` empty, under the network's key;
// empty when the network has no key. A receiver drops a message whose (instance, seq) it has seen or
// passed (replay) and a message whose auth does not verify (both counted and logged once).
struct Hello {
  static constexpr core::MessageTypeId kType = 0x0300;
  static constexpr std::string_view kName = "sm.hello";
  std::string from;
  std::uint64_t instance = 0;     // random per incarnation
  std::uint64_t seq = 0;          // per instance and network, from 1
  Role role = Role::Initial;
  std::uint64_t term = 0;         // the term this node is active in / knows of (the highest seen)
  core::LogPosition position;     // its replica's durable position
  std::int32_t health = 0;        // 0 best; OAM down -1, cluster-host -2, mgmt -4 (self-assessed)
  std::uint32_t networks_heard = 0;  // bit per core::Network: the sender hears us on it
  std::uint32_t witnesses_reached = 0;
  bool reaches_storage = false;   // the storage witness answers it
  bool groups_stable = false;     // every 1+1 group stable (active or standby, nothing in progress)
  bool group_failed = false;      // a 1+1 group is failed on the sender
  bool in_sync = false;           // sender active: its standby is in sync; sender standby: it is in sync
  bool locked = false;            // administratively locked: never a swact/failover target
  // Sender active: counts its standby's sync transitions; sender standby: the count it last saw (its
  // in_sync flag answers for that epoch). An active may acknowledge writes alone once its standby has
  // answered "not in sync" for the current epoch: that standby will not take over.
  std::uint64_t sync_epoch = 0;
  // Counts the sender's hello rounds (one round = one hello on every network), per instance. Sequence
  // numbers are per network, so a hello that a slow network delivers late is still new there; the round
  // keeps its stale state (an old role, an old position) from overriding what faster networks said since.
  std::uint64_t round = 0;
  std::string auth;
  template <class V>
  void visit(V& v) {
    v("from", from); v("instance", instance); v("seq", seq); v("role", role); v("term", term);
    v("position_term", position.term); v("position_seq", position.seq); v("health", health);
    v("networks_heard", networks_heard); v("witnesses_reached", witnesses_reached);
    v("reaches_storage", reaches_storage); v("groups_stable", groups_stable); v("group_failed", group_failed);
    v("in_sync", in_sync); v("locked", locked); v("sync_epoch", sync_epoch); v("round", round); v("auth", auth);
  }
};

// What a controller claims at the witnesses (witness.h): the witnesses are the arbiters that let two
// controllers that cannot hear each other still never both act alone.
enum class Claim : std::uint8_t {
  None = 0,         // standby, outdated, initial
  GoingActive = 1,  // about to go active without hearing the peer: waits for a majority to record this
  Active = 2,
  Alone = 3,        // active and about to acknowledge writes without the standby
};
std::string_view to_string(Claim c);

// Controller -> witness (a worker or storage host's agent), every hello period on each of its networks and
// at once when its claim changes.
struct WitnessPing {
  static constexpr core::MessageTypeId kType = 0x0301;
  static constexpr std::string_view kName = "sm.witness_ping";
  std::string from;
  std::uint64_t seq = 0;
  std::uint64_t term = 0;
  Claim claim = Claim::None;
  // Random per incarnation: with seq, orders a controller's pings, which travel several networks and may
  // overtake each other; a witness never lets an older ping's claim replace a newer one's.
  std::uint64_t instance = 0;
  template <class V>
  void visit(V& v) { v("from", from); v("seq", seq); v("term", term); v("claim", claim); v("instance", instance); }
};

// Witness -> controller: the ping's seq back, its uptime (a witness that restarted has forgotten every
// claim: it counts for nothing until it has heard the controllers again), and for each controller it has
// heard: how long ago, and the term and claim of its last ping (claims are kept however old).
struct WitnessPong {
  static constexpr core::MessageTypeId kType = 0x0302;
  static constexpr std::string_view kName = "sm.witness_pong";
  std::string witness;
  std::uint64_t seq = 0;
  std::vector<std::string> controllers;
  std::vector<std::int64_t> heard_ms_ago;  // parallel to controllers
  std::int64_t uptime_ms = 0;
  std::vector<std::uint64_t> terms;        // parallel to controllers
  std::vector<Claim> claims;               // parallel to controllers
  // Parallel to controllers: it claimed Alone and has not claimed Active since. A controller that went on
  // alone and then restarted forgets it did (it starts claiming None); its witnesses do not, so its peer
  // still knows it lacks acknowledged writes.
  std::vector<std::uint8_t> alone_since_active;  // 0 or 1
  template <class V>
  void visit(V& v) {
    v("witness", witness); v("seq", seq); v("controllers", controllers); v("heard_ms_ago", heard_ms_ago);
    v("uptime_ms", uptime_ms); v("terms", terms); v("claims", claims); v("alone_since_active", alone_since_active);
  }
};

// Active -> standby: replicated changes [first.seq, ...] in log order; the ack names the standby's position.
struct ReplicationAck {
  static constexpr core::MessageTypeId kType = 0x0304;
  static constexpr std::string_view kName = "sm.replication_ack";
  bool ok = false;
  bool need_snapshot = false;     // a gap, a diverged replica, or a kind mismatch: send a snapshot
  core::LogPosition position;     // the standby's durable position after handling the request
  std::string error;
  template <class V>
  void visit(V& v) {
    v("ok", ok); v("need_snapshot", need_snapshot); v("position_term", position.term); v("position_seq", position.seq);
    v("error", error);
  }
};
struct ReplicateChanges {
  static constexpr core::MessageTypeId kType = 0x0303;
  static constexpr std::string_view kName = "sm.replicate_changes";
  using Response = ReplicationAck;
  std::string store;              // which replicated store ("fm")
  std::uint64_t term = 0;         // the active's term: a standby that knows a higher one refuses
  std::vector<std::uint64_t> terms;  // per change: its position
  std::vector<std::uint64_t> seqs;
  std::vector<std::string> changesets;
  template <class V>
  void visit(V& v) { v("store", store); v("term", term); v("terms", terms); v("seqs", seqs); v("changesets", changesets); }
};
struct InstallSnapshot {
  static constexpr core::MessageTypeId kType = 0x0305;
  static constexpr std::string_view kName = "sm.install_snapshot";
  using Response = ReplicationAck;
  std::string store;
  std::uint64_t term = 0;
  std::string kind;               // core::ReplicaStore::replica_kind of the sender's store
  std::uint64_t position_term = 0, position_seq = 0;
  std::string bytes;
  template <class V>
  void visit(V& v) {
    v("store", store); v("term", term); v("kind", kind); v("position_term", position_term); v("position_seq", position_seq);
    v("bytes", bytes);
  }
};

// Client -> the active (by the floating name): switch activity to the peer. Force skips the pre-checks.
struct SwactReply {
  static constexpr core::MessageTypeId kType = 0x0307;
  static constexpr std::string_view kName = "sm.swact_reply";
  bool ok = false;
  std::string error;       // why it was refused: "controller-1 is not in sync", ...
  std::string new_active;  // when ok
  template <class V>
  void visit(V& v) { v("ok", ok); v("error", error); v("new_active", new_active); }
};
struct SwactRequest {
  static constexpr core::MessageTypeId kType = 0x0306;
  static constexpr std::string_view kName = "sm.swact_request";
  using Response = SwactReply;
  std::string host;        // the host to move activity away from ("" = whichever is active)
  bool force = false;
  template <class V>
  void visit(V& v) { v("host", host); v("force", force); }
};

// Active -> standby during a swact: take over now (the sender has gone standby at `term`).
struct TakeoverReply {
  static constexpr core::MessageTypeId kType = 0x0309;
  static constexpr std::string_view kName = "sm.takeover_reply";
  bool ok = false;
  std::string error;
  template <class V>
  void visit(V& v) { v("ok", ok); v("error", error); }
};
struct TakeoverRequest {
  static constexpr core::MessageTypeId kType = 0x0308;
  static constexpr std::string_view kName = "sm.takeover_request";
  using Response = TakeoverReply;
  std::uint64_t term = 0;
  std::uint64_t position_term = 0, position_seq = 0;  // the sender's final position: the taker must hold it
  bool force = false;
  template <class V>
  void visit(V& v) { v("term", term); v("position_term", position_term); v("position_seq", position_seq); v("force", force); }
};

// Anyone -> a service manager: its sm-dump view as JSON text (what `roost sm status` shows).
struct StatusReply {
  static constexpr core::MessageTypeId kType = 0x030b;
  static constexpr std::string_view kName = "sm.status_reply";
  std::string json;
  template <class V>
  void visit(V& v) { v("json", json); }
};
struct StatusRequest {
  static constexpr core::MessageTypeId kType = 0x030a;
  static constexpr std::string_view kName = "sm.status_request";
  using Response = StatusReply;
  template <class V>
  void visit(V&) {}
};

// Active -> standby: the maintenance/inventory service's host store (inv::HostStore), replicated as logical,
// idempotent operations (replicated_host_store.h). Not ack-gated: the store's API is synchronous.
enum class InventoryOpKind : std::uint8_t { PutSystem = 0, PutHost = 1, RemoveHost = 2 };
struct InventoryOp {
  std::uint64_t seq = 0;           // the active's stream position (per term); a snapshot's ops carry its seq
  InventoryOpKind kind = InventoryOpKind::PutHost;
  std::string uuid;                // RemoveHost: the host's uuid
  nlohmann::json record;           // PutSystem / PutHost: inv::system_record / inv::host_record
  template <class V>
  void visit(V& v) { v("seq", seq); v("kind", kind); v("uuid", uuid); v("record", record); }
};
struct InventoryAck {
  static constexpr core::MessageTypeId kType = 0x030d;
  static constexpr std::string_view kName = "sm.inventory_ack";
  bool ok = false;
  bool need_snapshot = false;      // the standby has no base for these ops (a gap, another term, a failed apply)
  std::uint64_t term = 0, seq = 0;  // what the standby has applied
  std::string error;
  template <class V>
  void visit(V& v) { v("ok", ok); v("need_snapshot", need_snapshot); v("term", term); v("seq", seq); v("error", error); }
};
struct ReplicateInventory {
  static constexpr core::MessageTypeId kType = 0x030c;
  static constexpr std::string_view kName = "sm.replicate_inventory";
  using Response = InventoryAck;
  std::uint64_t term = 0;          // the active's term: a standby that knows a higher one refuses
  // A snapshot: `ops` is the whole store (the system, every host) as of stream position `seq`; the standby
  // replaces its content with it. Else `ops` continue the stream in seq order.
  bool snapshot = false;
  std::uint64_t seq = 0;
  std::vector<InventoryOp> ops;
  template <class V>
  void visit(V& v) { v("term", term); v("snapshot", snapshot); v("seq", seq); v("ops", ops); }
};

}  // namespace roost::sm
