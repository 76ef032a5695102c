#include "platform/fm/memory_alarm_store.h"

namespace roost::fm {

StoredState MemoryAlarmStore::load() {
  StoredState s;
  s.alarms.reserve(alarms_.size());
  for (const auto& [_, a] : alarms_) s.alarms.push_back(a);
  s.events.assign(events_.begin(), events_.end());
  for (const auto& [_, r] : suppressions_) s.suppressions.push_back(r);
  return s;
}

void MemoryAlarmStore::submit(WriteBatch batch, CommitCallback done) {
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
  if (done) done(StoreStatus{});
}

}  // namespace roost::fm
