// SensorMonitor: StarlingX's hardware monitor (hwmond) on the controller. For every unlocked host with
// a BMC it reads the sensors every `audit_period` (120 s by default) through Env::hardware().bmc() and
// keeps alarm 200.007 (host=<host>.sensor=<name>) in step with each sensor's band: non-critical ->
// minor, critical -> major, non-recoverable -> critical, ok -> cleared. A group action per sensor type
// (config "actions": {"temperature": "alarm"|"log"|"reset"|"powercycle"|"ignore"}) says what a
// non-recoverable reading does besides the alarm ("reset"/"powercycle" go through the BMC; "log" only
// logs; "ignore" neither alarms nor logs). When the BMC cannot be reached (unreachable, auth, timeout)
// it raises 200.010 (host=<host>) and clears it on the next successful read. A major or critical 200.007
// degrades the host (degrades(); maintenance asks it, on_degrade says when the answer changes).
//
// Entity ids may not hold spaces, quotes, backslashes or non-printable bytes: in a sensor's name each of
// those becomes '_' ("CPU Temp" -> host=worker-0.sensor=CPU_Temp).
//
// Logs: hwmon.sensor {host, sensor, type, status, value, action}, hwmon.bmc_access {host, ok, error, detail},
// hwmon.action / hwmon.action_failed (reset, power-cycle), hwmon.audit_skipped (a read still in flight).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "platform/core/node.h"
#include "platform/fm/fm_client.h"
#include "platform/inv/host.h"

namespace roost::mtce {

struct SensorMonitorConfig {
  core::Duration audit_period = core::seconds(120);  // StarlingX: 120 s, minimum 10 s (labs may go to 1 s)
  core::Duration first_audit = core::seconds(1);     // after a host is added or the monitor starts
  std::map<std::string, std::string> actions;        // sensor type -> action for non-recoverable readings
  // Keys: audit_period_ms (>= 1000), first_audit_ms, actions. Throws std::invalid_argument naming the key.
  static SensorMonitorConfig from_json(const nlohmann::json& j);
};

class SensorMonitor {
 public:
  // `on_degrade` runs with the host's name whenever degrades(host) changes.
  SensorMonitor(core::Node& node, SensorMonitorConfig config, fm::FmClient& fm,
                std::function<void(const std::string&)> on_degrade = {});
  ~SensorMonitor();

  // Starts auditing `host` (or updates its BMC settings); a host without a BMC is not audited.
  void watch(const inv::Host& host);
  void unwatch(const std::string& hostname);  // clears the host's 200.007 and 200.010

  struct SensorState {
    core::SensorReading reading;
    bool alarmed = false;
  };
  // Last audit's readings of `host` (empty if none yet).
  const std::map<std::string, SensorState>* sensors(const std::string& hostname) const;
  bool bmc_reachable(const std::string& hostname) const;
  // Whether the host's sensors degrade it (StarlingX: a major or critical sensor alarm degrades the host).
  bool degrades(const std::string& hostname) const;

 private:
  struct Watched;
  core::Node& node_;
  SensorMonitorConfig config_;
  fm::FmClient& fm_;
  std::function<void(const std::string&)> on_degrade_;
  std::map<std::string, std::unique_ptr<Watched>> hosts_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace roost::mtce
