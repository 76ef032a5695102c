#include "platform/fm/rest_json.h"

#include <set>

#include "platform/fm/utc_time.h"

namespace roost::fm {

namespace {
using nlohmann::json;

std::string py_bool(bool b) { return b ? "True" : "False"; }
std::string status_of(bool suppressed) { return suppressed ? "suppressed" : "unsuppressed"; }
}  // namespace

json rest_json(const AlarmView& v) {
  const Alarm& a = v.alarm;
  return json{{"uuid", a.uuid},
              {"alarm_id", a.alarm_id},
              {"alarm_state", to_string(a.state)},
              {"entity_type_id", a.entity_type_id},
              {"entity_instance_id", a.entity_instance_id},
              {"timestamp", format_utc_micros(a.timestamp_us)},
              {"severity", to_string(a.severity)},
              {"reason_text", a.reason_text},
              {"alarm_type", to_string(a.alarm_type)},
              {"probable_cause", a.probable_cause},
              {"proposed_repair_action", a.proposed_repair_action},
              {"service_affecting", a.service_affecting},
              {"suppression", a.suppression},
              {"suppression_status", status_of(v.suppressed)},
              {"mgmt_affecting", py_bool(v.mgmt_affecting)},
              {"degrade_affecting", py_bool(v.degrade_affecting)},
              {"inhibit_alarms", a.inhibit_alarms},
              {"masked", v.masked}};
}

json rest_json(const AlarmSummary& s) {
  return json{{"critical", s.critical}, {"major", s.major}, {"minor", s.minor}, {"warnings", s.warnings},
              {"status", s.status}};
}

json rest_json(const EventView& v) {
  const EventRecord& e = v.event;
  return json{{"uuid", e.uuid},
              {"event_log_id", e.event_log_id},
              {"state", to_string(e.state)},
              {"entity_type_id", e.entity_type_id},
              {"entity_instance_id", e.entity_instance_id},
              {"timestamp", format_utc_micros(e.timestamp_us)},
              {"severity", to_string(e.severity)},
              {"reason_text", e.reason_text},
              {"event_log_type", to_string(e.event_log_type)},
              {"probable_cause", e.probable_cause},
              {"proposed_repair_action", e.proposed_repair_action},
              {"service_affecting", e.service_affecting},
              {"suppression", e.suppression},
              {"suppression_status", status_of(v.suppressed)}};
}

json rest_json(const SuppressionView& v) {
  return json{{"uuid", v.uuid},
              {"alarm_id", v.alarm_id},
              {"description", v.description},
              {"suppression_status", status_of(v.suppressed)},
              {"suppressible", v.suppressible},
              {"mgmt_affecting", v.mgmt_affecting},
              {"degrade_affecting", v.degrade_affecting}};
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  return n;
}

void field(std::string& out, std::string_view name, std::string_view value, bool first = false) {
  if (!first) out.push_back(',');
  append_json_string(out, name);
  out.push_back(':');
  append_json_string(out, value);
}

void field(std::string& out, std::string_view name, bool value) {
  out.push_back(',');
  append_json_string(out, name);
  out += value ? ":true" : ":false";
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    // Copy runs of characters that need no escaping in one go.
    std::size_t run = i;
    while (run < s.size()) {
      const auto r = static_cast<unsigned char>(s[run]);
      if (r < 0x20 || r >= 0x80 || r == '"' || r == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(s.substr(i, run - i));
      i = run;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

void append_rest_json(std::string& out, const AlarmView& v) {
  const Alarm& a = v.alarm;
  out.push_back('{');
  field(out, "uuid", a.uuid, true);
  field(out, "alarm_id", a.alarm_id);
  field(out, "alarm_state", to_string(a.state));
  field(out, "entity_type_id", a.entity_type_id);
  field(out, "entity_instance_id", a.entity_instance_id);
  field(out, "timestamp", format_utc_micros(a.timestamp_us));
  field(out, "severity", to_string(a.severity));
  field(out, "reason_text", a.reason_text);
  field(out, "alarm_type", to_string(a.alarm_type));
  field(out, "probable_cause", a.probable_cause);
  field(out, "proposed_repair_action", a.proposed_repair_action);
  field(out, "service_affecting", a.service_affecting);
  field(out, "suppression", a.suppression);
  field(out, "suppression_status", status_of(v.suppressed));
  field(out, "mgmt_affecting", py_bool(v.mgmt_affecting));
  field(out, "degrade_affecting", py_bool(v.degrade_affecting));
  field(out, "inhibit_alarms", a.inhibit_alarms);
  field(out, "masked", v.masked);
  out.push_back('}');
}

void append_rest_json(std::string& out, const EventView& v) {
  const EventRecord& e = v.event;
  out.push_back('{');
  field(out, "uuid", e.uuid, true);
  field(out, "event_log_id", e.event_log_id);
  field(out, "state", to_string(e.state));
  field(out, "entity_type_id", e.entity_type_id);
  field(out, "entity_instance_id", e.entity_instance_id);
  field(out, "timestamp", format_utc_micros(e.timestamp_us));
  field(out, "severity", to_string(e.severity));
  field(out, "reason_text", e.reason_text);
  field(out, "event_log_type", to_string(e.event_log_type));
  field(out, "probable_cause", e.probable_cause);
  field(out, "proposed_repair_action", e.proposed_repair_action);
  field(out, "service_affecting", e.service_affecting);
  field(out, "suppression", e.suppression);
  field(out, "suppression_status", status_of(v.suppressed));
  out.push_back('}');
}

Outcome<Alarm> alarm_from_rest_json(const json& body) {
  if (!body.is_object()) return invalid_argument("alarm: the body must be a JSON object");
  static const std::set<std::string, std::less<>> kIgnored{"uuid", "service_affecting", "suppression",
                                                           "suppression_status", "mgmt_affecting",
                                                           "degrade_affecting", "inhibit_alarms", "masked", "links"};
  static const std::set<std::string, std::less<>> kTaken{"alarm_id",    "alarm_state",   "entity_type_id",
                                                         "entity_instance_id", "severity", "reason_text",
                                                         "proposed_repair_action", "alarm_type", "probable_cause",
                                                         "timestamp"};
  for (const auto& [k, _] : body.items())
    if (!kIgnored.count(k) && !kTaken.count(k)) return invalid_argument("alarm: unknown field '" + k + "'");

  const auto text = [&](const char* field, bool required, std::string& out) -> std::optional<Error> {
    const auto it = body.find(field);
    if (it == body.end() || it->is_null()) {
      if (required) return invalid_argument(std::string("alarm: '") + field + "' is required");
      return std::nullopt;
    }
    if (!it->is_string()) return invalid_argument(std::string("alarm: '") + field + "' must be a string");
    out = it->get<std::string>();
    return std::nullopt;
  };

  Alarm a;
  std::string state = "set", severity, type, timestamp;
  for (auto err : {text("alarm_id", true, a.alarm_id), text("entity_instance_id", true, a.entity_instance_id),
                   text("severity", true, severity), text("alarm_state", false, state),
                   text("entity_type_id", false, a.entity_type_id), text("reason_text", false, a.reason_text),
                   text("proposed_repair_action", false, a.proposed_repair_action),
                   text("alarm_type", false, type), text("probable_cause", false, a.probable_cause)})
    if (err) return *err;

  const auto st = parse_alarm_state(state);
  if (!st) return invalid_argument("alarm: 'alarm_state' must be set, clear, msg or log (got '" + state + "')");
  a.state = *st;
  const auto sev = parse_severity(severity);
  if (!sev) return invalid_argument("alarm: 'severity' must be critical, major, minor, warning or clear (got '" + severity + "')");
  a.severity = *sev;
  if (!type.empty()) {
    const auto t = parse_alarm_type(type);
    if (!t) return invalid_argument("alarm: 'alarm_type' '" + type + "' is not one of " + alarm_type_names());
    a.alarm_type = *t;
  }
  if (const auto it = body.find("timestamp"); it != body.end() && !it->is_null()) {
    std::optional<std::int64_t> us;
    if (it->is_number_integer()) us = it->get<std::int64_t>();
    if (it->is_string()) us = parse_utc_micros(it->get<std::string>());
    if (!us) return invalid_argument("alarm: 'timestamp' must be a UTC time (YYYY-MM-DDTHH:MM:SS[.ffffff]) or microseconds");
    a.timestamp_us = *us;
  }
  return a;
}

Outcome<bool> suppression_from_rest_json(const json& body) {
  const auto parse = [](const json& v) -> Outcome<bool> {
    if (v.is_string() && v.get<std::string>() == "suppressed") return true;
    if (v.is_string() && v.get<std::string>() == "unsuppressed") return false;
    return invalid_argument("suppression_status must be \"suppressed\" or \"unsuppressed\" (got " + v.dump() + ")");
  };
  if (body.is_object() && body.contains("suppression_status")) return parse(body["suppression_status"]);
  if (body.is_array()) {
    for (const json& op : body)
      if (op.is_object() && op.value("path", "") == "/suppression_status" && op.contains("value"))
        return parse(op["value"]);
  }
  return invalid_argument("event suppression: the body must set suppression_status, as {\"suppression_status\": "
                          "\"suppressed\"} or a JSON patch on /suppression_status");
}

}  // namespace roost::fm
