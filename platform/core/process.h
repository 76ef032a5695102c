// Processes on the node's own machine, as the process monitor (platform/mtce/process_monitor) sees
// them: start one, learn when it exits, stop it. The real runtime spawns real processes (posix_spawn;
// exits seen through pidfd on the Asio loop: backends/process_control); the simulation keeps process
// twins that scenario faults kill (fault kind "process-kill") and that may be set to die again right
// after a restart (a crash loop). Completions follow Env's rules: later, on the node's thread, never
// after the node is gone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace roost::core {

using ProcessId = std::uint64_t;  // the runtime's handle (the real runtime: the OS pid)

struct ProcessSpec {
  std::string name;               // what monitors and faults call it, e.g. "sshd"
  std::vector<std::string> argv;  // real runtime: the command line (argv[0] looked up in PATH); the simulation ignores it
};

struct ProcessExit {
  ProcessId id = 0;
  int exit_code = 0;  // valid when signal == 0
  int signal = 0;     // the signal that killed it, 0 if it exited
};

class ProcessControl {
 public:
  virtual ~ProcessControl() = default;
  // Starts `spec`; `started` gets the id or an error text (cannot spawn, no such program...);
  // on success `exited` runs once when the process ends, whoever ended it.
  virtual void start(const ProcessSpec& spec, std::function<void(ProcessId id, std::string error)> started,
                     std::function<void(ProcessExit)> exited) = 0;
  // Sends SIGTERM (the simulation: ends the twin); `exited` then runs as for any exit. Unknown id: no-op.
  virtual void stop(ProcessId id) = 0;
};

}  // namespace roost::core
