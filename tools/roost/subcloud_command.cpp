// `roost subcloud list | show | add | update | manage | unmanage | delete` and `roost subcloud-group list |
// show | add | update | delete | list-subclouds`: the system controller's dc-manager over its REST API
// (StarlingX dcmanager's /v1.0/subclouds and /v1.0/subcloud-groups; docs/dc.md). Field names are the API's
// (dash-separated on subclouds, underscores on groups), so `--format json` shows exactly what it answered.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tools/roost/commands.h"
#include "tools/roost/fm_cli.h"

namespace roost::cli {
namespace {

constexpr RestService kDcService{"the dc-manager", "ROOST_DC_URL", "http://127.0.0.1:8119"};

std::shared_ptr<FmCliOptions> dc_options() {
  auto o = std::make_shared<FmCliOptions>();
  o->service = kDcService;
  return o;
}

std::string subcloud_path(const std::string& ref) { return "/v1.0/subclouds/" + url_encode(ref); }
std::string group_path(const std::string& ref) { return "/v1.0/subcloud-groups/" + url_encode(ref); }

// StarlingX's `dcmanager subcloud list` columns (less backup/prestage, which Roost does not have).
void print_subclouds(const FmCliOptions& o, const nlohmann::json& subclouds) {
  if (o.format == "json") {
    std::cout << subclouds.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : subclouds)
    rows.push_back({cell(s, "id"), cell(s, "name"), cell(s, "management-state"), cell(s, "availability-status"),
                    cell(s, "deploy-status"), cell(s, "sync_status"), cell(s, "group_id")});
  print_table({"ID", "NAME", "MANAGEMENT", "AVAILABILITY", "DEPLOY STATUS", "SYNC", "GROUP"}, rows);
}

void print_groups(const FmCliOptions& o, const nlohmann::json& groups) {
  if (o.format == "json") {
    std::cout << groups.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : groups)
    rows.push_back({cell(g, "id"), cell(g, "name"), cell(g, "update_apply_type"), cell(g, "max_parallel_subclouds"),
                    cell(g, "description")});
  print_table({"ID", "NAME", "APPLY TYPE", "MAX PARALLEL", "DESCRIPTION"}, rows);
}

// One record as key: value lines; with /detail's extras (endpoint sync list, alarm summary) as their own
// blocks instead of a line of JSON.
void print_subcloud(const FmCliOptions& o, const nlohmann::json& s) {
  if (o.format == "json") {
    std::cout << s.dump(2) << "\n";
    return;
  }
  nlohmann::json plain = s;
  plain.erase("endpoint_sync_status");
  plain.erase("alarm_summary");
  print_record(plain);
  if (s.contains("endpoint_sync_status") && s["endpoint_sync_status"].is_array()) {
    std::cout << "\nendpoint sync status\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : s["endpoint_sync_status"]) rows.push_back({cell(e, "endpoint_type"), cell(e, "sync_status")});
    print_table({"ENDPOINT", "SYNC STATUS"}, rows);
  }
  if (s.contains("alarm_summary") && s["alarm_summary"].is_object()) {
    std::cout << "\nalarm summary\n";
    print_record(s["alarm_summary"]);
  }
}

void print_one(const FmCliOptions& o, const nlohmann::json& j) {
  if (o.format == "json")
    std::cout << j.dump(2) << "\n";
  else
    print_record(j);
}

// Asks before a delete unless --yes; false (and the exit code set) when the user did not confirm.
bool confirmed(bool yes, const std::string& question, const std::string& noun_verb, Outcome& outcome) {
  if (yes) return true;
  if (!isatty(STDIN_FILENO)) {
    std::cerr << "roost: " << noun_verb << ": add --yes to confirm (stdin is not a terminal)\n";
    outcome.exit_code = kInvalidInput;
    return false;
  }
  std::cerr << question << " [y/N] ";
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  std::cerr << "Not deleted.\n";
  outcome.exit_code = kExpectationFailed;
  return false;
}

// --- roost subcloud ------------------------------------------------------------------------------------

void add_subcloud_list(CLI::App* cmd, Outcome& outcome) {
  auto o = dc_options();
  CLI::App* list = cmd->add_subcommand("list", "List subclouds: management, availability, deploy and sync status");
  add_fm_options(list, *o);
  list->callback([o, &outcome] {
    auto r = fm_request(*o, "GET", "/v1.0/subclouds");
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_subclouds(*o, r.body.value("subclouds", nlohmann::json::array()));
    outcome.exit_code = kOk;
  });
}

void add_subcloud_show(CLI::App* cmd, Outcome& outcome) {
  auto o = dc_options();
  auto ref = std::make_shared<std::string>();
  auto detail = std::make_shared<bool>(false);
  CLI::App* show = cmd->add_subcommand("show", "Show one subcloud; --detail adds its endpoint sync status and alarms");
  add_fm_options(show, *o);
  show->add_option("subcloud", *ref, "name or id")->required();
  show->add_flag("--detail", *detail, "also the per-endpoint sync status and the alarm summary of the last audit");
  show->callback([o, ref, detail, &outcome] {
    auto r = fm_request(*o, "GET", subcloud_path(*ref) + (*detail ? "/detail" : ""));
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_subcloud(*o, r.body);
    outcome.exit_code = kOk;
  });
}

void add_subcloud_add(CLI::App* cmd, Outcome& outcome) {
  struct Args {
    std::shared_ptr<FmCliOptions> o = dc_options();
    // Every text option, by its REST field name (sent only when given).
    std::vector<std::pair<std::string, std::string>> fields;
    bool deploy = false;
    bool managed = false;
  };
  auto a = std::make_shared<Args>();
  static const std::vector<std::tuple<const char*, const char*, const char*>> kOptions = {
      {"--name", "name", "the subcloud's name: letters, digits, '-', '_', '.' (required)"},
      {"--subnet", "management-subnet", "its management subnet, IPv4 CIDR such as 10.1.7.0/24 (required)"},
      {"--group", "group_id", "its subcloud group, by name or id (default: Default)"},
      {"--region", "region-name", "its region name (default: the subcloud's name)"},
      {"--description", "description", "free text"},
      {"--location", "location", "free text"},
      {"--start-ip", "management-start-ip", "first management address (default: the subnet's 2nd address)"},
      {"--end-ip", "management-end-ip", "last management address (default: the subnet's last usable)"},
      {"--gateway-ip", "management-gateway-ip", "management gateway (default: the subnet's 1st usable address)"},
      {"--systemcontroller-gateway-ip", "systemcontroller-gateway-ip", "the route back to the system controller"},
      {"--software-version", "software-version", "the release it runs (default 25.09)"},
      {"--agent", "agent", "the node the dc-manager audits (default <name>.controller-0; <name>.controller for a duplex)"},
  };
  CLI::App* add = cmd->add_subcommand("add", "Add a subcloud (unmanaged and offline until its first audit)");
  add_fm_options(add, *a->o);
  a->fields.reserve(kOptions.size());
  for (const auto& [flag, field, help] : kOptions) {
    a->fields.emplace_back(field, "");
    add->add_option(flag, a->fields.back().second, help);
  }
  add->add_flag("--deploy", a->deploy, "run its deploy phases (install, bootstrap, config) from pre-install");
  add->add_flag("--managed", a->managed, "add it managed (default: unmanaged, as StarlingX adds subclouds)");
  add->callback([a, &outcome] {
    nlohmann::json body = nlohmann::json::object();
    for (const auto& [field, value] : a->fields)
      if (!value.empty()) body[field] = value;
    for (const auto& [flag, field] : {std::pair{"--name", "name"}, std::pair{"--subnet", "management-subnet"}})
      if (!body.contains(field)) {
        std::cerr << "roost: subcloud add: " << flag << " is required\n";
        return void(outcome.exit_code = kInvalidInput);
      }
    if (a->deploy) body["deploy"] = true;
    if (a->managed) body["management-state"] = "managed";
    auto r = fm_request(*a->o, "POST", "/v1.0/subclouds", body.dump());
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_subcloud(*a->o, r.body);
    outcome.exit_code = kOk;
  });
}

// PATCH one subcloud with `patch` and print what it answered.
void patch_subcloud(const FmCliOptions& o, const std::string& ref, const nlohmann::json& patch, Outcome& outcome) {
  auto r = fm_request(o, "PATCH", subcloud_path(ref), patch.dump());
  if (r.exit_code) return void(outcome.exit_code = r.exit_code);
  print_subclouds(o, nlohmann::json::array({r.body}));
  outcome.exit_code = kOk;
}

void add_subcloud_manage(CLI::App* cmd, const char* verb, const char* state, const char* help, Outcome& outcome) {
  auto o = dc_options();
  auto ref = std::make_shared<std::string>();
  CLI::App* sub = cmd->add_subcommand(verb, help);
  add_fm_options(sub, *o);
  sub->add_option("subcloud", *ref, "name or id")->required();
  sub->callback([o, ref, state, &outcome] { patch_subcloud(*o, *ref, {{"management-state", state}}, outcome); });
}

void add_subcloud_update(CLI::App* cmd, Outcome& outcome) {
  struct Args {
    std::shared_ptr<FmCliOptions> o = dc_options();
    std::string ref;
    std::vector<std::pair<std::string, std::string>> fields{{"group_id", ""}, {"description", ""}, {"location", ""}};
  };
  auto a = std::make_shared<Args>();
  CLI::App* update = cmd->add_subcommand("update", "Move a subcloud to another group, or change its description or location");
  add_fm_options(update, *a->o);
  update->add_option("subcloud", a->ref, "name or id")->required();
  update->add_option("--group", a->fields[0].second, "its new subcloud group, by name or id");
  update->add_option("--description", a->fields[1].second, "free text");
  update->add_option("--location", a->fields[2].second, "free text");
  update->callback([a, &outcome] {
    nlohmann::json patch = nlohmann::json::object();
    for (const auto& [k, v] : a->fields)
      if (!v.empty()) patch[k] = v;
    if (patch.empty()) {
      std::cerr << "roost: subcloud update " << a->ref << ": nothing to change (give --group, --description or --location)\n";
      return void(outcome.exit_code = kInvalidInput);
    }
    patch_subcloud(*a->o, a->ref, patch, outcome);
  });
}

void add_subcloud_delete(CLI::App* cmd, Outcome& outcome) {
  auto o = dc_options();
  auto ref = std::make_shared<std::string>();
  auto yes = std::make_shared<bool>(false);
  CLI::App* del = cmd->add_subcommand("delete", "Delete a subcloud (it must be unmanaged and offline)");
  add_fm_options(del, *o);
  del->add_option("subcloud", *ref, "name or id")->required();
  del->add_flag("--yes,-y", *yes, "do not ask for confirmation");
  del->callback([o, ref, yes, &outcome] {
    if (!confirmed(*yes, "Delete subcloud " + *ref + "?", "subcloud delete " + *ref, outcome)) return;
    auto r = fm_request(*o, "DELETE", subcloud_path(*ref));
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    if (o->format == "json")
      std::cout << nlohmann::json{{"deleted", *ref}}.dump() << "\n";
    else
      std::cout << "Deleted subcloud " << *ref << "\n";
    outcome.exit_code = kOk;
  });
}

// --- roost subcloud-group ------------------------------------------------------------------------------

void add_group_list(CLI::App* cmd, Outcome& outcome) {
  auto o = dc_options();
  CLI::App* list = cmd->add_subcommand("list", "List subcloud groups");
  add_fm_options(list, *o);
  list->callback([o, &outcome] {
    auto r = fm_request(*o, "GET", "/v1.0/subcloud-groups");
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_groups(*o, r.body.value("subcloud_groups", nlohmann::json::array()));
    outcome.exit_code = kOk;
  });
}

void add_group_show(CLI::App* cmd, Outcome& outcome) {
  auto o = dc_options();
  auto ref = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "Show one subcloud group");
  add_fm_options(show, *o);
  show->add_option("group", *ref, "name or id")->required();
  show->callback([o, ref, &outcome] {
    auto r = fm_request(*o, "GET", group_path(*ref));
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_one(*o, r.body);
    outcome.exit_code = kOk;
  });
}

// The fields `add` and `update` share; `max_parallel` 0 = not given.
struct GroupFields {
  std::string name, description, apply_type;
  unsigned max_parallel = 0;

