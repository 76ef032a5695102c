// Where FM keeps its state durably. The fault manager holds everything in memory and serves every
// read from there; the store only has to take ordered, atomic groups of writes and give the whole
// state back at start. Two implementations: MemoryAlarmStore (here: simulation and tests; it lives
// as long as its owner, like a disk outlives a crashed node) and backends/sqlite's SqliteAlarmStore.
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "platform/core/replica.h"
#include "platform/core/store_error.h"
#include "platform/fm/alarm.h"

namespace roost::fm {

using core::StoreError;  // platform/core/store_error.h

// Stores key alarms by Alarm::id (an alarm keeps its id, and its uuid, for life); the uuid is not
// indexed by stores: the manager resolves uuids in memory.
struct PutAlarm {
  Alarm alarm;  // insert, or replace the alarm with the same id
};
struct RemoveAlarm {
  std::string uuid;      // for logs and humans reading a batch
  std::uint64_t id = 0;  // the key; removing an absent alarm is harmless
};
struct AppendEvent {
  EventRecord event;  // ids increase with every append
};
struct PutSuppression {
  SuppressionRow row;  // insert, or replace the row of the same alarm id
};
using Write = std::variant<PutAlarm, RemoveAlarm, AppendEvent, PutSuppression>;

// Writes applied in order and atomically: after a crash the store holds all of a batch or none of it.
struct WriteBatch {
  std::vector<Write> writes;
  // After the batch, the event log keeps only its newest `event_log_capacity` rows (0: no trim).
  std::size_t event_log_capacity = 0;

  bool empty() const { return writes.empty(); }
};

// Everything a store holds; alarms by id, events oldest first, suppression rows by alarm id.
struct StoredState {
  std::vector<Alarm> alarms;
  std::vector<EventRecord> events;
  std::vector<SuppressionRow> suppressions;
  bool operator==(const StoredState&) const = default;
};

struct StoreStatus {
  bool ok = true;
  std::string error;  // when !ok: what failed, naming the file, e.g. "fm.db: commit: database or disk is full"
};

using CommitCallback = std::function<void(const StoreStatus&)>;

// Every alarm store can be replicated (core/replica.h): the active controller's FM commits through
// submit_at, naming the log position; the standby's store applies the changesets.
class AlarmStore : public core::ReplicaStore {
 public:
  virtual ~AlarmStore() = default;

  // Everything committed so far (writes still queued are committed first). Throws StoreError.
  virtual StoredState load() = 0;

  // Queues `batch`. `done` runs exactly once: after the batch and every batch submitted before it are
  // durable (ok), or with the error when the batch could not be committed; a failed batch leaves
  // nothing of itself behind. Batches are applied in submission order; an empty batch is a barrier
  // that completes once everything before it is durable. Where `done` runs is the implementation's
  // promise: MemoryAlarmStore calls it before submit returns; SqliteAlarmStore hands it to the
  // executor its owner gave (the runtime posts it onto the node's thread).
  virtual void submit(WriteBatch batch, CommitCallback done) = 0;

  // submit() that also records `at` as the store's position in the same transaction and hands `done` the
  // commit's changeset (core/replica.h). An empty batch still advances the position (its changeset is
  // valid and changes nothing else). `at` must be above position(); the replicator guarantees it.
  using CapturedCallback = std::function<void(const StoreStatus&, std::string changeset)>;
  virtual void submit_at(core::LogPosition at, WriteBatch batch, CapturedCallback done) = 0;
};

// Applies a batch to a StoredState: the reference semantics every store must match
// (MemoryAlarmStore uses it; the SQLite tests compare against it).
void apply(StoredState& state, const WriteBatch& batch);

}  // namespace roost::fm
