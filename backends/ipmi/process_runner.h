// ProcessRunner: runs short-lived command-line tools (ipmitool) as child processes without blocking
// the runtime's one thread. The child is started with posix_spawn (no fork of a large process), gets
// /dev/null as stdin, pipes as stdout and stderr (read through Asio), only the environment it is given,
// and no other descriptor of ours. Each run has a deadline: past it the child is SIGKILLed by its PID.
// Every child is reaped (waitpid on its PID, never a wildcard, so other children of the process are
// left alone).
//
// Completions run on the io_context's thread, never inside run(). Destroying the runner SIGKILLs and
// reaps every child still running; their completions never run.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "platform/core/time.h"

namespace boost::asio {
class io_context;
}

namespace roost::backends::ipmi {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::string> env;   // "NAME=value": the child's whole environment
  core::Duration timeout = core::seconds(30);
  std::size_t max_output = 1 << 20;  // bytes kept per stream; the rest is read and dropped
};

struct ProcessResult {
  bool started = false;       // false: spawn failed (see spawn_error)
  std::string spawn_error;    // e.g. "ipmitool: No such file or directory"
  bool timed_out = false;     // killed at the deadline
  int exit_code = -1;         // when it exited normally
  int signal = 0;             // when a signal ended it
  std::string out, err;
  core::Duration elapsed{};

  bool succeeded() const { return started && !timed_out && signal == 0 && exit_code == 0; }
  // "exit status 1", "killed by signal 9 (timed out)", "could not start: ..." for error messages.
  std::string describe_end() const;
};

class ProcessRunner {
 public:
  explicit ProcessRunner(boost::asio::io_context& io);
  ~ProcessRunner();
  ProcessRunner(const ProcessRunner&) = delete;
  ProcessRunner& operator=(const ProcessRunner&) = delete;

  void run(ProcessSpec spec, std::function<void(ProcessResult)> done);

  // Children started and not yet reaped.
  std::size_t running() const;

 private:
  struct Child;
  // Reads stream i (0: stdout, 1: stderr) of `c` to its end; when both have ended, polls for the exit.
  void read(const std::shared_ptr<Child>& c, int i);
  void poll_exit(const std::shared_ptr<Child>& c);
  void finish(const std::shared_ptr<Child>& c);

  boost::asio::io_context& io_;
  std::vector<std::shared_ptr<Child>> children_;
};

}  // namespace roost::backends::ipmi
