// What reads return: the stored records plus what FM derives for them at read time (suppression
// status, masking, the catalogue's management/degrade affecting), i.e. what StarlingX's REST API shows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/fm/alarm.h"

namespace roost::fm {

struct AlarmView {
  Alarm alarm;
  bool suppressed = false;         // its alarm id is suppressed (event_suppression)
  bool masked = false;             // an active inhibiting alarm at or above its entity hides it
  bool mgmt_affecting = false;     // severity >= the catalogue's mgmt_affecting_severity
  bool degrade_affecting = false;  // severity >= the catalogue's degrade_affecting_severity
  bool operator==(const AlarmView&) const = default;
};

struct AlarmPage {
  std::vector<AlarmView> alarms;
  std::string next_marker;  // uuid to pass as marker for the next page; "" when this is the last page
};

// StarlingX's /v1/alarms/summary: counts of visible alarms (not masked; not suppressed unless asked)
// and status critical if any critical, degraded if any major or minor, else OK (warnings alone are OK).
struct AlarmSummary {
  std::size_t critical = 0;
  std::size_t major = 0;
  std::size_t minor = 0;
  std::size_t warnings = 0;
  std::string status = "OK";
  bool operator==(const AlarmSummary&) const = default;
};

struct EventView {
  EventRecord event;
  bool suppressed = false;  // the row's alarm id is suppressed now
  bool operator==(const EventView&) const = default;
};

struct EventPage {
  std::vector<EventView> events;
  std::string next_marker;
};

struct SuppressionView {
  std::string uuid;
  std::string alarm_id;
  std::string description;
  bool suppressed = false;
  bool suppressible = false;          // the catalogue allows suppressing this id
  std::string mgmt_affecting;         // the catalogue's threshold severity, or "none"
  std::string degrade_affecting;
  bool operator==(const SuppressionView&) const = default;
};

}  // namespace roost::fm