  void add_options(CLI::App* cmd, bool name_is_option) {
    if (name_is_option) cmd->add_option("--name", name, "the group's name (not all digits)");
    cmd->add_option("--description", description, "free text");
    cmd->add_option("--apply-type", apply_type, "how updates are applied to its subclouds: serial or parallel")
        ->check(CLI::IsMember({"serial", "parallel"}));
    cmd->add_option("--max-parallel", max_parallel, "at most this many subclouds updated at once (1..5000)")
        ->check(CLI::Range(1u, 5000u));
  }
  nlohmann::json body() const {
    nlohmann::json b = nlohmann::json::object();
    if (!name.empty()) b["name"] = name;
    if (!description.empty()) b["description"] = description;
    if (!apply_type.empty()) b["update_apply_type"] = apply_type;
    if (max_parallel) b["max_parallel_subclouds"] = max_parallel;
    return b;
  }
};

void add_group_add(CLI::App* cmd, Outcome& outcome) {
  auto o = dc_options();
  auto f = std::make_shared<GroupFields>();
  CLI::App* add = cmd->add_subcommand("add", "Add a subcloud group");
  add_fm_options(add, *o);
  f->add_options(add, true);
  add->get_option("--name")->required();
  add->callback([o, f, &outcome] {
    auto r = fm_request(*o, "POST", "/v1.0/subcloud-groups", f->body().dump());
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_one(*o, r.body);
    outcome.exit_code = kOk;
  });
}

void add_group_update(CLI::App* cmd, Outcome& outcome) {
  auto o = dc_options();
  auto ref = std::make_shared<std::string>();
  auto f = std::make_shared<GroupFields>();
  CLI::App* update = cmd->add_subcommand("update", "Rename a subcloud group or change its description, apply type, max parallel");
  add_fm_options(update, *o);
  update->add_option("group", *ref, "name or id")->required();
  f->add_options(update, true);
  update->callback([o, ref, f, &outcome] {
    const auto patch = f->body();
    if (patch.empty()) {
      std::cerr << "roost: subcloud-group update " << *ref
                << ": nothing to change (give --name, --description, --apply-type or --max-parallel)\n";
      return void(outcome.exit_code = kInvalidInput);
    }
    auto r = fm_request(*o, "PATCH", group_path(*ref), patch.dump());
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_one(*o, r.body);
    outcome.exit_code = kOk;
  });
}

void add_group_delete(CLI::App* cmd, Outcome& outcome) {
  auto o = dc_options();
  auto ref = std::make_shared<std::string>();
  auto yes = std::make_shared<bool>(false);
  CLI::App* del = cmd->add_subcommand("delete", "Delete a subcloud group (not Default, and only without members)");
  add_fm_options(del, *o);
  del->add_option("group", *ref, "name or id")->required();
  del->add_flag("--yes,-y", *yes, "do not ask for confirmation");
  del->callback([o, ref, yes, &outcome] {
    if (!confirmed(*yes, "Delete subcloud group " + *ref + "?", "subcloud-group delete " + *ref, outcome)) return;
    auto r = fm_request(*o, "DELETE", group_path(*ref));
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    if (o->format == "json")
      std::cout << nlohmann::json{{"deleted", *ref}}.dump() << "\n";
    else
      std::cout << "Deleted subcloud group " << *ref << "\n";
    outcome.exit_code = kOk;
  });
}

void add_group_list_subclouds(CLI::App* cmd, Outcome& outcome) {
  auto o = dc_options();
  auto ref = std::make_shared<std::string>();
  CLI::App* list = cmd->add_subcommand("list-subclouds", "List the subclouds of one group");
  add_fm_options(list, *o);
  list->add_option("group", *ref, "name or id")->required();
  list->callback([o, ref, &outcome] {
    auto r = fm_request(*o, "GET", group_path(*ref) + "/subclouds");
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_subclouds(*o, r.body.value("subclouds", nlohmann::json::array()));
    outcome.exit_code = kOk;
  });
}

}  // namespace

