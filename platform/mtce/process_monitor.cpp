#include "platform/mtce/process_monitor.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <stdexcept>

namespace roost::mtce {

namespace {

constexpr std::string_view kAlarmId = "200.006";
constexpr int kMaxRestarts = 1000;
constexpr double kMaxMillis = 24.0 * 3600 * 1000;  // a day

[[noreturn]] void bad(const std::string& where, const std::string& why) {
  throw std::invalid_argument(where + ": " + why);
}

std::string quoted(const nlohmann::json& v) { return v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump(); }

std::optional<ProcessImpact> parse_impact(std::string_view s) {
  if (s == "minor") return ProcessImpact::Minor;
  if (s == "major") return ProcessImpact::Major;
  if (s == "critical") return ProcessImpact::Critical;
  return std::nullopt;
}

fm::Severity alarm_severity(ProcessImpact i) {
  switch (i) {
    case ProcessImpact::Critical: return fm::Severity::Critical;
    case ProcessImpact::Major: return fm::Severity::Major;
    default: return fm::Severity::Minor;
  }
}

double millis(const nlohmann::json& v, const std::string& where, double min, bool min_inclusive) {
  if (!v.is_number()) bad(where, "must be a number of milliseconds (got " + v.dump() + ")");
  const double ms = v.get<double>();
  const bool too_low = min_inclusive ? ms < min : ms <= min;
  if (!std::isfinite(ms) || too_low || ms > kMaxMillis)
    bad(where, "must be " + std::string(min_inclusive ? ">= " : "> ") + std::to_string(static_cast<int>(min)) +
                   " and at most a day (got " + v.dump() + ")");
  return ms;
}

MonitoredProcess read_process(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) bad(where, "must be an object with at least \"name\" (got " + j.dump() + ")");
  MonitoredProcess p;
  if (!j.contains("name")) bad(where + ".name", "required");
  for (const auto& [key, v] : j.items()) {
    const std::string at = where + "." + key;
    if (key == "name") {
      if (!v.is_string() || v.get<std::string>().empty()) bad(at, "must be a non-empty string");
      p.name = v.get<std::string>();
      // The name becomes part of the alarm's entity (host=<host>.process=<name>).
      if (p.name.find_first_of(".= \t\n") != std::string::npos)
        bad(at, quoted(v) + " must not contain '.', '=' or spaces (it is part of the alarm's entity id)");
    } else if (key == "argv") {
      if (!v.is_array() || v.empty()) bad(at, "must be a non-empty array of strings (the command line)");
      p.argv.clear();
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string() || (i == 0 && v[i].get<std::string>().empty()))
          bad(at + "[" + std::to_string(i) + "]", i == 0 ? "must name a program" : "must be a string");
        p.argv.push_back(v[i].get<std::string>());
      }
    } else if (key == "severity") {
      const auto s = v.is_string() ? parse_impact(v.get<std::string>()) : std::nullopt;
      if (!s) bad(at, quoted(v) + " is not one of minor, major, critical");
      p.severity = *s;
    } else if (key == "restarts") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > kMaxRestarts)
        bad(at, "must be an integer in [0, " + std::to_string(kMaxRestarts) + "] (got " + v.dump() + ")");
      p.restarts = v.get<int>();
    } else if (key == "interval_ms") {
      p.interval = core::from_seconds(millis(v, at, 0, true) / 1e3);
    } else if (key == "debounce_ms") {
      p.debounce = core::from_seconds(millis(v, at, 0, false) / 1e3);
    } else {
      bad(at, "unknown key (expected name, argv, severity, restarts, interval_ms, debounce_ms)");
    }
  }
  if (p.argv.empty()) p.argv = {p.name};  // a process runs the program of its name unless told otherwise
  return p;
}

}  // namespace

std::string_view to_string(ProcessImpact i) {
  switch (i) {
    case ProcessImpact::None: return "none";
    case ProcessImpact::Minor: return "minor";
    case ProcessImpact::Major: return "major";
    case ProcessImpact::Critical: return "critical";
  }
  return "?";
}

ProcessMonitorConfig ProcessMonitorConfig::from_json(const nlohmann::json& j) {
  if (!j.is_array()) bad("processes", "must be an array of processes (got " + j.dump() + ")");
  ProcessMonitorConfig c;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string where = "processes[" + std::to_string(i) + "]";
    c.processes.push_back(read_process(j[i], where));
    const auto [it, fresh] = seen.emplace(c.processes.back().name, i);
    if (!fresh)
      bad(where + ".name", "'" + it->first + "' is already monitored (processes[" + std::to_string(it->second) + "])");
  }
  return c;
}

// One monitored process: its current run, its restart budget and whether it has failed.
struct ProcessMonitor::State {
  State(ProcessMonitor& m, const MonitoredProcess& s) : monitor(m), spec(s) {}

  ProcessMonitor& monitor;
  const MonitoredProcess& spec;  // in monitor.config_, which never changes
  core::ProcessId pid = 0;       // 0: not running
  int restarts_used = 0;         // restarts since it was last healthy (up for a whole debounce)
  bool failed = false;
  std::uint64_t run = 0;         // counts launches: a completion of an older run is stale
  core::TimerId restart_timer = 0;
  core::TimerId debounce_timer = 0;

