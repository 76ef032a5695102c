#include "sim/simulated_bmc.h"

#include <stdexcept>

namespace roost::sim {

std::string_view default_unit(core::SensorType t) {
  switch (t) {
    case core::SensorType::Temperature: return "degrees C";
    case core::SensorType::Fan: return "RPM";
    case core::SensorType::Voltage: return "Volts";
    case core::SensorType::Current: return "Amps";
    case core::SensorType::Power: return "Watts";
    case core::SensorType::Other: return "unspecified";
  }
  return "unspecified";
}

SimulatedBmc::SimulatedBmc(const BmcSpec& spec, std::uint64_t seed, const std::string& node, bool powered)
    : spec_(spec), powered_(powered), rng_(core::Rng::derive(seed, "bmc/" + node)) {
  values_.reserve(spec.sensors.size());
  for (const auto& s : spec.sensors) values_.push_back(s.value);
}

core::SensorReading SimulatedBmc::reading(std::size_t i) const {
  const SimSensorSpec& s = spec_.sensors[i];
  core::SensorReading r;
  r.name = s.name;
  r.type = s.type;
  r.unit = s.unit.empty() ? std::string(default_unit(s.type)) : s.unit;
  r.value = values_[i];
  r.status = r.value ? s.thresholds.classify(*r.value) : core::SensorStatus::Unavailable;
  r.thresholds = s.thresholds;
  return r;
}

std::vector<core::SensorReading> SimulatedBmc::readings() const {
  std::vector<core::SensorReading> out;
  out.reserve(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) out.push_back(reading(i));
  return out;
}

std::optional<std::size_t> SimulatedBmc::find_sensor(const std::string& name) const {
  for (std::size_t i = 0; i < spec_.sensors.size(); ++i)
    if (spec_.sensors[i].name == name) return i;
  return std::nullopt;
}

std::size_t SimulatedBmc::apply_change(std::size_t i) {
  const SimSensorChange& c = spec_.changes.at(i);
  const auto sensor = find_sensor(c.sensor);
  if (!sensor) throw std::logic_error("BMC change names unknown sensor '" + c.sensor + "' (validation missed it)");
  values_[*sensor] = c.value;
  return *sensor;
}

bool SimulatedBmc::reachable(std::int64_t t) const {
  for (const auto& w : spec_.unreachable) {
    const std::int64_t from = w.at.time_since_epoch().count();
    const bool before_end = !w.until || t < w.until->time_since_epoch().count();
    if (from <= t && before_end) return false;
  }
  return true;
}

bool SimulatedBmc::accepts(const core::BmcEndpoint& e) const {
  if (spec_.user.empty() && spec_.password.empty()) return true;
  return e.user == spec_.user && e.password == spec_.password;
}

core::Duration SimulatedBmc::boot_time(core::Duration node_default) {
  if (!spec_.boot) return node_default;
  const auto& b = *spec_.boot;
  return core::from_seconds(rng_.triangular(b.min_s, b.mode_s, b.max_s));
}

}  // namespace roost::sim
