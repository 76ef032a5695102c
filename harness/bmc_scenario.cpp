#include "harness/bmc_scenario.h"

#include <array>
#include <cmath>
#include <map>
#include <vector>

namespace roost::harness {

using nlohmann::json;

namespace {

constexpr std::array kBmcFields{FieldRule{"user", kString},          FieldRule{"password", kString},
                                FieldRule{"latency_ms", kNumber},    FieldRule{"unreachable_after_s", kNumber},
                                FieldRule{"boot_s", kObject},        FieldRule{"cycle_off_s", kNumber},
                                FieldRule{"sensors", kArray},        FieldRule{"changes", kArray},
                                FieldRule{"unreachable", kArray}};
constexpr std::array kTriangularFields{FieldRule{"min", kNumber, true}, FieldRule{"mode", kNumber, true},
                                       FieldRule{"max", kNumber, true}};
constexpr std::array kSensorFields{FieldRule{"name", kString, true}, FieldRule{"type", kString, true},
                                   FieldRule{"unit", kString}, FieldRule{"value", kNumber | kString, true},
                                   FieldRule{"thresholds", kObject}};
constexpr std::array kThresholdFields{
    FieldRule{"lower_non_recoverable", kNumber}, FieldRule{"lower_critical", kNumber},
    FieldRule{"lower_non_critical", kNumber},    FieldRule{"upper_non_critical", kNumber},
    FieldRule{"upper_critical", kNumber},        FieldRule{"upper_non_recoverable", kNumber}};
constexpr std::array kChangeFields{FieldRule{"at_s", kNumber, true}, FieldRule{"sensor", kString, true},
                                   FieldRule{"value", kNumber | kString, true}};
constexpr std::array kWindowFields{FieldRule{"at_s", kNumber, true}, FieldRule{"until_s", kNumber}};

// The word a reading that the BMC cannot give is written as.
constexpr std::string_view kUnavailable = "unavailable";

std::vector<std::string> sensor_type_names() {
  std::vector<std::string> out;
  for (auto t : {core::SensorType::Temperature, core::SensorType::Fan, core::SensorType::Voltage,
                 core::SensorType::Current, core::SensorType::Power, core::SensorType::Other})
    out.emplace_back(core::to_string(t));
  return out;
}

class BmcReader {
 public:
  BmcReader(JsonChecker& c, std::optional<double> duration_s) : c_(c), duration_s_(duration_s) {}

  std::optional<sim::BmcSpec> read(const json& j, const std::string& path) {
    if (!c_.check_object(j, path, kBmcFields)) return std::nullopt;
    sim::BmcSpec b;
    b.user = get_string(j, "user").value_or("");
    b.password = get_string(j, "password").value_or("");
    if (auto v = non_negative(j, path, "latency_ms")) b.latency = core::from_seconds(*v / 1e3);
    if (auto v = non_negative(j, path, "unreachable_after_s")) b.unreachable_after = core::from_seconds(*v);
    if (auto v = non_negative(j, path, "cycle_off_s")) b.cycle_off = core::from_seconds(*v);
    if (const json* boot = get_field(j, "boot_s"); boot && boot->is_object()) b.boot = read_boot(*boot, child(path, "boot_s"));
    if (const json* s = get_field(j, "sensors"); s && s->is_array()) read_sensors(*s, child(path, "sensors"), b);
    if (const json* ch = get_field(j, "changes"); ch && ch->is_array()) read_changes(*ch, child(path, "changes"), b);
    if (const json* w = get_field(j, "unreachable"); w && w->is_array())
      read_windows(*w, child(path, "unreachable"), b);
    return b;
  }

 private:
  std::optional<double> non_negative(const json& j, const std::string& path, std::string_view key) {
    auto v = get_number(j, key);
    if (v && (*v < 0 || !std::isfinite(*v))) {
      c_.error(child(path, key), "must not be negative (got " + literal(j[std::string(key)]) + ")");
      return std::nullopt;
    }
    return v;
  }

  std::optional<sim::TriangularSpec> read_boot(const json& j, const std::string& path) {
    if (!c_.check_object(j, path, kTriangularFields)) return std::nullopt;
    const auto lo = non_negative(j, path, "min"), mode = non_negative(j, path, "mode"), hi = non_negative(j, path, "max");
    if (!lo || !mode || !hi) return std::nullopt;
    if (!(*lo <= *mode && *mode <= *hi)) {
      c_.error(path, "needs min <= mode <= max (got " + literal(j["min"]) + ", " + literal(j["mode"]) + ", " +
                         literal(j["max"]) + ")");
      return std::nullopt;
    }
    return sim::TriangularSpec{*lo, *mode, *hi};
  }

  // A reading: a number, or "unavailable". Returns false (after recording why) for anything else.
  bool read_value(const json& j, const std::string& path, std::optional<double>& out) {
    if (j.is_number()) {
      out = j.get<double>();
      return true;
    }
    if (j.is_string() && j.get<std::string>() == kUnavailable) {
      out.reset();
      return true;
    }
    if (j.is_string()) c_.error(path, "expected a number or \"unavailable\", got " + literal(j));
    return false;
  }

