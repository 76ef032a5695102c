#include "platform/fm/alarm_store.h"

#include <algorithm>

namespace roost::fm {

namespace {
struct Applier {
  StoredState& s;
  void operator()(const PutAlarm& w) {
    const auto it = std::find_if(s.alarms.begin(), s.alarms.end(), [&](const Alarm& a) { return a.id == w.alarm.id; });
    if (it != s.alarms.end()) {
      *it = w.alarm;
    } else {
      // Keep alarms ordered by id, as a load from any store returns them.
      const auto pos = std::lower_bound(s.alarms.begin(), s.alarms.end(), w.alarm.id,
                                        [](const Alarm& a, std::uint64_t id) { return a.id < id; });
      s.alarms.insert(pos, w.alarm);
    }
  }
  void operator()(const RemoveAlarm& w) {
    std::erase_if(s.alarms, [&](const Alarm& a) { return a.id == w.id; });
  }
  void operator()(const AppendEvent& w) { s.events.push_back(w.event); }
  void operator()(const PutSuppression& w) {
    const auto it = std::lower_bound(s.suppressions.begin(), s.suppressions.end(), w.row.alarm_id,
                                     [](const SuppressionRow& r, const std::string& id) { return r.alarm_id < id; });
    if (it != s.suppressions.end() && it->alarm_id == w.row.alarm_id) {
      *it = w.row;
    } else {
      s.suppressions.insert(it, w.row);
    }
  }
};
}  // namespace

void apply(StoredState& state, const WriteBatch& batch) {
  Applier a{state};
  for (const Write& w : batch.writes) std::visit(a, w);
  const std::size_t cap = batch.event_log_capacity;
  if (cap > 0 && state.events.size() > cap)
    state.events.erase(state.events.begin(), state.events.end() - static_cast<std::ptrdiff_t>(cap));
}

}  // namespace roost::fm
