// `roost version`: which Roost this is and which SimGrid it simulates with.
#include <iostream>

#include "harness/version.h"
#include "tools/roost/commands.h"

namespace roost::cli {

void add_version_command(CLI::App& app, Outcome& outcome) {
  CLI::App* cmd = app.add_subcommand("version", "Print the versions of roost and of the SimGrid library it uses");
  cmd->callback([&outcome] {
    std::cout << "roost " << harness::roost_version() << "\n"
              << "SimGrid " << harness::simgrid_version() << "\n";
    outcome.exit_code = kOk;
  });
}

}  // namespace roost::cli
