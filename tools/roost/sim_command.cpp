// `roost sim ...`: run, replay (HA invariants) and validate scenario files against the simulated runtime.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/ha_check.h"
#include "harness/report.h"
#include "harness/result.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "platform/roles.h"
#include "tools/roost/commands.h"
#include "tools/roost/run_summary.h"
#include "tools/roost/terminal.h"

namespace roost::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct RunArgs {
  std::string file;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::string out_dir;
  bool no_progress = false;
  std::string format = "table";
};

struct ReplayArgs {
  std::string file;
  bool no_progress = false;
  std::string format = "table";
};

struct ValidateArgs {
  std::vector<std::string> files;
  std::string format = "table";
};

void print_errors(const harness::LoadResult& loaded) {
  for (const auto& m : loaded.messages()) std::cerr << m << "\n";
  std::cerr << loaded.file << ": " << loaded.errors.size() << (loaded.errors.size() == 1 ? " error" : " errors")
            << "\n";
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Runs the scenario with a progress line on a terminal's stderr. nullopt (said on stderr) when the
// simulation refuses the scenario: a role rejected its config, for instance.
std::optional<harness::RunOutput> run_with_progress(const harness::Scenario& scenario, const std::string& file,
                                                    bool no_progress) {
  ProgressLine progress(!no_progress && stderr_is_terminal(), scenario.meta.name);
  harness::RunOptions options;
  options.on_progress = [&progress](const sim::Progress& p) { progress.update(p); };
  try {
    return harness::run_scenario(scenario, platform::roles(), options);
  } catch (const std::invalid_argument& e) {
    progress.finish();
    std::cerr << file << ": " << e.what() << "\n";
    return std::nullopt;
  }
}

int run(const RunArgs& args) {
  // The seed goes in before the file is read: a fleet is generated from it.
  const auto loaded = harness::load_scenario(args.file, platform::roles(),
                                             args.seed_given ? std::optional(args.seed) : std::nullopt);
  if (!loaded.ok()) {
    print_errors(loaded);
    return kInvalidInput;
  }
  harness::Scenario scenario = *loaded.scenario;

  // Make sure the results have somewhere to go before spending time on the run.
  if (!args.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(args.out_dir, ec);
    if (ec || !fs::is_directory(args.out_dir)) {
      std::cerr << "roost: cannot create output directory " << args.out_dir << (ec ? ": " + ec.message() : "") << "\n";
      return kRunFailed;
    }
  }

  auto ran = run_with_progress(scenario, args.file, args.no_progress);
  if (!ran) return kInvalidInput;
  const harness::RunOutput& output = *ran;

  const json result = harness::result_json(output);
  SummaryFiles files;
  if (!args.out_dir.empty()) {
    files.result_json = (fs::path(args.out_dir) / "result.json").string();
    files.report_html = (fs::path(args.out_dir) / "report.html").string();
    write_file(files.result_json, result.dump(2) + "\n");
    write_file(files.report_html, harness::report_html(result));
  }
  if (args.format == "json")
    std::cout << result.dump(2) << "\n";
  else
    print_run_summary(std::cout, result, files, stdout_wants_colour());
  return output.passed() ? kOk : kExpectationFailed;
}

// Runs an HA lab scenario (one with "ha_check", such as the property test writes for a failing schedule)
// exactly as written, seed included, and judges it with the HA invariants (harness/ha_check.h).
int replay(const ReplayArgs& args) {
  const auto loaded = harness::load_scenario(args.file, platform::roles());
  if (!loaded.ok()) {
    print_errors(loaded);
    return kInvalidInput;
  }
  const harness::Scenario& scenario = *loaded.scenario;
  if (!scenario.ha_check) {
    std::cerr << args.file << ": no \"ha_check\" key: `roost sim replay` judges HA lab runs by their invariants "
              << "(add \"ha_check\": {\"mode\": \"safety\"} or use `roost sim run`)\n";
    return kInvalidInput;
  }
  auto ran = run_with_progress(scenario, args.file, args.no_progress);
  if (!ran) return kInvalidInput;
  const harness::RunOutput& output = *ran;
  harness::HaReport report;
  try {
    report = harness::check_ha(scenario.config, output.sim.trace, *scenario.ha_check);
  } catch (const std::invalid_argument& e) {
    std::cerr << args.file << ": " << e.what() << "\n";
    return kInvalidInput;
  }
  const bool expectations_ok = output.passed();
  if (args.format == "json") {
    json out = {{"file", args.file},
                {"seed", scenario.config.seed},
                {"trace_hash", output.sim.trace_hash},
                {"ha", harness::to_json(report)},
                {"expectations_passed", expectations_ok}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "replay " << args.file << ": seed " << scenario.config.seed << ", "
              << harness::to_string(*scenario.ha_check) << " mode, trace " << output.sim.trace_hash.substr(0, 16) << "\n"
              << harness::describe(report);
    std::string covered;
    for (const auto& item : report.coverage.items()) covered += (covered.empty() ? "" : " ") + item;
    std::cout << "  coverage: " << (covered.empty() ? "nothing" : covered) << "\n";
    if (!scenario.expectations.empty())
      std::cout << "  expectations: " << (expectations_ok ? "all met" : "FAILED (see `roost sim run`)") << "\n";
    std::cout << (report.ok() && expectations_ok ? "OK" : "VIOLATED") << ": " << report.violations.size()
              << (report.violations.size() == 1 ? " violation" : " violations") << "\n";
  }
  return report.ok() && expectations_ok ? kOk : kExpectationFailed;
}

int validate(const ValidateArgs& args) {
  json report = json::array();
  std::size_t broken = 0;
  for (const auto& file : args.files) {
    const auto loaded = harness::load_scenario(file, platform::roles());
    broken += loaded.ok() ? 0 : 1;
    if (args.format == "json") {
      json errors = json::array();
      for (const auto& e : loaded.errors) {
        json j = {{"path", e.path}, {"message", e.message}, {"text", harness::format_error(file, e)}};
        if (e.line > 0) {
          j["line"] = e.line;
          j["column"] = e.column;
        }
        errors.push_back(std::move(j));
      }
      report.push_back({{"file", file}, {"ok", loaded.ok()}, {"errors", std::move(errors)}});
    } else if (loaded.ok()) {
      std::cout << file << ": ok\n";
    } else {
      print_errors(loaded);
    }
  }
  if (args.format == "json") std::cout << report.dump(2) << "\n";
  else if (args.files.size() > 1 && broken > 0)
    std::cerr << broken << " of " << args.files.size() << " files are not valid scenarios\n";
  return broken == 0 ? kOk : kInvalidInput;
}

}  // namespace

void add_sim_command(CLI::App& app, Outcome& outcome) {
  CLI::App* sim = app.add_subcommand("sim", "Run and check scenarios on the simulated runtime");
  sim->require_subcommand(1);

  auto run_args = std::make_shared<RunArgs>();
  CLI::App* run_cmd = sim->add_subcommand("run", "Run a scenario file and check its expectations");
  run_cmd->add_option("file", run_args->file, "Scenario file (JSON, format in docs/scenarios.md)")->required();
  run_cmd->add_option("--seed", run_args->seed, "Seed to use instead of the scenario's own");
  run_cmd->add_option("--out", run_args->out_dir, "Directory to write result.json and report.html into");
  run_cmd->add_flag("--no-progress", run_args->no_progress, "Do not show the progress line on a terminal");
  run_cmd->add_option("--format", run_args->format, "Output: a human summary (table) or result.json (json)")
      ->check(CLI::IsMember({"table", "json"}))
      ->default_str("table");
  run_cmd->callback([run_args, run_cmd, &outcome] {
    run_args->seed_given = run_cmd->count("--seed") > 0;
    outcome.exit_code = run(*run_args);
  });

  auto replay_args = std::make_shared<ReplayArgs>();
  CLI::App* replay_cmd =
      sim->add_subcommand("replay", "Run an HA lab scenario (with \"ha_check\") exactly and judge its HA invariants");
  replay_cmd->add_option("file", replay_args->file, "Scenario file with an \"ha_check\" key (the property test writes them)")
      ->required();
  replay_cmd->add_flag("--no-progress", replay_args->no_progress, "Do not show the progress line on a terminal");
  replay_cmd->add_option("--format", replay_args->format, "Output: verdicts and violations (table) or JSON (json)")
      ->check(CLI::IsMember({"table", "json"}))
      ->default_str("table");
  replay_cmd->callback([replay_args, &outcome] { outcome.exit_code = replay(*replay_args); });

  auto validate_args = std::make_shared<ValidateArgs>();
  CLI::App* validate_cmd = sim->add_subcommand("validate", "Check scenario files without running them");
  validate_cmd->add_option("files", validate_args->files, "Scenario files")->required();
  validate_cmd->add_option("--format", validate_args->format, "Output: lines of text (table) or JSON (json)")
      ->check(CLI::IsMember({"table", "json"}))
      ->default_str("table");
  validate_cmd->callback([validate_args, &outcome] { outcome.exit_code = validate(*validate_args); });
}

}  // namespace roost::cli
