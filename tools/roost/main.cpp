// roost: the command-line client. `roost <noun> <verb> [options]`; `--help` works at every level.
#include <iostream>

#include "harness/version.h"
#include "tools/roost/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Roost: edge-cloud management, simulation first.", "roost"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "roost " + roost::harness::roost_version());
  app.footer("Run `roost <command> --help` for the options of a command. Exit codes: 0 ok, 1 what it "
             "checks does not hold (an expectation failed, the server refused), 2 invalid input or usage, 3 the "
             "command could not do its work (e.g. the server is unreachable).");

  roost::cli::Outcome outcome;
  roost::cli::add_sim_command(app, outcome);
  roost::cli::add_version_command(app, outcome);
  roost::cli::add_alarm_command(app, outcome);
  roost::cli::add_event_command(app, outcome);
  roost::cli::add_suppression_command(app, outcome);
  roost::cli::add_host_command(app, outcome);
  roost::cli::add_system_command(app, outcome);
  roost::cli::add_sm_command(app, outcome);
  roost::cli::add_host_swact_command(*app.get_subcommand("host"), outcome);
  roost::cli::add_subcloud_command(app, outcome);
  roost::cli::add_subcloud_group_command(app, outcome);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too, with exit code 0.
    return app.exit(e) == 0 ? roost::cli::kOk : roost::cli::kInvalidInput;
  } catch (const std::exception& e) {
    std::cerr << "roost: " << e.what() << "\n";
    return roost::cli::kRunFailed;
  }
  return outcome.exit_code;
}
