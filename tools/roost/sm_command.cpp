// `roost sm status` and `roost host swact HOST [--force]`: the service manager's REST API
// (platform/sm/rest_api.h; StarlingX's sm-dump and `system host-swact`).
#include <iostream>
#include <memory>

#include "tools/roost/commands.h"
#include "tools/roost/fm_cli.h"

namespace roost::cli {
namespace {

inline constexpr RestService kSmService{"the service manager", "ROOST_SM_URL", "http://127.0.0.1:7780"};

std::shared_ptr<FmCliOptions> sm_options() {
  auto o = std::make_shared<FmCliOptions>();
  o->service = kSmService;
  return o;
}

// A value as text whatever its JSON type; "-" when absent, so a column never collapses.
std::string text(const nlohmann::json& j, const std::string& key) {
  const std::string s = cell(j, key);
  return s.empty() ? "-" : s;
}

// A replica position: {"term", "seq"} as "term:seq", anything else as written.
std::string position(const nlohmann::json& p) {
  if (p.is_object() && p.contains("term") && p.contains("seq")) return cell(p, "term") + ":" + cell(p, "seq");
  if (p.is_null()) return "-";
  return p.is_string() ? p.get<std::string>() : p.dump();
}

// The status as sm-dump shows it: this node and its peer, the sync state, then groups and their services.
// Every key is optional: a node that has not heard its peer has no "peer", a standby may have no "sync".
void print_status(const nlohmann::json& s) {
  if (!s.is_object()) {
    std::cout << s.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> nodes;
  if (s.contains("node")) nodes.push_back({text(s, "node"), text(s, "role"), text(s, "term"), "(this node)"});
  if (s.contains("peer") && s["peer"].is_object()) {
    const auto& p = s["peer"];
    std::string links;
    if (p.contains("interfaces") && p["interfaces"].is_object())
      for (const auto& [net, state] : p["interfaces"].items())
        links += (links.empty() ? "" : ", ") + net + " " + (state.is_string() ? state.get<std::string>() : state.dump());
    nodes.push_back({text(p, "name"), text(p, "role"), text(p, "term"), links.empty() ? "-" : links});
  }
  if (!nodes.empty()) print_table({"NODE", "ROLE", "TERM", "INTERFACES"}, nodes);
  if (s.contains("sync") && s["sync"].is_object()) {
    const auto& y = s["sync"];
    std::cout << "\nsync: " << text(y, "state");
    if (y.contains("position")) std::cout << " at " << position(y["position"]);
    std::cout << "\n";
  }

  const auto groups = s.value("groups", nlohmann::json::array());
  if (!groups.is_array() || groups.empty()) {
    std::cout << "\nno service groups\n";
    return;
  }
  std::vector<std::vector<std::string>> group_rows, service_rows;
  for (const auto& g : groups) {
    group_rows.push_back({text(g, "name"), text(g, "redundancy"), text(g, "desired"), text(g, "state"),
                          text(g, "status")});
    for (const auto& v : g.value("services", nlohmann::json::array())) {
      std::string failures = text(v, "failures");
      if (v.value("fatal", false)) failures += " (fatal)";
      service_rows.push_back({text(g, "name"), text(v, "name"), text(v, "state"), text(v, "impact"),
                              text(v, "actions"), failures, cell(v, "last_error")});
    }
  }
  std::cout << "\n";
  print_table({"GROUP", "REDUNDANCY", "DESIRED", "STATE", "STATUS"}, group_rows);
  if (service_rows.empty()) return;
  std::cout << "\n";
  print_table({"GROUP", "SERVICE", "STATE", "IMPACT", "ACTIONS", "FAILURES", "LAST ERROR"}, service_rows);
}

}  // namespace

void add_sm_command(CLI::App& app, Outcome& outcome) {
  CLI::App* cmd = app.add_subcommand("sm", "Service management: the controller pair and its service groups");
  cmd->require_subcommand(1);

  auto o = sm_options();
  auto json = std::make_shared<bool>(false);
  CLI::App* status = cmd->add_subcommand(
      "status", "This controller's role, its peer, replication and service groups (like StarlingX's sm-dump)");
  add_fm_options(status, *o);
  status->add_flag("--json", *json, "print the status as JSON (same as --format json)");
  status->callback([o, json, &outcome] {
    auto r = fm_request(*o, "GET", "/v1/sm/status");
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    if (*json || o->format == "json")
      std::cout << r.body.dump(2) << "\n";
    else
      print_status(r.body);
    outcome.exit_code = kOk;
  });
}

void add_host_swact_command(CLI::App& host, Outcome& outcome) {
  auto o = sm_options();
  auto name = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  CLI::App* swact = host.add_subcommand(
      "swact", "Switch activity away from the active controller HOST to its standby (service manager's REST API)");
  add_fm_options(swact, *o);
  swact->add_option("host", *name, "the active controller, e.g. controller-0")->required();
  swact->add_flag("--force,-f", *force, "swact-force: skip the pre-checks (groups stable, standby in sync)");
  swact->callback([o, name, force, &outcome] {
    const nlohmann::json body = {{"action", *force ? "swact-force" : "swact"}};
    auto r = fm_request(*o, "PATCH", "/v1/servicenode/" + url_encode(*name), body.dump());
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    if (o->format == "json")
      std::cout << r.body.dump(2) << "\n";
    else
      std::cout << "Swact from " << *name << " done: " << text(r.body, "new_active") << " is active\n";
    outcome.exit_code = kOk;
  });
}

}  // namespace roost::cli
