// `roost alarm list | show | summary | delete`: the active alarms of the fault manager's REST API.
#include <iostream>
#include <memory>

#include "tools/roost/commands.h"
#include "tools/roost/fm_cli.h"

namespace roost::cli {
namespace {

struct AlarmFilters {
  std::string alarm_id, entity, severity, sort_key, sort_dir;
  std::size_t limit = 0;
  bool include_suppress = false;
};

std::vector<std::pair<std::string, std::string>> alarm_params(const AlarmFilters& f) {
  std::vector<std::pair<std::string, std::string>> p;
  auto cond = [&](const std::string& field, const std::string& value) {
    p.emplace_back("q.field", field);
    p.emplace_back("q.op", "eq");
    p.emplace_back("q.value", value);
  };
  if (!f.alarm_id.empty()) cond("alarm_id", f.alarm_id);
  if (!f.entity.empty()) cond("entity_instance_id", f.entity);
  if (!f.severity.empty()) cond("severity", f.severity);
  if (f.limit) p.emplace_back("limit", std::to_string(f.limit));
  if (!f.sort_key.empty()) p.emplace_back("sort_key", f.sort_key);
  if (!f.sort_dir.empty()) p.emplace_back("sort_dir", f.sort_dir);
  if (f.include_suppress) p.emplace_back("include_suppress", "true");
  return p;
}

}  // namespace

void add_alarm_command(CLI::App& app, Outcome& outcome) {
  CLI::App* cmd = app.add_subcommand("alarm", "Active alarms of the fault manager (REST API)");
  cmd->require_subcommand(1);

  auto opts = std::make_shared<FmCliOptions>();
  auto filters = std::make_shared<AlarmFilters>();
  CLI::App* list = cmd->add_subcommand("list", "List active alarms (all pages unless --limit)");
  add_fm_options(list, *opts);
  list->add_option("--alarm-id", filters->alarm_id, "only this alarm id, e.g. 200.006");
  list->add_option("--entity", filters->entity, "only at or below this entity, e.g. host=controller-0");
  list->add_option("--severity", filters->severity, "only this severity (critical, major, minor, warning)");
  list->add_option("--limit", filters->limit, "at most this many");
  list->add_option("--sort-key", filters->sort_key, "sort by these fields (comma-separated)");
  list->add_option("--sort-dir", filters->sort_dir, "asc or desc");
  list->add_flag("--include-suppress", filters->include_suppress, "also alarms whose id is suppressed");
  list->callback([opts, filters, &outcome] {
    auto params = alarm_params(*filters);
    std::vector<nlohmann::json> alarms;
    std::string marker;
    do {
      auto p = params;
      if (!filters->limit) p.emplace_back("limit", "1000");
      if (!marker.empty()) p.emplace_back("marker", marker);
      auto a = fm_request(*opts, "GET", "/v1/alarms" + query_string(p));
      if (a.exit_code) return void(outcome.exit_code = a.exit_code);
      for (auto& x : a.body["alarms"]) alarms.push_back(x);
      marker = filters->limit ? "" : a.body.value("next_marker", "");
    } while (!marker.empty());
    if (opts->format == "json") {
      std::cout << nlohmann::json(alarms).dump(2) << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& x : alarms)
        rows.push_back({cell(x, "uuid"), cell(x, "alarm_id"), cell(x, "severity"), cell(x, "entity_instance_id"),
                        cell(x, "timestamp"), cell(x, "reason_text")});
      print_table({"UUID", "ALARM ID", "SEVERITY", "ENTITY", "TIMESTAMP", "REASON"}, rows);
    }
    outcome.exit_code = kOk;
  });

  auto show_opts = std::make_shared<FmCliOptions>();
  auto uuid = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "Show one active alarm");
  add_fm_options(show, *show_opts);
  show->add_option("uuid", *uuid, "the alarm's uuid")->required();
  show->callback([show_opts, uuid, &outcome] {
    auto a = fm_request(*show_opts, "GET", "/v1/alarms/" + *uuid);
    if (a.exit_code) return void(outcome.exit_code = a.exit_code);
    if (show_opts->format == "json")
      std::cout << a.body.dump(2) << "\n";
    else
      print_record(a.body);
    outcome.exit_code = kOk;
  });

  auto sum_opts = std::make_shared<FmCliOptions>();
  auto sum_suppress = std::make_shared<bool>(false);
  CLI::App* summary = cmd->add_subcommand("summary", "Counts of active alarms by severity, and the overall status");
  add_fm_options(summary, *sum_opts);
  summary->add_flag("--include-suppress", *sum_suppress, "count suppressed alarms too");
  summary->callback([sum_opts, sum_suppress, &outcome] {
    auto a = fm_request(*sum_opts, "GET", std::string("/v1/alarms/summary") + (*sum_suppress ? "?include_suppress=true" : ""));
    if (a.exit_code) return void(outcome.exit_code = a.exit_code);
    if (sum_opts->format == "json")
      std::cout << a.body.dump(2) << "\n";
    else
      print_table({"CRITICAL", "MAJOR", "MINOR", "WARNINGS", "STATUS"},
                  {{cell(a.body, "critical"), cell(a.body, "major"), cell(a.body, "minor"), cell(a.body, "warnings"),
                    cell(a.body, "status")}});
    outcome.exit_code = kOk;
  });

  auto del_opts = std::make_shared<FmCliOptions>();
  auto del_uuid = std::make_shared<std::string>();
  CLI::App* del = cmd->add_subcommand("delete", "Clear one active alarm");
  add_fm_options(del, *del_opts);
  del->add_option("uuid", *del_uuid, "the alarm's uuid")->required();
  del->callback([del_opts, del_uuid, &outcome] {
    auto a = fm_request(*del_opts, "DELETE", "/v1/alarms/" + *del_uuid);
    if (a.exit_code) return void(outcome.exit_code = a.exit_code);
    if (del_opts->format == "json")
      std::cout << nlohmann::json{{"deleted", *del_uuid}}.dump() << "\n";
    else
      std::cout << "Deleted alarm " << *del_uuid << "\n";
    outcome.exit_code = kOk;
  });
}

}  // namespace roost::cli
