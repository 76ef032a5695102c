// `roost suppression list | suppress | unsuppress`: which alarm ids the fault manager hides.
#include <iostream>
#include <memory>

#include "tools/roost/commands.h"
#include "tools/roost/fm_cli.h"

namespace roost::cli {
namespace {

void print_rows(const FmCliOptions& o, const std::vector<nlohmann::json>& rows) {
  if (o.format == "json") {
    std::cout << nlohmann::json(rows).dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> t;
  for (const auto& r : rows)
    t.push_back({cell(r, "uuid"), cell(r, "alarm_id"), cell(r, "suppression_status"), cell(r, "suppressible"),
                 cell(r, "description")});
  print_table({"UUID", "ALARM ID", "STATUS", "SUPPRESSIBLE", "DESCRIPTION"}, t);
}

void add_patch(CLI::App* cmd, const char* name, const char* help, bool suppress, Outcome& outcome) {
  auto o = std::make_shared<FmCliOptions>();
  auto id = std::make_shared<std::string>();
  CLI::App* sub = cmd->add_subcommand(name, help);
  add_fm_options(sub, *o);
  sub->add_option("id", *id, "alarm id (e.g. 200.006) or the suppression row's uuid")->required();
  sub->callback([o, id, suppress, &outcome] {
    const nlohmann::json body{{"suppression_status", suppress ? "suppressed" : "unsuppressed"}};
    auto a = fm_request(*o, "PATCH", "/v1/event_suppression/" + *id, body.dump());
    if (a.exit_code) return void(outcome.exit_code = a.exit_code);
    print_rows(*o, {a.body});
    outcome.exit_code = kOk;
  });
}

}  // namespace

void add_suppression_command(CLI::App& app, Outcome& outcome) {
  CLI::App* cmd = app.add_subcommand("suppression", "Alarm suppression of the fault manager (REST API)");
  cmd->require_subcommand(1);
  auto o = std::make_shared<FmCliOptions>();
  CLI::App* list = cmd->add_subcommand("list", "List every alarm id and whether it is suppressed");
  add_fm_options(list, *o);
  list->callback([o, &outcome] {
    auto a = fm_request(*o, "GET", "/v1/event_suppression");
    if (a.exit_code) return void(outcome.exit_code = a.exit_code);
    std::vector<nlohmann::json> rows(a.body["event_suppression"].begin(), a.body["event_suppression"].end());
    print_rows(*o, rows);
    outcome.exit_code = kOk;
  });
  add_patch(cmd, "suppress", "Suppress an alarm id (its alarms stay stored but are hidden)", true, outcome);
  add_patch(cmd, "unsuppress", "Unsuppress an alarm id", false, outcome);
}

}  // namespace roost::cli
