// ProcessControl on the real runtime: long-running processes (what the process monitor watches) as
// children of roostd, on the runtime's io_context.
//
// - Started with posix_spawn (backends/spawn.h); the id is the OS pid.
// - stdin, stdout and stderr are /dev/null. roostd's own stdout/stderr carry its text log, which people
//   and lab tests read line by line: a daemon's chatter interleaved there would garble it, and a child
//   blocked writing to a full pipe that nobody drains would hang. Monitored daemons log where daemons
//   log (syslog, their own files); what the monitor needs of them is their exit, which it logs.
// - The exit is seen through a pidfd (pidfd_open, Linux >= 5.3) that becomes readable when the child
//   ends, waited on by Asio; then the child is reaped with waitpid on its own pid (never a wildcard, so
//   other children of the process are left alone).
// - stop(): SIGTERM, then SIGKILL if it is still there 2 s later.
//
// Completions run later on the io_context's thread, never inside start() or stop(), and never after
// the ProcessControl is destroyed. Destroying it SIGKILLs and reaps every child still running (a
// monitored process must not outlive the roostd that started it; their `exited` never runs).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <memory>

#include "platform/core/process.h"
#include "platform/core/time.h"

namespace boost::asio {
class io_context;
}

namespace roost::backends {

class ProcessControl final : public core::ProcessControl {
 public:
  static constexpr core::Duration kStopGrace = core::seconds(2);  // SIGTERM -> SIGKILL

  explicit ProcessControl(boost::asio::io_context& io);
  ~ProcessControl() override;
  ProcessControl(const ProcessControl&) = delete;
  ProcessControl& operator=(const ProcessControl&) = delete;

  void start(const core::ProcessSpec& spec, std::function<void(core::ProcessId, std::string)> started,
             std::function<void(core::ProcessExit)> exited) override;
  void stop(core::ProcessId id) override;

  // Children started and not yet reaped.
  std::size_t running() const { return children_.size(); }

 private:
  struct Child;
  void watch(const std::shared_ptr<Child>& c);
  void on_readable(const std::shared_ptr<Child>& c);

  boost::asio::io_context& io_;
  std::map<pid_t, std::shared_ptr<Child>> children_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // posted completions hold it weakly
};

}  // namespace roost::backends
