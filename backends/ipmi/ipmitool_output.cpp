#include "backends/ipmi/ipmitool_output.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace roost::backends::ipmi {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// A decimal number at the start of `s` ("80", "-7.000", "1.05"); hex ("0x5", a discrete raw value) is not one.
std::optional<double> leading_number(std::string_view s, std::string_view* rest = nullptr) {
  s = trim(s);
  if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  if (rest) *rest = std::string_view(end, static_cast<std::size_t>(s.data() + s.size() - end));
  return v;
}

std::optional<double> threshold_value(std::string_view s) {
  s = trim(s);
  if (s.empty() || s == "na") return std::nullopt;
  std::string_view rest;
  auto v = leading_number(s, &rest);
  return v && trim(rest).empty() ? v : std::nullopt;
}

// " Sensor Reading        : 80 (+/- 0) degrees C" -> value 80, unit "degrees C".
void parse_reading(std::string_view text, core::SensorReading& r) {
  std::string_view rest;
  r.value = leading_number(text, &rest);
  rest = trim(rest);
  if (!r.value) {
    // "Unable to read sensor: Device Not Present", "No Reading", or a discrete "0x0 ..." reading.
    if (contains(text, "unable") || contains(text, "no reading") || contains(text, "not present") ||
        contains(text, "unavailable"))
      r.status = core::SensorStatus::Unavailable;
    return;
  }
  if (!rest.empty() && rest.front() == '(') {  // the tolerance: "(+/- 0)"
    const auto close = rest.find(')');
    rest = close == std::string_view::npos ? std::string_view{} : trim(rest.substr(close + 1));
  }
  r.unit = std::string(rest);
}

}  // namespace

std::optional<core::PowerState> parse_power_status(std::string_view out) {
  for (auto line : lines(out)) {
    const std::string l = lower(trim(line));
    constexpr std::string_view kPrefix = "chassis power is ";
    if (l.rfind(kPrefix, 0) != 0) continue;
    const std::string_view state = std::string_view(l).substr(kPrefix.size());
    if (state == "on") return core::PowerState::On;
    if (state == "off") return core::PowerState::Off;
    return core::PowerState::Unknown;
  }
  return std::nullopt;
}

bool parse_power_control(std::string_view out, core::PowerAction action) {
  std::string_view expected;
  switch (action) {
    case core::PowerAction::On: expected = "up/on"; break;
    case core::PowerAction::Off: expected = "down/off"; break;
    case core::PowerAction::Reset: expected = "reset"; break;
    case core::PowerAction::Cycle: expected = "cycle"; break;
  }
  for (auto line : lines(out)) {
    const std::string l = lower(trim(line));
    constexpr std::string_view kPrefix = "chassis power control:";
    if (l.rfind(kPrefix, 0) == 0 && trim(std::string_view(l).substr(kPrefix.size())) == expected) return true;
  }
  return false;
}

core::SensorStatus parse_threshold_status(std::string_view s) {
  const std::string l = lower(trim(s));
  if (l == "ok") return core::SensorStatus::Ok;
  if (l == "nr" || l.find("non-recoverable") != std::string::npos) return core::SensorStatus::NonRecoverable;
  if (l == "nc" || l.find("non-critical") != std::string::npos) return core::SensorStatus::NonCritical;
  if (l == "cr" || l.find("critical") != std::string::npos) return core::SensorStatus::Critical;
  return core::SensorStatus::Unavailable;  // "ns" (no status), "na", or something new
}

core::SensorType sensor_type_of(std::string_view type_description, std::string_view unit) {
  const std::string t = lower(trim(type_description));
  if (t.rfind("temperature", 0) == 0) return core::SensorType::Temperature;
  if (t.rfind("fan", 0) == 0) return core::SensorType::Fan;
  if (t.rfind("voltage", 0) == 0) return core::SensorType::Voltage;
  const std::string u = lower(trim(unit));
  // Power readings come as "Current", "Power Supply" or "Other" sensors; the unit says what they are.
  if (u == "watts") return core::SensorType::Power;
  if (t.rfind("current", 0) == 0 || u == "amps") return core::SensorType::Current;
  if (u == "degrees c" || u == "degrees f") return core::SensorType::Temperature;
  if (u == "rpm") return core::SensorType::Fan;
  if (u == "volts") return core::SensorType::Voltage;
  return core::SensorType::Other;
}

