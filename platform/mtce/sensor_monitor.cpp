#include "platform/mtce/sensor_monitor.h"

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>
#include <utility>

#include "platform/core/config_reader.h"

namespace roost::mtce {

namespace {

constexpr std::string_view kSensorAlarm = "200.007";
constexpr std::string_view kBmcAlarm = "200.010";
constexpr std::array<std::string_view, 5> kActions{"alarm", "log", "reset", "powercycle", "ignore"};

std::string host_entity(const std::string& host) { return "host=" + host; }

// Entity ids allow no spaces, quotes or backslashes; BMCs name sensors "CPU Temp", "PSU1 Power".
std::string sensor_entity(const std::string& host, const std::string& sensor) {
  std::string name = sensor;
  for (char& c : name)
    if (c == ' ' || c == '"' || c == '\'' || c == '\\' || c < 0x21 || c > 0x7e) c = '_';
  return host_entity(host) + ".sensor=" + name;
}

// The alarm a band calls for: non-critical -> minor, critical -> major, non-recoverable -> critical.
std::optional<fm::Severity> band_severity(core::SensorStatus s) {
  switch (s) {
    case core::SensorStatus::NonCritical: return fm::Severity::Minor;
    case core::SensorStatus::Critical: return fm::Severity::Major;
    case core::SensorStatus::NonRecoverable: return fm::Severity::Critical;
    default: return std::nullopt;
  }
}

// Failures that mean "cannot reach the BMC" (alarm 200.010); a protocol error or an unsupported
// operation is the BMC's or the runtime's doing and is only logged.
bool access_failure(core::BmcErrorCode c) {
  return c == core::BmcErrorCode::Unreachable || c == core::BmcErrorCode::Auth || c == core::BmcErrorCode::Timeout;
}

}  // namespace

SensorMonitorConfig SensorMonitorConfig::from_json(const nlohmann::json& j) {
  core::ConfigReader r("hwmon config", j);
  SensorMonitorConfig c;
  c.audit_period = r.millis("audit_period_ms", c.audit_period, 1000, 86'400'000);
  c.first_audit = r.millis("first_audit_ms", c.first_audit, 0, 86'400'000);
  const nlohmann::json& actions = r.raw("actions");
  if (!actions.is_null()) {
    if (!actions.is_object()) r.fail("actions", "must be an object of sensor type -> action");
    for (const auto& [type, action] : actions.items()) {
      if (!core::parse_sensor_type(type))
        r.fail("actions." + type, "unknown sensor type (one of temperature, fan, voltage, current, power, other)");
      if (!action.is_string() ||
          std::find(kActions.begin(), kActions.end(), action.get<std::string>()) == kActions.end())
        r.fail("actions." + type, "must be one of alarm, log, reset, powercycle, ignore");
      c.actions[type] = action.get<std::string>();
    }
  }
  r.finish();
  return c;
}

// One watched host. A nested class sees the monitor's privates, so the audit logic lives here.
struct SensorMonitor::Watched {
  Watched(SensorMonitor& monitor) : m(monitor) {}

  void audit();
  void read_failed(const core::BmcError& e);
  void read_ok(const std::vector<core::SensorReading>& readings);
  void set_sensor_alarm(const std::string& sensor, std::optional<fm::Severity> want);
  void log_sensor(const core::SensorReading& r, const std::string& action);
  void act(const std::string& sensor, const std::string& action);