void add_subcloud_command(CLI::App& app, Outcome& outcome) {
  CLI::App* cmd = app.add_subcommand("subcloud", "Subclouds of the system controller (dc-manager REST API, /v1.0/subclouds)");
  cmd->require_subcommand(1);
  add_subcloud_list(cmd, outcome);
  add_subcloud_show(cmd, outcome);
  add_subcloud_add(cmd, outcome);
  add_subcloud_update(cmd, outcome);
  add_subcloud_manage(cmd, "manage", "managed", "Manage a subcloud (sync and out-of-sync alarms resume)", outcome);
  add_subcloud_manage(cmd, "unmanage", "unmanaged", "Unmanage a subcloud (still audited for availability)", outcome);
  add_subcloud_delete(cmd, outcome);
}

void add_subcloud_group_command(CLI::App& app, Outcome& outcome) {
  CLI::App* cmd =
      app.add_subcommand("subcloud-group", "Subcloud groups (dc-manager REST API, /v1.0/subcloud-groups)");
  cmd->require_subcommand(1);
  add_group_list(cmd, outcome);
  add_group_show(cmd, outcome);
  add_group_add(cmd, outcome);
  add_group_update(cmd, outcome);
  add_group_delete(cmd, outcome);
  add_group_list_subclouds(cmd, outcome);
}

}  // namespace roost::cli
