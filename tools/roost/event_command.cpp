// `roost event list`: the fault manager's event log (sets, clears and customer logs), newest first.
#include <iostream>
#include <memory>

#include "tools/roost/commands.h"
#include "tools/roost/fm_cli.h"

namespace roost::cli {

void add_event_command(CLI::App& app, Outcome& outcome) {
  CLI::App* cmd = app.add_subcommand("event", "The fault manager's event log (REST API)");
  cmd->require_subcommand(1);
  struct Filters {
    FmCliOptions fm;
    std::string alarm_id, entity, severity, start, end;
    std::size_t limit = 0;
    bool alarms = false, logs = false, include_suppress = false;
  };
  auto f = std::make_shared<Filters>();
  CLI::App* list = cmd->add_subcommand("list", "List event-log rows, newest first");
  add_fm_options(list, f->fm);
  list->add_option("--alarm-id", f->alarm_id, "only this alarm/log id");
  list->add_option("--entity", f->entity, "only at or below this entity");
  list->add_option("--severity", f->severity, "only this severity");
  list->add_option("--start", f->start, "from this time (ISO 8601 UTC)");
  list->add_option("--end", f->end, "up to this time (ISO 8601 UTC)");
  list->add_option("--limit", f->limit, "at most this many rows (default 100)");
  list->add_flag("--alarms", f->alarms, "only alarm set/clear rows");
  list->add_flag("--logs", f->logs, "only customer logs");
  list->add_flag("--include-suppress", f->include_suppress, "also rows of suppressed alarm ids");
  list->callback([f, &outcome] {
    std::vector<std::pair<std::string, std::string>> p;
    auto cond = [&](const std::string& field, const std::string& value) {
      p.emplace_back("q.field", field);
      p.emplace_back("q.op", "eq");
      p.emplace_back("q.value", value);
    };
    if (!f->alarm_id.empty()) cond("event_log_id", f->alarm_id);
    if (!f->entity.empty()) cond("entity_instance_id", f->entity);
    if (!f->severity.empty()) cond("severity", f->severity);
    if (!f->start.empty()) p.emplace_back("start", f->start);
    if (!f->end.empty()) p.emplace_back("end", f->end);
    p.emplace_back("limit", std::to_string(f->limit ? f->limit : 100));
    if (f->alarms) p.emplace_back("alarms", "true");
    if (f->logs) p.emplace_back("logs", "true");
    if (f->include_suppress) p.emplace_back("include_suppress", "true");
    auto a = fm_request(f->fm, "GET", "/v1/event_log" + query_string(p));
    if (a.exit_code) return void(outcome.exit_code = a.exit_code);
    const auto& rows_json = a.body["event_logs"];
    if (f->fm.format == "json") {
      std::cout << rows_json.dump(2) << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& e : rows_json)
        rows.push_back({cell(e, "uuid"), cell(e, "timestamp"), cell(e, "state"), cell(e, "event_log_id"),
                        cell(e, "severity"), cell(e, "entity_instance_id"), cell(e, "reason_text")});
      print_table({"UUID", "TIMESTAMP", "STATE", "EVENT LOG ID", "SEVERITY", "ENTITY", "REASON"}, rows);
    }
    outcome.exit_code = kOk;
  });
}

}  // namespace roost::cli
