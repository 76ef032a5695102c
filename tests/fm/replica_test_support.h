// Random write batches for the replication tests of both alarm stores (memory and SQLite).
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "platform/fm/alarm_store.h"

namespace roost::fm::testing {

// Batches over a small key space, so that puts replace, removals hit present and absent alarms, and
// the event ring trims: the cases a changeset must carry. Alarm `id` always has entity "host=h<id>",
// which keeps the SQLite store's UNIQUE (alarm_id, entity_instance_id) key satisfied.
class RandomBatches {
 public:
  // Event ids start above seed << 20: generators with increasing seeds, used one after the other on
  // the same store, append increasing ids, as the manager does (the ring trims the lowest ids).
  explicit RandomBatches(std::uint64_t seed) : rng_(seed), event_id_(seed << 20) {}

  WriteBatch next() {
    WriteBatch b;
    // One ring size throughout, as the fault manager passes its configured one: the SQLite store keeps
    // the latest capacity it saw, while the reference semantics read 0 as "no trim" per batch.
    b.event_log_capacity = 12;
    const int writes = pick(0, 9) == 0 ? 0 : pick(1, 8);  // now and then an empty batch
    for (int i = 0; i < writes; ++i) {
      switch (pick(0, 5)) {
        case 0:
        case 1:
          b.writes.push_back(PutAlarm{alarm(static_cast<std::uint64_t>(pick(1, 25)))});
          break;
        case 2: {
          const auto id = static_cast<std::uint64_t>(pick(1, 25));
          b.writes.push_back(RemoveAlarm{"alarm-" + std::to_string(id), id});
          break;
        }
        case 3:
        case 4:
          b.writes.push_back(AppendEvent{event()});
          break;
        default:
        {
          // uuid is unique among rows (UNIQUE in SQLite), and may change when the row is rewritten.
          const std::string which = std::to_string(pick(0, 6));
          b.writes.push_back(PutSuppression{
              SuppressionRow{"100.10" + which, "supp-" + which + "-" + std::to_string(pick(0, 3)), pick(0, 1) == 1}});
        }
      }
    }
    return b;
  }

  Alarm alarm(std::uint64_t id) {
    Alarm a;
    a.id = id;
    a.uuid = "alarm-" + std::to_string(id);
    a.alarm_id = "200.0" + std::to_string(10 + id % 3);
    a.state = AlarmState::Set;
    a.entity_type_id = "host";
    a.entity_instance_id = "host=h" + std::to_string(id);
    a.severity = static_cast<Severity>(pick(1, 4));
    a.reason_text = text();
    a.proposed_repair_action = pick(0, 1) ? "" : "replace the unit";
    a.alarm_type = static_cast<AlarmType>(pick(0, 3));
    a.probable_cause = "cause-" + std::to_string(pick(0, 3));
    a.service_affecting = pick(0, 1) == 1;
    a.suppression = pick(0, 1) == 1;
    a.inhibit_alarms = pick(0, 1) == 1;
    a.timestamp_us = 1'700'000'000'000'000LL + pick(0, 1'000'000);
    a.time = core::TimePoint(core::Duration(pick(0, 1'000'000'000)));
    return a;
  }

  EventRecord event() {
    EventRecord e;
    e.id = ++event_id_;
    e.uuid = "event-" + std::to_string(e.id);
    e.event_log_id = "200.011";
    e.state = static_cast<AlarmState>(pick(0, 3));
    e.entity_type_id = "host";
    e.entity_instance_id = "host=h" + std::to_string(pick(1, 25));
    e.severity = static_cast<Severity>(pick(0, 4));
    e.reason_text = text();
    e.event_log_type = static_cast<AlarmType>(pick(0, 3));
    e.alarm_uuid = pick(0, 1) ? "" : "alarm-" + std::to_string(pick(1, 25));
    e.timestamp_us = -pick(0, 5);  // negative values too: zigzag on the wire, INTEGER in SQLite
    e.time = core::TimePoint(core::Duration(pick(0, 1'000'000'000)));
    return e;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string text() {
    static const char* kTexts[] = {"", "disk full", "temp \xc2\xb0""C high", "quote ' and \" and ;", "x"};
    return kTexts[pick(0, 4)] + std::string(static_cast<std::size_t>(pick(0, 40)), 'r');
  }

  std::mt19937_64 rng_;
  std::uint64_t event_id_;
};

}  // namespace roost::fm::testing
