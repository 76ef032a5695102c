// roost: the command-line client. `roost <noun> <verb> [options]`; `--help` works at every level.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "harness/version.h"
#include "tools/roost/commands.h"

namespace {

// A simulation touches hundreds of MB (a fleet of 10,000 subclouds, GBs) at random, so most of its cache
// misses are TLB misses too with 4 KiB pages. glibc's malloc asks for transparent huge pages only when the
// tunable glibc.malloc.hugetlb=1 is set, and tunables are read once, when the program starts: so `roost sim`
// runs itself again with it set (fleet-1000: about a quarter less wall time, docs/dc.md). Nothing changes
// but speed and a few MB of RSS; ROOST_HUGE_PAGES=0 opts out, and a kernel with THP off is left alone.
void use_huge_pages_for_simulations(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "sim") return;
  if (const char* opt = std::getenv("ROOST_HUGE_PAGES"); opt && std::string_view(opt) == "0") return;
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::string_view(tunables).find("glibc.malloc.hugetlb") != std::string_view::npos) return;
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(thp, modes);
  if (modes.find("[always]") == std::string::npos && modes.find("[madvise]") == std::string::npos) return;
  const std::string value = (tunables && *tunables ? std::string(tunables) + ":" : std::string()) + "glibc.malloc.hugetlb=1";
  if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);  // returns only when it failed: then run as we are
}

}  // namespace

int main(int argc, char** argv) {
  use_huge_pages_for_simulations(argc, argv);
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
