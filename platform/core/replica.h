// A durable store an active controller replicates to its standby (platform/sm/replicator.h).
//
// The active commits through the store's own interface, naming the log position each commit takes; the
// store hands back the commit's changeset: what the commit changed, in the store's own format (the SQLite
// stores: a session-extension changeset; the memory stores: their encoded write batch). The standby's
// store of the same kind applies those changesets in log order, each atomically with its new position, so
// after a crash a store's position() says exactly which changes it holds. A standby too far behind (or
// diverged: it holds changes of a term the active never had) is brought back with a snapshot.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace roost::core {

// Where a store stands in the replicated log: `term` is the term of the controller activation that
// wrote the last change (a new active takes a term above any it has seen), `seq` counts changes over all
// terms. Compared lexicographically: (term, seq).
struct LogPosition {
  std::uint64_t term = 0;
  std::uint64_t seq = 0;
  friend auto operator<=>(const LogPosition&, const LogPosition&) = default;
};

struct ReplicaStatus {
  bool ok = true;
  std::string error;  // when !ok: what failed, naming the store, e.g. "fm.db: apply changeset 17: ..."
};

class ReplicaStore {
 public:
  virtual ~ReplicaStore() = default;

  // The store's kind and format: a changeset or snapshot only goes to a store of the same kind
  // (e.g. "fm/sqlite-session", "fm/memory").
  virtual std::string_view replica_kind() const = 0;
  // The durable position: the last change committed or applied (0,0 for a store never written).
  virtual LogPosition position() = 0;

  // Standby: applies one changeset taken at `at`, atomically with position `at`. `done` runs exactly once
  // (MemoryAlarmStore: before apply returns; SQLite: on the owner's executor). On failure nothing of the
  // changeset is left and the position is unchanged.
  virtual void apply_changeset(LogPosition at, std::string changeset, std::function<void(const ReplicaStatus&)> done) = 0;

  // Everything the store holds, with its position, in the store's own format (commits queued before the
  // call are included). Throws std::runtime_error naming the store when it cannot be read.
  struct Snapshot {
    LogPosition position;
    std::string bytes;
  };
  virtual Snapshot snapshot() = 0;
  // Replaces everything with `snapshot` (from a store of the same kind), atomically.
  virtual void install_snapshot(Snapshot snapshot, std::function<void(const ReplicaStatus&)> done) = 0;
};

}  // namespace roost::core
