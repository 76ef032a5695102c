#include "platform/fm/alarm.h"

#include <array>

namespace roost::fm {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::Clear: return "clear";
    case Severity::Warning: return "warning";
    case Severity::Minor: return "minor";
    case Severity::Major: return "major";
    case Severity::Critical: return "critical";
  }
  return "?";
}

std::optional<Severity> parse_severity(std::string_view s) {
  static constexpr std::array<Severity, 5> kAll{Severity::Clear, Severity::Warning, Severity::Minor, Severity::Major,
                                                Severity::Critical};
  for (Severity v : kAll)
    if (to_string(v) == s) return v;
  if (s.size() == 1 && s[0] >= '0' && s[0] <= '4') return static_cast<Severity>(s[0] - '0');
  return std::nullopt;
}

std::string_view to_string(AlarmState s) {
  switch (s) {
    case AlarmState::Clear: return "clear";
    case AlarmState::Set: return "set";
    case AlarmState::Msg: return "msg";
    case AlarmState::Log: return "log";
  }
  return "?";
}

std::optional<AlarmState> parse_alarm_state(std::string_view s) {
  for (AlarmState v : {AlarmState::Clear, AlarmState::Set, AlarmState::Msg, AlarmState::Log})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

}  // namespace roost::fm
