// Starting a child process the way the real runtime starts every child (ipmitool runs in
// backends/ipmi/process_runner, monitored processes in backends/process_control): posix_spawn, so a
// large roostd is never forked; stdin from /dev/null; no descriptor of ours but the ones asked for
// (our sockets and files are none of the child's business, and must not outlive us in it); no blocked
// signals and default dispositions (roostd may ignore SIGPIPE; the child must not inherit that).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace roost::backends {

struct SpawnRequest {
  std::vector<std::string> argv;                // argv[0] is looked up in PATH when it has no '/'
  std::optional<std::vector<std::string>> env;  // "NAME=value": the child's whole environment; none: ours
  int stdout_fd = -1;                           // becomes the child's stdout; -1: /dev/null
  int stderr_fd = -1;                           // becomes the child's stderr; -1: /dev/null
};

struct Spawned {
  pid_t pid = 0;      // > 0 when the child runs
  std::string error;  // otherwise why not, naming the program: "nosuch: No such file or directory"
  bool ok() const { return pid > 0; }
};

Spawned spawn_process(SpawnRequest request);

}  // namespace roost::backends