std::vector<core::SensorReading> parse_sensor_list(std::string_view out) {
  std::vector<core::SensorReading> sensors;
  std::string type_description;
  bool discrete = false;
  // Called when a sensor's block has been read in full.
  auto close = [&] {
    if (sensors.empty()) return;
    auto& r = sensors.back();
    r.type = sensor_type_of(type_description, r.unit);
    if (!discrete && !r.value) r.status = core::SensorStatus::Unavailable;
  };
  for (auto line : lines(out)) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // continuation lines of discrete states, blank lines
    const std::string key = lower(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    if (key == "sensor id") {
      close();
      core::SensorReading r;
      // "CPU Temp (0x1)": the name, then the sensor number.
      std::string_view name = value;
      if (const auto paren = name.rfind(" ("); paren != std::string_view::npos && name.back() == ')')
        name = trim(name.substr(0, paren));
      r.name = std::string(name);
      r.status = core::SensorStatus::Unavailable;  // until a reading says otherwise
      sensors.push_back(std::move(r));
      type_description.clear();
      discrete = false;
      continue;
    }
    if (sensors.empty()) continue;
    auto& r = sensors.back();
    if (key.rfind("sensor type", 0) == 0) {
      discrete = key.find("discrete") != std::string::npos;
      type_description = std::string(value);
      // A discrete sensor has no threshold status: readable means Ok (its state bits are not read here).
      if (discrete) r.status = core::SensorStatus::Ok;
    } else if (key == "sensor reading") {
      if (!discrete) {
        parse_reading(value, r);
      } else if (contains(value, "unable") || contains(value, "not present")) {
        r.status = core::SensorStatus::Unavailable;  // a discrete "reading" ("0h") is state bits, not a value
      }
    } else if (key == "unable to read sensor") {  // printed on its own line in some versions
      r.value.reset();
      r.status = core::SensorStatus::Unavailable;
    } else if (key == "status" && !discrete) {
      r.status = parse_threshold_status(value);
    } else if (key == "lower non-recoverable") {
      r.thresholds.lower_non_recoverable = threshold_value(value);
    } else if (key == "lower critical") {
      r.thresholds.lower_critical = threshold_value(value);
    } else if (key == "lower non-critical") {
      r.thresholds.lower_non_critical = threshold_value(value);
    } else if (key == "upper non-critical") {
      r.thresholds.upper_non_critical = threshold_value(value);
    } else if (key == "upper critical") {
      r.thresholds.upper_critical = threshold_value(value);
    } else if (key == "upper non-recoverable") {
      r.thresholds.upper_non_recoverable = threshold_value(value);
    }
  }
  close();
  return sensors;
}

std::string meaningful_stderr(std::string_view err) {
  static constexpr std::array kChatter{"loading iana pen registry", "running get vso capabilities",
                                       "discovered ipmb address", "running get picmg properties",
                                       "error response 0xc1 from get picmg"};
  std::string out;
  bool after_vso = false;
  for (auto line : lines(err)) {
    line = trim(line);
    if (line.empty()) continue;
    const std::string l = lower(line);
    const bool chatter = std::any_of(kChatter.begin(), kChatter.end(), [&](const char* c) { return l.rfind(c, 0) == 0; });
    // The VSO probe's expected refusal right after it is chatter too.
    const bool vso_refusal = after_vso && l.rfind("invalid completion code received: invalid command", 0) == 0;
    after_vso = l.rfind("running get vso capabilities", 0) == 0;
    if (chatter || vso_refusal) continue;
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

core::BmcError classify_failure(std::string_view what, std::string_view err, std::string_view out,
                                const std::string& end) {
  const std::string said = meaningful_stderr(err);
  std::string detail = std::string(what) + " failed (" + end + ")";
  if (!said.empty()) detail += ": " + said;
  else if (!trim(out).empty()) detail += ": " + std::string(trim(out));

  // The BMC answered and refused us: RMCP+ RAKP failures (wrong password, unknown user), IPMI 1.5
  // session errors, privilege refusals.
  static constexpr std::array kAuth{"rakp 2 hmac is invalid", "unauthorized name", "rakp 4",
                                    "invalid user name", "invalid password", "insufficient privilege",
                                    "invalid authentication", "unauthorized role", "activate session error",
                                    "get session challenge command failed"};
  // No answer at all.
  static constexpr std::array kUnreachable{"get auth capabilities error",
                                           "error issuing get channel authentication capabilities",
                                           "no response from remote controller", "address lookup for",
                                           "connection refused", "network is unreachable", "no route to host",
                                           "unable to establish ipmi v2 / rmcp+ session",
                                           "unable to establish lan session"};
  const std::string e = lower(err);
  auto any = [&e](const auto& patterns) {
    return std::any_of(patterns.begin(), patterns.end(), [&e](const char* p) { return e.find(p) != std::string::npos; });
  };
  if (any(kAuth)) return {core::BmcErrorCode::Auth, detail};
  if (any(kUnreachable)) return {core::BmcErrorCode::Unreachable, detail};
  return {core::BmcErrorCode::Protocol, detail};
}

}  // namespace roost::backends::ipmi
