// ProcessMonitor: StarlingX's pmond on every host. It starts each configured process (through
// Env::hardware().processes()), watches it, and restarts it when it dies: up to `restarts` times, each
// `interval` after the death. A process that stays up for `debounce` is healthy again and its restart
// budget refills. When the budget is spent the process has failed: the monitor raises alarm 200.006
// (host=<host>.process=<name>) at the process's severity and reports the host's impact, which
// maintenance turns into action: critical -> the host is failed and rebooted, major -> degraded,
// minor -> the alarm only. It keeps trying to restart a failed process every `interval`; once one
// stays up for `debounce`, 200.006 is cleared and the impact drops.
//
// Destroying the monitor (the node crashes, reboots or stops) stops every process it runs: a dead agent
// leaves no orphans behind (the real runtime: SIGTERM, then SIGKILL after 2 s).
//
// Logs: pmon.started {process, pid}, pmon.exited {process, pid, code|signal}, pmon.restarting
// {process, attempt, of}, pmon.failed {process, severity}, pmon.recovered {process}, pmon.start_failed
// {process, error}.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platform/core/node.h"
#include "platform/core/process.h"
#include "platform/fm/fm_client.h"
#include "platform/mtce/messages.h"

namespace roost::mtce {

struct MonitoredProcess {
  std::string name;
  std::vector<std::string> argv;
  ProcessImpact severity = ProcessImpact::Major;  // "minor" | "major" | "critical"
  int restarts = 3;
  core::Duration interval = core::seconds(1);
  core::Duration debounce = core::seconds(10);
};

struct ProcessMonitorConfig {
  std::vector<MonitoredProcess> processes;
  // `j`: [{"name": "sshd", "argv": ["sleep", "infinity"], "severity": "major", "restarts": 3,
  //        "interval_ms": 1000, "debounce_ms": 10000}, ...]. Throws std::invalid_argument naming the
  // entry and key ("processes[1].severity: 'fatal' is not one of minor, major, critical").
  static ProcessMonitorConfig from_json(const nlohmann::json& j);
};

std::string_view to_string(ProcessImpact i);  // "none", "minor", "major", "critical"

class ProcessMonitor {
 public:
  // `fm` raises and clears 200.006; `on_impact` runs whenever impact() or failed() changes.
  ProcessMonitor(core::Node& node, ProcessMonitorConfig config, fm::FmClient& fm,
                 std::function<void()> on_impact = {});
  ~ProcessMonitor();

  void start();  // starts every configured process
  ProcessImpact impact() const;                 // the worst severity among failed processes
  std::vector<std::string> failed() const;      // names of failed processes, sorted
  // For tests and status: the current OS/runtime id of a process (0 if not running).
  core::ProcessId pid(const std::string& name) const;

 private:
  struct State;
  core::Node& node_;
  ProcessMonitorConfig config_;
  fm::FmClient& fm_;
  std::function<void()> on_impact_;
  std::map<std::string, std::unique_ptr<State>> states_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace roost::mtce
