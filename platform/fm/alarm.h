// The fault records: an active alarm, an event-log row, and the time stamp every change carries.
// Both are plain visitable structs, so they travel between nodes as core messages (see messages.h)
// and render to JSON for logs through core::to_json; alarm_json.h renders them for the REST API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/core/time.h"
#include "platform/fm/x733.h"

namespace roost::fm {

// StarlingX's numbering (EFmAlarmSeverityT). Ordered: a larger value is more severe.
enum class Severity : std::uint8_t { Clear = 0, Warning = 1, Minor = 2, Major = 3, Critical = 4 };

std::string_view to_string(Severity s);
// "critical", "major", "minor", "warning", "clear" (also "0".."4").
std::optional<Severity> parse_severity(std::string_view s);

// set: an active alarm; clear: it went away; msg and log: a customer log, which goes only to the
// event log (a raiser sends msg, the log row reads log).
enum class AlarmState : std::uint8_t { Clear = 0, Set = 1, Msg = 2, Log = 3 };

std::string_view to_string(AlarmState s);
std::optional<AlarmState> parse_alarm_state(std::string_view s);

// When a change happened: the runtime's monotonic time (for the simulation's trace and for ordering)
// and UTC microseconds since the epoch (what users see). Platform code has no wall clock, so the
// caller (the REST layer, the node from its runtime) passes the wall value in.
struct Stamp {
  core::TimePoint time{};
  std::int64_t wall_us = 0;
};

struct Alarm {
  std::uint64_t id = 0;           // server-assigned, increasing: the default sort order (StarlingX's row id)
  std::string uuid;               // server-assigned from the node's RNG; ignored on input
  std::string alarm_id;           // "GGG.EEE", must be in the catalogue
  AlarmState state = AlarmState::Set;
  std::string entity_type_id;     // "host", "subcloud", ...
  std::string entity_instance_id; // "host=controller-0.process=sshd"
  Severity severity = Severity::Warning;
  std::string reason_text;             // "" on input: the catalogue's description for the severity
  std::string proposed_repair_action;  // "" on input: the catalogue's
  AlarmType alarm_type = AlarmType::Unset;  // Unset on input: the catalogue's
  std::string probable_cause;               // "" on input: the catalogue's first cause
  // The next three are set by the manager from the catalogue, whatever the raiser sent.
  bool service_affecting = false;
  bool suppression = false;      // this alarm may be suppressed, and masked by an inhibiting ancestor
  bool inhibit_alarms = false;   // while active, masks suppressible alarms at or below its entity
  std::int64_t timestamp_us = 0; // UTC microseconds of the last set; 0 on input: the Stamp's wall time
  core::TimePoint time{};        // runtime time of the last set

  template <class V>
  void visit(V& v) {
    v("id", id);
    v("uuid", uuid);
    v("alarm_id", alarm_id);
    v("alarm_state", state);
    v("entity_type_id", entity_type_id);
    v("entity_instance_id", entity_instance_id);
    v("severity", severity);
    v("reason_text", reason_text);
    v("proposed_repair_action", proposed_repair_action);
    v("alarm_type", alarm_type);
    v("probable_cause", probable_cause);
    v("service_affecting", service_affecting);
    v("suppression", suppression);
    v("inhibit_alarms", inhibit_alarms);
    v("timestamp_us", timestamp_us);
    v("time", time);
  }
  bool operator==(const Alarm&) const = default;
};

// One row of the event log: a set or clear of an alarm, or a customer log.
struct EventRecord {
  std::uint64_t id = 0;           // increasing in the order rows were written; the ring keeps the newest
  std::string uuid;               // this row's own uuid
  std::string event_log_id;       // the alarm id
  AlarmState state = AlarmState::Set;  // set | clear | log
  std::string entity_type_id;
  std::string entity_instance_id;
  Severity severity = Severity::Warning;
  std::string reason_text;
  std::string proposed_repair_action;
  AlarmType event_log_type = AlarmType::Other;
  std::string probable_cause;
  bool service_affecting = false;
  bool suppression = false;
  std::string alarm_uuid;         // the alarm a set/clear row is about; "" for logs
  std::int64_t timestamp_us = 0;
  core::TimePoint time{};

  template <class V>
  void visit(V& v) {
    v("id", id);
    v("uuid", uuid);
    v("event_log_id", event_log_id);
    v("state", state);
    v("entity_type_id", entity_type_id);
    v("entity_instance_id", entity_instance_id);
    v("severity", severity);
    v("reason_text", reason_text);
    v("proposed_repair_action", proposed_repair_action);
    v("event_log_type", event_log_type);
    v("probable_cause", probable_cause);
    v("service_affecting", service_affecting);
    v("suppression", suppression);
    v("alarm_uuid", alarm_uuid);
    v("timestamp_us", timestamp_us);
    v("time", time);
  }
  bool operator==(const EventRecord&) const = default;
};

// The per-alarm-id suppression row (StarlingX's event_suppression table). One exists for every
// alarm (not log) id of the catalogue.
struct SuppressionRow {
  std::string alarm_id;
  std::string uuid;
  bool suppressed = false;

  template <class V>
  void visit(V& v) {
    v("alarm_id", alarm_id);
    v("uuid", uuid);
    v("suppressed", suppressed);
  }
  bool operator==(const SuppressionRow&) const = default;
};

}  // namespace roost::fm
