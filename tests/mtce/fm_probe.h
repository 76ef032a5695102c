// Reads the active alarms of a lab's FM node over its REST API (GET /v1/alarms), for tests that check
// what operators would see, not only what maintenance logged.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/blocking_http.h"

namespace roost::testing {

struct ActiveAlarm {
  std::string alarm_id, entity_instance_id, severity;
};

inline std::vector<ActiveAlarm> active_alarms(const std::string& fm_address, std::uint16_t port = 18002) {
  backends::BlockingHttpClient http(backends::HttpUrl{fm_address, port, ""}, core::seconds(5));
  const auto r = http.get("/v1/alarms?limit=1000");
  if (r.status != 200) throw std::runtime_error("GET /v1/alarms: " + backends::describe_failure(r) + " " + r.body);
  std::vector<ActiveAlarm> out;
  const auto body = nlohmann::json::parse(r.body);  // kept alive: the loop walks into it
  for (const auto& a : body.at("alarms"))
    out.push_back({a.at("alarm_id"), a.at("entity_instance_id"), a.at("severity")});
  return out;
}

inline std::string describe(const std::vector<ActiveAlarm>& v) {
  std::string out = std::to_string(v.size()) + " active:";
  for (const auto& a : v) out += " [" + a.alarm_id + " " + a.entity_instance_id + " " + a.severity + "]";
  return out;
}

inline bool has_alarm(const std::vector<ActiveAlarm>& v, const std::string& id, const std::string& entity,
                      const std::string& severity = "") {
  for (const auto& a : v)
    if (a.alarm_id == id && a.entity_instance_id == entity && (severity.empty() || a.severity == severity)) return true;
  return false;
}

}  // namespace roost::testing
