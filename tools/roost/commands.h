// The `roost` CLI is `roost <noun> <verb>`; each noun lives in its own file (sim_command.cpp,
// version_command.cpp, ...) and registers itself on the app through one of these functions.
#pragma once

#include <CLI/CLI.hpp>

namespace roost::cli {

// Exit codes shared by every command (docs/cli.md).
enum ExitCode : int {
  kOk = 0,
  kExpectationFailed = 1,  // the command ran, and what it checked does not hold
  kInvalidInput = 2,       // usage error, or an input file that is not valid
  kRunFailed = 3,          // the command could not do its work (I/O error, internal failure)
};

// Where a command's callback leaves its exit code (CLI11 callbacks return nothing).
struct Outcome {
  int exit_code = kOk;
};

void add_sim_command(CLI::App& app, Outcome& outcome);
void add_version_command(CLI::App& app, Outcome& outcome);
// Fault management over its REST API (alarm_command.cpp, event_command.cpp, suppression_command.cpp).
void add_alarm_command(CLI::App& app, Outcome& outcome);
void add_event_command(CLI::App& app, Outcome& outcome);
void add_suppression_command(CLI::App& app, Outcome& outcome);
// The inventory over its REST API (host_command.cpp): `roost host ...`, `roost system ...`.
void add_host_command(CLI::App& app, Outcome& outcome);
void add_system_command(CLI::App& app, Outcome& outcome);
// Service management over its REST API (sm_command.cpp): `roost sm status`, and `roost host swact` added to
// the `host` noun that add_host_command made.
void add_sm_command(CLI::App& app, Outcome& outcome);
void add_host_swact_command(CLI::App& host, Outcome& outcome);
// Distributed cloud over the dc-manager's REST API (subcloud_command.cpp): `roost subcloud ...`,
// `roost subcloud-group ...`.
void add_subcloud_command(CLI::App& app, Outcome& outcome);
void add_subcloud_group_command(CLI::App& app, Outcome& outcome);

}  // namespace roost::cli