  void read_sensors(const json& sensors, const std::string& path, sim::BmcSpec& b) {
    for (std::size_t i = 0; i < sensors.size(); ++i) {
      const std::string p = index(path, i);
      const json& s = sensors[i];
      if (!c_.check_object(s, p, kSensorFields)) continue;
      sim::SimSensorSpec spec;
      spec.name = get_string(s, "name").value_or("");
      if (get_string(s, "name")) {
        if (spec.name.empty()) c_.error(child(p, "name"), "must not be empty");
        else if (auto [it, fresh] = sensor_paths_.emplace(spec.name, p); !fresh)
          c_.error(child(p, "name"), "duplicate sensor \"" + spec.name + "\" (also at " + it->second + ")");
      }
      if (auto type = get_string(s, "type")) {
        if (auto t = core::parse_sensor_type(*type)) {
          spec.type = *t;
        } else {
          const auto names = sensor_type_names();
          std::string all;
          for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
          c_.error(child(p, "type"), "unknown sensor type " + literal(s["type"]) + did_you_mean(*type, names) +
                                         "; one of: " + all);
        }
      }
      spec.unit = get_string(s, "unit").value_or("");
      if (const json* v = get_field(s, "value")) read_value(*v, child(p, "value"), spec.value);
      if (const json* t = get_field(s, "thresholds"); t && t->is_object())
        spec.thresholds = read_thresholds(*t, child(p, "thresholds"));
      b.sensors.push_back(std::move(spec));
    }
  }

  core::SensorThresholds read_thresholds(const json& j, const std::string& path) {
    core::SensorThresholds t;
    if (!c_.check_object(j, path, kThresholdFields)) return t;
    t.lower_non_recoverable = get_number(j, "lower_non_recoverable");
    t.lower_critical = get_number(j, "lower_critical");
    t.lower_non_critical = get_number(j, "lower_non_critical");
    t.upper_non_critical = get_number(j, "upper_non_critical");
    t.upper_critical = get_number(j, "upper_critical");
    t.upper_non_recoverable = get_number(j, "upper_non_recoverable");
    // They must rise from lower non-recoverable to upper non-recoverable, or the bands overlap.
    const std::pair<const char*, std::optional<double>> order[] = {
        {"lower_non_recoverable", t.lower_non_recoverable}, {"lower_critical", t.lower_critical},
        {"lower_non_critical", t.lower_non_critical},       {"upper_non_critical", t.upper_non_critical},
        {"upper_critical", t.upper_critical},               {"upper_non_recoverable", t.upper_non_recoverable}};
    const char* last_name = nullptr;
    std::optional<double> last;
    for (const auto& [name, v] : order) {
      if (!v) continue;
      if (last && *v < *last)
        c_.error(child(path, name), std::string("must not be below ") + last_name + " (" + literal(j[name]) + " < " +
                                        literal(j[last_name]) + ")");
      last = v;
      last_name = name;
    }
    return t;
  }

  // A time in the run: >= 0 and before its end. Returns false (after recording why) otherwise.
  bool time_in_run(const json& j, const std::string& path, std::string_view key, double& out) {
    auto v = get_number(j, key);
    if (!v) return false;
    if (*v < 0) {
      c_.error(child(path, key), "before time 0 (" + literal(j[std::string(key)]) + ")");
      return false;
    }
    if (duration_s_ && *v >= *duration_s_) {
      c_.error(child(path, key), literal(j[std::string(key)]) + " s is not before the end of the run (duration_s " +
                                     literal(json(*duration_s_)) + ")");
      return false;
    }
    out = *v;
    return true;
  }

  void read_changes(const json& changes, const std::string& path, sim::BmcSpec& b) {
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const std::string p = index(path, i);
      const json& ch = changes[i];
      if (!c_.check_object(ch, p, kChangeFields)) continue;
      sim::SimSensorChange change;
      double at = 0;
      const bool at_ok = time_in_run(ch, p, "at_s", at);
      change.at = core::at_seconds(at);
      change.sensor = get_string(ch, "sensor").value_or("");
      bool sensor_ok = false;
      if (get_string(ch, "sensor")) {
        if (sensor_paths_.count(change.sensor)) {
          sensor_ok = true;
        } else {
          std::vector<std::string> known;
          for (const auto& [name, _] : sensor_paths_) known.push_back(name);
          c_.error(child(p, "sensor"), "no sensor named " + literal(ch["sensor"]) + did_you_mean(change.sensor, known) +
                                           " in this BMC's \"sensors\"");
        }
      }
      bool value_ok = false;
      if (const json* v = get_field(ch, "value")) value_ok = read_value(*v, child(p, "value"), change.value);
      if (at_ok && sensor_ok && value_ok) b.changes.push_back(std::move(change));
    }
  }

  void read_windows(const json& windows, const std::string& path, sim::BmcSpec& b) {
    for (std::size_t i = 0; i < windows.size(); ++i) {
      const std::string p = index(path, i);
      const json& w = windows[i];
      if (!c_.check_object(w, p, kWindowFields)) continue;
      double at = 0;
      if (!time_in_run(w, p, "at_s", at)) continue;
      sim::TimeWindow window{core::at_seconds(at), std::nullopt};
      if (auto until = get_number(w, "until_s")) {
        if (*until <= at) {
          c_.error(child(p, "until_s"), "must be after at_s (" + literal(w["until_s"]) + " <= " + literal(w["at_s"]) + ")");
          continue;
        }
        if (duration_s_ && *until > *duration_s_) {
          c_.error(child(p, "until_s"), literal(w["until_s"]) + " s is after the end of the run (duration_s " +
                                            literal(json(*duration_s_)) + "); leave until_s out for a window that lasts to the end");
          continue;
        }
        window.until = core::at_seconds(*until);
      }
      b.unreachable.push_back(window);
    }
  }

  JsonChecker& c_;
  std::optional<double> duration_s_;
  std::map<std::string, std::string> sensor_paths_;  // name -> where it was declared
};

}  // namespace

std::optional<sim::BmcSpec> read_bmc(const json& j, const std::string& path, JsonChecker& check,
                                     std::optional<double> duration_s) {
  return BmcReader(check, duration_s).read(j, path);
}

}  // namespace roost::harness
