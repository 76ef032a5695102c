#include "platform/fm/memory_alarm_store.h"

#include "platform/fm/store_codec.h"

namespace roost::fm {

namespace {
// Messages name the store by its kind: a process may hold several, but only one of each kind replicates.
std::string refuse_position(std::string_view step, core::LogPosition at, core::LogPosition current) {
  return std::string(MemoryAlarmStore::kReplicaKind) + ": " + std::string(step) + " " + to_string(at) +
         ": not above the store's position " + to_string(current) + " (nothing applied)";
}
}  // namespace

StoredState MemoryAlarmStore::load() {
  StoredState s;
  s.alarms.reserve(alarms_.size());
  for (const auto& [_, a] : alarms_) s.alarms.push_back(a);
  s.events.assign(events_.begin(), events_.end());
  for (const auto& [_, r] : suppressions_) s.suppressions.push_back(r);
  return s;
}

void MemoryAlarmStore::commit(WriteBatch&& batch) {
  // The same semantics as apply() in alarm_store.cpp, with indexes so that a fleet-sized simulation
  // does not pay a linear scan per write.
  for (Write& w : batch.writes) {
    if (auto* p = std::get_if<PutAlarm>(&w)) {
      const std::uint64_t id = p->alarm.id;
      alarms_[id] = std::move(p->alarm);
    } else if (auto* r = std::get_if<RemoveAlarm>(&w)) {
      alarms_.erase(r->id);
    } else if (auto* e = std::get_if<AppendEvent>(&w)) {
      events_.push_back(std::move(e->event));
    } else if (auto* s = std::get_if<PutSuppression>(&w)) {
      suppressions_[s->row.alarm_id] = std::move(s->row);
    }
  }
  if (batch.event_log_capacity > 0)
    while (events_.size() > batch.event_log_capacity) events_.pop_front();
  ++batches_;
}

void MemoryAlarmStore::submit(WriteBatch batch, CommitCallback done) {
  commit(std::move(batch));
  if (done) done(StoreStatus{});
}

void MemoryAlarmStore::submit_at(core::LogPosition at, WriteBatch batch, CapturedCallback done) {
  if (at <= position_) {
    if (done) done(StoreStatus{false, refuse_position("submit_at", at, position_)}, std::string());
    return;
  }
  // Encoded before the batch is consumed: the changeset is exactly what was committed.
  std::string changeset = encode_batch(batch);
  commit(std::move(batch));
  position_ = at;
  if (done) done(StoreStatus{}, std::move(changeset));
}

void MemoryAlarmStore::apply_changeset(core::LogPosition at, std::string changeset,
                                       std::function<void(const core::ReplicaStatus&)> done) {
  const auto finish = [&](core::ReplicaStatus status) {
    if (done) done(status);
  };
  if (at <= position_) return finish({false, refuse_position("apply changeset", at, position_)});
  WriteBatch batch;
  // Decoded whole before anything is applied, so a bad changeset leaves the store untouched.
  if (auto error = decode_batch(changeset, batch, std::string(kReplicaKind) + ": apply changeset " + to_string(at)))
    return finish({false, std::move(*error)});
  commit(std::move(batch));
  position_ = at;
  finish({});
}

core::ReplicaStore::Snapshot MemoryAlarmStore::snapshot() { return Snapshot{position_, encode_state(position_, load())}; }

void MemoryAlarmStore::install_snapshot(Snapshot snapshot, std::function<void(const core::ReplicaStatus&)> done) {
  const auto finish = [&](core::ReplicaStatus status) {
    if (done) done(status);
  };
  const std::string what = std::string(kReplicaKind) + ": install snapshot " + to_string(snapshot.position);
  core::LogPosition encoded_at;
  StoredState state;
  if (auto error = decode_state(snapshot.bytes, encoded_at, state, what)) return finish({false, std::move(*error)});
  // The bytes carry the position they were taken at; a mismatch means the pair was assembled wrongly.
  if (encoded_at != snapshot.position)
    return finish({false, what + ": the snapshot's bytes were taken at " + to_string(encoded_at)});
  alarms_.clear();
  for (Alarm& a : state.alarms) {
    const std::uint64_t id = a.id;
    alarms_[id] = std::move(a);
  }
  events_.assign(std::make_move_iterator(state.events.begin()), std::make_move_iterator(state.events.end()));
  suppressions_.clear();
  for (SuppressionRow& r : state.suppressions) {
    std::string key = r.alarm_id;
    suppressions_[std::move(key)] = std::move(r);
  }
  position_ = snapshot.position;
  finish({});
}

}  // namespace roost::fm