  SensorMonitor& m;
  inv::Host host;
  core::BmcEndpoint endpoint;
  std::shared_ptr<core::Bmc> bmc;
  core::TimerId timer = 0;
  bool timer_set = false;
  bool reading = false;                   // a read is in flight: an audit that comes due meanwhile is skipped
  std::optional<bool> reachable;          // none until the first read ends
  bool bmc_alarm = false;                 // 200.010 raised by us
  bool first_result = true;               // the first read since watch(): clear blindly what we do not hold
  std::map<std::string, SensorState> sensors;
  std::map<std::string, fm::Severity> raised;  // 200.007 per sensor, as raised by us
  std::map<std::string, bool> acted;      // the non-recoverable action was taken in this sensor's episode
  std::shared_ptr<int> token = std::make_shared<int>(0);  // replaced with the BMC handle: drops stale answers
};

SensorMonitor::SensorMonitor(core::Node& node, SensorMonitorConfig config, fm::FmClient& fm,
                             std::function<void(const std::string&)> on_degrade)
    : node_(node), config_(std::move(config)), fm_(fm), on_degrade_(std::move(on_degrade)) {}

bool SensorMonitor::degrades(const std::string& hostname) const {
  auto it = hosts_.find(hostname);
  if (it == hosts_.end()) return false;
  for (const auto& [_, severity] : it->second->raised)
    if (severity >= fm::Severity::Major) return true;
  return false;
}

SensorMonitor::~SensorMonitor() {
  *alive_ = false;
  for (auto& [name, w] : hosts_)
    if (w->timer_set) node_.cancel(w->timer);
}

void SensorMonitor::watch(const inv::Host& host) {
  if (!host.has_bmc()) return unwatch(host.hostname);
  auto& slot = hosts_[host.hostname];
  const core::BmcEndpoint endpoint = inv::bmc_endpoint(host);
  if (slot && slot->endpoint == endpoint) {
    slot->host = host;  // lock state and the rest; the BMC is the same
    return;
  }
  if (!slot) slot = std::make_unique<Watched>(*this);
  Watched& w = *slot;
  w.host = host;
  w.endpoint = endpoint;
  w.bmc = node_.env().hardware().bmc(endpoint);
  w.token = std::make_shared<int>(0);  // answers to the previous handle's reads are not for this one
  w.reading = false;
  if (w.timer_set) node_.cancel(w.timer);
  w.timer_set = true;
  w.timer = node_.after(config_.first_audit, [&w] { w.audit(); });
}

void SensorMonitor::unwatch(const std::string& hostname) {
  auto it = hosts_.find(hostname);
  if (it == hosts_.end()) return;
  if (it->second->timer_set) node_.cancel(it->second->timer);
  const bool degraded = degrades(hostname);
  hosts_.erase(it);
  if (degraded && on_degrade_) on_degrade_(hostname);
  // Hierarchical clears: every sensor of the host at once.
  fm_.clear(std::string(kSensorAlarm), host_entity(hostname));
  fm_.clear(std::string(kBmcAlarm), host_entity(hostname));
}

const std::map<std::string, SensorMonitor::SensorState>* SensorMonitor::sensors(const std::string& hostname) const {
  auto it = hosts_.find(hostname);
  return it == hosts_.end() ? nullptr : &it->second->sensors;
}

bool SensorMonitor::bmc_reachable(const std::string& hostname) const {
  auto it = hosts_.find(hostname);
  return it != hosts_.end() && it->second->reachable.value_or(false);
}

// Timers capture the Watched itself: unwatch() and the destructor cancel them before it goes.
void SensorMonitor::Watched::audit() {
  // A fixed cadence: the next audit is due one period after this one started, whatever this one takes.
  timer = m.node_.after(m.config_.audit_period, [this] { audit(); });
  if (reading) {
    m.node_.log().debug("hwmon.audit_skipped", {{"host", host.hostname}, {"reason", "previous read still in flight"}});
    return;
  }
  reading = true;
  bmc->read_sensors([this, alive = std::weak_ptr<bool>(m.alive_), token = std::weak_ptr<int>(token)](
                        core::BmcResult<std::vector<core::SensorReading>> r) {
    const auto live = alive.lock();
    if (!live || !*live || token.expired()) return;  // the monitor, this host or this BMC handle is gone
    reading = false;
    if (!r) return read_failed(r.error());
    read_ok(r.value());
  });
}

void SensorMonitor::Watched::read_failed(const core::BmcError& e) {
  const bool was = reachable.value_or(true);
  reachable = false;
  if (was || first_result)
    m.node_.log().warn("hwmon.bmc_access", {{"host", host.hostname}, {"ok", false},
                                            {"error", std::string(core::to_string(e.code))}, {"detail", e.detail}});
  if (!access_failure(e.code) || bmc_alarm) return;
  bmc_alarm = true;
  fm::Alarm a;
  a.alarm_id = std::string(kBmcAlarm);
  a.entity_type_id = "host";
  a.entity_instance_id = host_entity(host.hostname);
  a.severity = fm::Severity::Warning;
  m.fm_.raise(std::move(a));
}

void SensorMonitor::Watched::read_ok(const std::vector<core::SensorReading>& readings) {
  if (!reachable.value_or(false))
    m.node_.log().info("hwmon.bmc_access", {{"host", host.hostname}, {"ok", true}, {"error", ""}});
  reachable = true;
  // After a restart of this node the FM may still hold what the previous incarnation raised: clear
  // blindly once (the FM takes a clear of nothing as a no-op).
  if (bmc_alarm || first_result) m.fm_.clear(std::string(kBmcAlarm), host_entity(host.hostname));
  bmc_alarm = false;
  const bool first = std::exchange(first_result, false);
  const bool degraded_before = m.degrades(host.hostname);

  std::map<std::string, SensorState> next;
  bool any_alarm = false;
  for (const auto& reading : readings) {
    SensorState& s = next[reading.name];
    s.reading = reading;
    auto prev = sensors.find(reading.name);
    const bool changed = prev == sensors.end() ? reading.status != core::SensorStatus::Ok
                                               : prev->second.reading.status != reading.status;
    // Unavailable says nothing about the hardware: the sensor keeps the alarm it had.
    if (reading.status == core::SensorStatus::Unavailable) {
      s.alarmed = raised.count(reading.name) != 0;
      any_alarm = any_alarm || s.alarmed;
      if (changed) log_sensor(reading, "none");
      continue;
    }
    std::string action = "alarm";
    std::optional<fm::Severity> want = band_severity(reading.status);
    if (reading.status == core::SensorStatus::NonRecoverable) {
      auto a = m.config_.actions.find(std::string(core::to_string(reading.type)));
      if (a != m.config_.actions.end()) action = a->second;
      if (action == "log" || action == "ignore") want.reset();
    } else {
      acted.erase(reading.name);  // the episode is over: the next one acts again
    }
    if (changed && action != "ignore") log_sensor(reading, action);
    set_sensor_alarm(reading.name, want);
    s.alarmed = want.has_value();
    any_alarm = any_alarm || s.alarmed;
    if ((action == "reset" || action == "powercycle") && !acted[reading.name]) {
      acted[reading.name] = true;
      act(reading.name, action);
    }
  }
  // A sensor the BMC no longer lists has nothing to alarm about.
  for (const auto& [name, state] : sensors)
    if (!next.count(name)) set_sensor_alarm(name, std::nullopt);
  // The first read clears what an earlier incarnation may have left: with one hierarchical clear when
  // nothing is wrong, else sensor by sensor.
  if (first && !any_alarm) {
    m.fm_.clear(std::string(kSensorAlarm), host_entity(host.hostname));
  } else if (first) {
    for (const auto& [name, state] : next)
      if (!state.alarmed) m.fm_.clear(std::string(kSensorAlarm), sensor_entity(host.hostname, name));
  }
  sensors = std::move(next);
  if (m.degrades(host.hostname) != degraded_before && m.on_degrade_) m.on_degrade_(host.hostname);
}

void SensorMonitor::Watched::set_sensor_alarm(const std::string& sensor, std::optional<fm::Severity> want) {
  auto it = raised.find(sensor);
  if (!want) {
    if (it == raised.end()) return;
    raised.erase(it);
    m.fm_.clear(std::string(kSensorAlarm), sensor_entity(host.hostname, sensor));
    return;
  }
  if (it != raised.end() && it->second == *want) return;
  raised[sensor] = *want;
  fm::Alarm a;
  a.alarm_id = std::string(kSensorAlarm);
  a.entity_type_id = "host";
  a.entity_instance_id = sensor_entity(host.hostname, sensor);
  a.severity = *want;
  m.fm_.raise(std::move(a));
}

void SensorMonitor::Watched::log_sensor(const core::SensorReading& r, const std::string& action) {
  core::LogFields f{{"host", host.hostname},
                    {"sensor", r.name},
                    {"type", std::string(core::to_string(r.type))},
                    {"status", std::string(core::to_string(r.status))},
                    {"action", action}};
  if (r.value) f.emplace_back("value", *r.value);
  if (r.status == core::SensorStatus::Ok) m.node_.log().info("hwmon.sensor", std::move(f));
  else m.node_.log().warn("hwmon.sensor", std::move(f));
}

void SensorMonitor::Watched::act(const std::string& sensor, const std::string& action) {
  // StarlingX never resets or power-cycles a host an operator has locked: it is out of service on purpose.
  if (host.administrative != inv::AdminState::Unlocked) {
    m.node_.log().warn("hwmon.action", {{"host", host.hostname}, {"sensor", sensor}, {"action", action},
                                        {"ok", false}, {"error", "host is locked: no automatic " + action}});
    return;
  }
  m.node_.log().warn("hwmon.action",
                     {{"host", host.hostname}, {"sensor", sensor}, {"action", action}, {"ok", true}, {"error", ""}});
  auto done = [&monitor = m, alive = std::weak_ptr<bool>(m.alive_), hostname = host.hostname, sensor,
               action](core::BmcResult<void> r) {
    const auto live = alive.lock();
    if (!live || !*live || r) return;
    monitor.node_.log().warn("hwmon.action_failed",
                             {{"host", hostname}, {"sensor", sensor}, {"action", action}, {"error", r.error().detail}});
  };
  if (action == "reset") bmc->power_reset(std::move(done));
  else bmc->power_cycle(std::move(done));
}

}  // namespace roost::mtce
