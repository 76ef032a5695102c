// Process twins: the processes of one incarnation of a simulated node, what its process monitor starts
// through Env::hardware().processes(). The site runtime keeps one table per live node (SiteRuntime::
// processes()) and drops it when the node goes down: a crash, reset or reboot ends every process of
// the host, and a restarted node starts with none.
//
// - start(): the twin runs kStartDelay later (a fork and exec are not instant); ids increase from 1 in
//   each incarnation, in the order twins start. The simulation ignores argv.
// - stop(): the twin ends (signal 15); `exited` runs after the current callback.
// - A "process-kill" fault kills every running twin of its process at `at` (signal 9). With
//   crash_loop, a twin of that process started while the fault is in force dies kCrashLoopDeath after
//   it started (signal 9), as a daemon that fails on its startup does.
// Every completion runs through the node's Env timers, so none reaches a node after it is gone.
// Sim records (node "sim"): process.killed {node, process, pid, cause: "fault" | "crash-loop"};
// process.kill_missed {node, process} when a fault finds no running twin to kill.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "platform/core/process.h"
#include "platform/core/time.h"
#include "sim/fleet_index.h"

namespace roost::sim {

class NodeEnv;
class SiteRuntime;

class SimProcesses final : public core::ProcessControl {
 public:
  static constexpr core::Duration kStartDelay = core::milliseconds(10);
  static constexpr core::Duration kCrashLoopDeath = core::milliseconds(50);

  // `env` is the incarnation's Env; the table must not outlive it.
  SimProcesses(NodeEnv& env, SiteRuntime& site, NodeId node);
  ~SimProcesses() override;

  void start(const core::ProcessSpec& spec, std::function<void(core::ProcessId, std::string)> started,
             std::function<void(core::ProcessExit)> exited) override;
  void stop(core::ProcessId id) override;

  // Runtime side: a process-kill fault. Kills every running twin named `process`; returns how many.
  std::size_t kill(const std::string& process);
  std::size_t running() const { return twins_.size(); }

 private:
  struct Twin {
    std::string name;
    std::function<void(core::ProcessExit)> exited;
  };
  void spawn(const std::string& name, std::function<void(core::ProcessId, std::string)> started,
             std::function<void(core::ProcessExit)> exited);
  // Ends twin `id` (if it still runs) with `signal`; its `exited` runs after the current callback.
  void end(core::ProcessId id, int signal, const char* cause);

  NodeEnv& env_;
  SiteRuntime& site_;
  NodeId node_;
  core::ProcessId next_id_ = 1;
  std::map<core::ProcessId, Twin> twins_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // timers hold it weakly
};

}  // namespace roost::sim
