// FM records as StarlingX's REST API (fm-rest-api) shows and takes them, so the REST layer is a thin
// adapter and existing clients' parsing carries over. (core::to_json renders the raw records for logs.)
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "platform/fm/alarm.h"
#include "platform/fm/outcome.h"
#include "platform/fm/views.h"

namespace roost::fm {

// uuid, alarm_id, alarm_state, entity_type_id, entity_instance_id, timestamp (ISO, UTC), severity,
// reason_text, alarm_type, probable_cause, proposed_repair_action, service_affecting, suppression,
// suppression_status ("suppressed"|"unsuppressed"), mgmt_affecting and degrade_affecting ("True"|"False",
// strings as StarlingX sends them), inhibit_alarms, masked.
nlohmann::json rest_json(const AlarmView& v);
// {critical, major, minor, warnings, status}
nlohmann::json rest_json(const AlarmSummary& s);
// uuid, event_log_id, state, entity_type_id, entity_instance_id, timestamp, severity, reason_text,
// event_log_type, probable_cause, proposed_repair_action, service_affecting, suppression,
// suppression_status.
nlohmann::json rest_json(const EventView& v);
// uuid, alarm_id, description, suppression_status, suppressible, mgmt_affecting, degrade_affecting.
nlohmann::json rest_json(const SuppressionView& v);

// The same JSON as rest_json(), written straight as text onto `out` (about ten times faster than
// building nlohmann objects: what a REST handler listing a thousand alarms wants). Invalid UTF-8 in
// a field becomes U+FFFD, so the output is always valid JSON.
void append_rest_json(std::string& out, const AlarmView& v);
void append_rest_json(std::string& out, const EventView& v);
// A JSON string literal for `s` (quotes included), escaped as above.
void append_json_string(std::string& out, std::string_view s);

// The body of POST /v1/alarms. Required: alarm_id, entity_instance_id, severity. Optional: alarm_state
// (default set), entity_type_id, reason_text, proposed_repair_action, alarm_type, probable_cause,
// timestamp (ISO or microseconds). Accepted and ignored (the server decides them): uuid,
// service_affecting, suppression, suppression_status, mgmt_affecting, degrade_affecting,
// inhibit_alarms, masked. Anything else is refused, naming the field.
Outcome<Alarm> alarm_from_rest_json(const nlohmann::json& body);

// The body of PATCH /v1/event_suppression/{uuid}: {"suppression_status": "suppressed"} or StarlingX's
// JSON-patch form [{"op": "replace", "path": "/suppression_status", "value": "suppressed"}].
// Yields true for suppressed, false for unsuppressed.
Outcome<bool> suppression_from_rest_json(const nlohmann::json& body);

}  // namespace roost::fm
