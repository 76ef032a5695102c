// ITU-T X.733 vocabulary as StarlingX FM spells it: the 11 alarm (event) types and the probable causes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace roost::fm {

// Values are StarlingX's EFmAlarmTypeT numbering (other = 0 ... time-domain-violation = 10), plus
// Unset, which a raiser leaves so that the manager fills the type in from the catalogue.
enum class AlarmType : std::uint8_t {
  Other = 0,
  Communication = 1,
  Qos = 2,
  ProcessingError = 3,
  Equipment = 4,
  Environmental = 5,
  IntegrityViolation = 6,
  OperationalViolation = 7,
  PhysicalViolation = 8,
  SecurityServiceOrMechanismViolation = 9,
  TimeDomainViolation = 10,
  Unset = 255,
};

// "communication", "processing-error", ...; Unset renders as "".
std::string_view to_string(AlarmType t);
std::optional<AlarmType> parse_alarm_type(std::string_view s);  // never yields Unset
std::span<const AlarmType> all_alarm_types();
// "other, communication, ..." for error messages.
std::string alarm_type_names();

// "threshold-crossed", "loss-of-signal", ... and "unknown".
bool is_probable_cause(std::string_view s);
std::span<const std::string_view> all_probable_causes();

}  // namespace roost::fm
