// Runs a command line through the shell the way a user types it, for the tests of the `roost` CLI: what
// it printed on stdout and stderr and how it exited, so a test can check all three.
#pragma once

#include <string>

namespace roost::testing {

struct CliRun {
  int exit_code = -1;  // -1: the command could not be started, or it was killed by a signal
  std::string out, err;
  std::string describe() const { return "exit " + std::to_string(exit_code) + "\nstdout:\n" + out + "stderr:\n" + err; }
};

// `command` runs under /bin/sh with its stderr sent to `err_file` (which the call reads back and leaves in
// place); stdin is the caller's business (append "</dev/null" to keep a command from waiting on it).
CliRun run_cli(const std::string& command, const std::string& err_file);

}  // namespace roost::testing