  core::Node& node() { return monitor.node_; }
  core::Logger& log() { return monitor.node_.log(); }
  std::string entity() const { return "host=" + monitor.node_.name() + ".process=" + spec.name; }

  void launch() {
    restart_timer = 0;
    const std::uint64_t this_run = ++run;
    core::ProcessControl* control = &node().env().hardware().processes();
    std::weak_ptr<bool> alive = monitor.alive_;
    control->start(
        core::ProcessSpec{spec.name, spec.argv},
        [this, alive, control, this_run](core::ProcessId id, std::string error) {
          if (alive.expired()) {  // the monitor is gone: nobody would watch this one
            if (id != 0) control->stop(id);
            return;
          }
          started(this_run, id, std::move(error));
        },
        [this, alive, this_run](core::ProcessExit e) {
          if (!alive.expired()) exited(this_run, e);
        });
  }

  void started(std::uint64_t of_run, core::ProcessId id, std::string error) {
    if (of_run != run) return;
    if (id == 0 || !error.empty()) {
      log().warn("pmon.start_failed", {{"process", spec.name}, {"error", error.empty() ? "no process id" : error}});
      return died();
    }
    pid = id;
    log().info("pmon.started", {{"process", spec.name}, {"pid", static_cast<std::int64_t>(id)}});
    debounce_timer = node().after(spec.debounce, [this] { healthy(); });
  }

  void exited(std::uint64_t of_run, const core::ProcessExit& e) {
    if (of_run != run || e.id != pid) return;
    core::LogFields fields{{"process", spec.name}, {"pid", static_cast<std::int64_t>(e.id)}};
    if (e.signal != 0) fields.emplace_back("signal", e.signal);
    else fields.emplace_back("code", e.exit_code);
    log().warn("pmon.exited", std::move(fields));
    pid = 0;
    cancel(debounce_timer);
    died();
  }

  // The run ended (or never started): restart it after `interval`, failing it once the budget is spent.
  void died() {
    if (!failed) {
      if (restarts_used < spec.restarts) {
        ++restarts_used;
        log().info("pmon.restarting", {{"process", spec.name}, {"attempt", restarts_used}, {"of", spec.restarts}});
      } else {
        fail();
      }
    }
    restart_timer = node().after(spec.interval, [this] { launch(); });
  }

  void fail() {
    failed = true;
    log().warn("pmon.failed", {{"process", spec.name}, {"severity", std::string(to_string(spec.severity))}});
    fm::Alarm a;
    a.alarm_id = std::string(kAlarmId);
    a.entity_type_id = "host";
    a.entity_instance_id = entity();
    a.severity = alarm_severity(spec.severity);
    a.reason_text = "'" + spec.name + "' process on " + monitor.node_.name() + " failed and could not be recovered (" +
                    std::to_string(spec.restarts) + (spec.restarts == 1 ? " restart)" : " restarts)");
    monitor.fm_.raise(std::move(a));
    if (monitor.on_impact_) monitor.on_impact_();
  }

  // Up for a whole debounce: the budget refills, and a failed process has recovered.
  void healthy() {
    debounce_timer = 0;
    restarts_used = 0;
    if (!failed) return;
    failed = false;
    log().info("pmon.recovered", {{"process", spec.name}});
    monitor.fm_.clear(std::string(kAlarmId), entity());
    if (monitor.on_impact_) monitor.on_impact_();
  }

  void cancel(core::TimerId& t) {
    if (t) node().cancel(t);
    t = 0;
  }
};

ProcessMonitor::ProcessMonitor(core::Node& node, ProcessMonitorConfig config, fm::FmClient& fm,
                               std::function<void()> on_impact)
    : node_(node), config_(std::move(config)), fm_(fm), on_impact_(std::move(on_impact)) {
  for (const auto& p : config_.processes) states_.emplace(p.name, std::make_unique<State>(*this, p));
}

// The monitor's processes end with it: a host's processes do not outlive its incarnation (the
// simulation ends them with the node; the real runtime stops them here, SIGTERM then SIGKILL).
ProcessMonitor::~ProcessMonitor() {
  alive_.reset();
  for (auto& [name, s] : states_) {
    s->cancel(s->restart_timer);
    s->cancel(s->debounce_timer);
    if (s->pid != 0) node_.env().hardware().processes().stop(s->pid);
  }
}

void ProcessMonitor::start() {
  for (const auto& p : config_.processes) {
    State& s = *states_.at(p.name);
    if (s.run == 0) s.launch();
  }
}

ProcessImpact ProcessMonitor::impact() const {
  ProcessImpact worst = ProcessImpact::None;
  for (const auto& [name, s] : states_)
    if (s->failed) worst = std::max(worst, s->spec.severity);
  return worst;
}

std::vector<std::string> ProcessMonitor::failed() const {
  std::vector<std::string> out;
  for (const auto& [name, s] : states_)  // a map: already sorted by name
    if (s->failed) out.push_back(name);
  return out;
}

core::ProcessId ProcessMonitor::pid(const std::string& name) const {
  auto it = states_.find(name);
  return it == states_.end() ? 0 : it->second->pid;
}

}  // namespace roost::mtce
