// The alarm catalogue: every alarm and log id Roost may raise, with what it means and how FM treats it
// (StarlingX's events.yaml). It ships as platform/fm/alarm_catalogue.json, embedded into the binary at
// build time (platform code reads no files) and parsed and checked at start.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "platform/fm/alarm.h"

namespace roost::fm {

// A catalogue that does not parse or is inconsistent. The message names the source, the entry and the field.
class CatalogueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class EntryKind : std::uint8_t { Alarm, Log };
std::string_view to_string(EntryKind k);

struct CatalogueEntry {
  std::string alarm_id;
  EntryKind kind = EntryKind::Alarm;
  std::string description;                           // the general text
  std::map<Severity, std::string> description_by_severity;  // when the text differs per severity
  std::string entity_instance_id;                    // the shape raisers use, e.g. "host=<hostname>"
  std::vector<Severity> severities;                  // allowed, most severe first
  std::string proposed_repair_action;
  AlarmType alarm_type = AlarmType::Other;
  std::vector<std::string> probable_causes;          // the first is the default
  std::map<Severity, bool> service_affecting;        // per allowed severity
  bool suppressible = false;                         // alarms only: may be suppressed, and masked
  bool inhibit_alarms = false;                       // alarms only: masks suppressible descendants
  std::optional<Severity> mgmt_affecting_severity;   // lowest severity that blocks orchestration; none
  std::optional<Severity> degrade_affecting_severity;// lowest severity that degrades the host; none

  bool allows(Severity s) const;
  bool allows_cause(std::string_view cause) const;
  bool service_affecting_at(Severity s) const;
  bool mgmt_affecting_at(Severity s) const;
  bool degrade_affecting_at(Severity s) const;
  const std::string& description_for(Severity s) const;
  // "critical, major" for error messages.
  std::string severity_names() const;
};

class Catalogue {
 public:
  // Parses and checks `json_text`; `source` names it in errors (e.g. "alarm_catalogue.json").
  // Throws CatalogueError.
  static Catalogue parse(std::string_view json_text, std::string_view source);

  const CatalogueEntry* find(std::string_view alarm_id) const;
  const std::vector<CatalogueEntry>& entries() const { return entries_; }  // sorted by alarm id
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<CatalogueEntry> entries_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

// The catalogue built into this binary (platform/fm/alarm_catalogue.json), parsed on first use.
// Throws CatalogueError if the shipped file is invalid (a unit test makes sure it is not).
const Catalogue& builtin_catalogue();

}  // namespace roost::fm
