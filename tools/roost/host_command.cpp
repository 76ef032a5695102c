// `roost host list | show | add | bulk-add | export | lock | unlock | reboot | reset | power-on |
// power-off | power-cycle | delete | inventory` and `roost system show | modify`: the inventory's REST
// API (StarlingX sysinv's /v1/ihosts and /v1/isystems; docs/inventory.md).
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "tools/roost/commands.h"
#include "tools/roost/fm_cli.h"

namespace roost::cli {
namespace {

std::shared_ptr<FmCliOptions> inventory_options(std::string format = "table") {
  auto o = std::make_shared<FmCliOptions>();
  o->service = kInventoryService;
  o->format = std::move(format);
  return o;
}

std::string host_path(const std::string& ref) { return "/v1/ihosts/" + url_encode(ref); }

// One line per host, StarlingX's host-list columns plus the task maintenance is running.
void print_hosts(const FmCliOptions& o, const nlohmann::json& hosts) {
  if (o.format == "json") {
    std::cout << hosts.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& h : hosts)
    rows.push_back({cell(h, "id"), cell(h, "hostname"), cell(h, "personality"), cell(h, "administrative"),
                    cell(h, "operational"), cell(h, "availability"), cell(h, "task")});
  print_table({"ID", "HOSTNAME", "PERSONALITY", "ADMINISTRATIVE", "OPERATIONAL", "AVAILABILITY", "TASK"}, rows);
}

void print_host(const FmCliOptions& o, const nlohmann::json& h) {
  if (o.format == "json")
    std::cout << h.dump(2) << "\n";
  else
    print_record(h);
}

// Reads a whole file; nullopt (and a message on stderr) if it cannot.
std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "roost: " << path << ": cannot open the file\n";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool looks_like_xml(const std::string& text) {
  const auto i = text.find_first_not_of(" \t\r\n");
  return i != std::string::npos && text[i] == '<';
}

// --- list, show -------------------------------------------------------------------------------------

void add_list(CLI::App* cmd, Outcome& outcome) {
  struct Args {
    std::shared_ptr<FmCliOptions> o = inventory_options();
    std::string personality, availability, administrative;
  };
  auto a = std::make_shared<Args>();
  CLI::App* list = cmd->add_subcommand("list", "List hosts");
  add_fm_options(list, *a->o);
  list->add_option("--personality", a->personality, "only controller, worker or storage hosts");
  list->add_option("--availability", a->availability, "only hosts in this availability (available, offline, ...)");
  list->add_option("--administrative", a->administrative, "only locked or unlocked hosts");
  list->callback([a, &outcome] {
    std::vector<std::pair<std::string, std::string>> p;
    if (!a->personality.empty()) p.emplace_back("personality", a->personality);
    if (!a->availability.empty()) p.emplace_back("availability", a->availability);
    if (!a->administrative.empty()) p.emplace_back("administrative", a->administrative);
    auto r = fm_request(*a->o, "GET", "/v1/ihosts" + query_string(p));
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_hosts(*a->o, r.body.value("ihosts", nlohmann::json::array()));
    outcome.exit_code = kOk;
  });
}

void add_show(CLI::App* cmd, Outcome& outcome) {
  auto o = inventory_options();
  auto host = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "Show one host");
  add_fm_options(show, *o);
  show->add_option("host", *host, "hostname, uuid or id")->required();
  show->callback([o, host, &outcome] {
    auto r = fm_request(*o, "GET", host_path(*host));
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_host(*o, r.body);
    outcome.exit_code = kOk;
  });
}

// --- add, bulk-add, export ----------------------------------------------------------------------------

struct AddArgs {
  std::shared_ptr<FmCliOptions> o = inventory_options();
  std::string file;
  // Every string option, by its REST field name (set only when given).
  std::vector<std::pair<std::string, std::string>> fields;
  std::string subfunctions, location, bm_password_env;
  std::uint16_t bm_port = 0;
};

void add_add(CLI::App* cmd, Outcome& outcome) {
  auto a = std::make_shared<AddArgs>();
  static const std::vector<std::pair<const char*, const char*>> kFieldOptions = {
      {"hostname", "the host's name: lower-case letters, digits and '-'"},
      {"personality", "controller, worker or storage"},
      {"mgmt_mac", "MAC address of its management port, e.g. 08:00:27:aa:bb:cc"},
      {"mgmt_ip", "management address"},
      {"bm_ip", "BMC address"},
      {"bm_type", "none, dynamic, ipmi or redfish"},
      {"bm_username", "BMC user"},
      {"boot_device", "install: boot device, e.g. /dev/sda"},
      {"rootfs_device", "install: root filesystem device"},
      {"console", "install: console, e.g. ttyS0,115200"},
      {"install_output", "install: text or graphical"},
      {"clock_synchronization", "ntp or ptp"},
  };
  CLI::App* add = cmd->add_subcommand("add", "Add a host (locked); --file reads its fields from a JSON object");
  add_fm_options(add, *a->o);
  a->fields.reserve(kFieldOptions.size());
  for (const auto& [field, help] : kFieldOptions) {
    std::string flag = std::string("--") + field;
    for (auto& c : flag) c = c == '_' ? '-' : c;
    if (std::string_view(field) == "clock_synchronization") flag = "--clock-sync";
    a->fields.emplace_back(field, "");
    add->add_option(flag, a->fields.back().second, help);
  }
  add->add_option("--subfunctions", a->subfunctions, "comma-separated, e.g. controller,worker (default: the personality)");
  add->add_option("--location", a->location, "where the host is, e.g. \"rack 3\" (its locality)");
  add->add_option("--bm-port", a->bm_port, "BMC port (default 623)");
  add->add_option("--bm-password-env", a->bm_password_env,
                  "name of the environment variable holding the BMC password (never on the command line)");
  add->add_option("--file", a->file, "a JSON object of host fields (sysinv's names); options given override it");
  add->callback([a, &outcome] {
    nlohmann::json body = nlohmann::json::object();
    if (!a->file.empty()) {
      auto text = read_file(a->file);
      if (!text) return void(outcome.exit_code = kInvalidInput);
      body = nlohmann::json::parse(*text, nullptr, false);
      if (!body.is_object()) {
        std::cerr << "roost: " << a->file << ": " << (body.is_discarded() ? "not valid JSON" : "not a JSON object")
                  << " (expected {\"hostname\": ..., \"personality\": ...})\n";
        return void(outcome.exit_code = kInvalidInput);
      }
    }
    for (const auto& [field, value] : a->fields)
      if (!value.empty()) body[field] = value;
    if (!a->subfunctions.empty()) {
      auto list = nlohmann::json::array();
      std::stringstream in(a->subfunctions);
      for (std::string f; std::getline(in, f, ',');)
        if (!f.empty()) list.push_back(f);
      body["subfunctions"] = list;
    }
    if (!a->location.empty()) body["location"] = {{"locality", a->location}};
    if (a->bm_port) body["bm_port"] = a->bm_port;
    if (!a->bm_password_env.empty()) {
      const char* pw = std::getenv(a->bm_password_env.c_str());
      if (!pw) {
        std::cerr << "roost: --bm-password-env: the environment variable " << a->bm_password_env << " is not set\n";
        return void(outcome.exit_code = kInvalidInput);
      }
      body["bm_password"] = pw;
    }
    for (const char* required : {"hostname", "personality"})
      if (!body.contains(required)) {
        std::cerr << "roost: host add: --" << required << " is required (or a \"" << required
                  << "\" field in --file)\n";
        return void(outcome.exit_code = kInvalidInput);
      }
    auto r = fm_request(*a->o, "POST", "/v1/ihosts", body.dump());
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_host(*a->o, r.body);
    outcome.exit_code = kOk;
  });
}

void add_bulk_add(CLI::App* cmd, Outcome& outcome) {
  auto o = inventory_options();
  auto file = std::make_shared<std::string>();
  CLI::App* bulk = cmd->add_subcommand(
      "bulk-add", "Add the hosts of a StarlingX host XML file (<hosts><host>...) or a JSON file; exit 1 unless all "
                  "were added");
  add_fm_options(bulk, *o);
  bulk->add_option("file", *file, "XML or JSON (told apart by the content)")->required();
  bulk->callback([o, file, &outcome] {
    auto text = read_file(*file);
    if (!text) return void(outcome.exit_code = kInvalidInput);
    const bool xml = looks_like_xml(*text);
    auto r = fm_request(*o, "POST", "/v1/ihosts/bulk", *text, xml ? "application/xml" : "application/json");
    // 422 (nothing added) still lists why each host failed: show it.
    if (r.exit_code && !(r.body.is_object() && r.body.contains("failed")))
      return void(outcome.exit_code = r.exit_code);
    const auto added = r.body.value("added", nlohmann::json::array());
    const auto failed = r.body.value("failed", nlohmann::json::array());
    if (o->format == "json") {
      std::cout << nlohmann::json{{"added", added}, {"failed", failed}}.dump(2) << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& h : added) rows.push_back({h.is_string() ? h.get<std::string>() : cell(h, "hostname"), "added", ""});
      for (const auto& f : failed) rows.push_back({cell(f, "hostname"), "failed", cell(f, "error")});
      print_table({"HOSTNAME", "RESULT", "ERROR"}, rows);
      std::cout << added.size() << " added, " << failed.size() << " failed\n";
    }
    outcome.exit_code = failed.empty() && !r.exit_code ? kOk : kExpectationFailed;
  });
}

void add_export(CLI::App* cmd, Outcome& outcome) {
  auto o = inventory_options("xml");
  CLI::App* exp = cmd->add_subcommand("export", "Print every host as StarlingX host XML (bulk-add reads it back) or JSON");
  add_fm_options(exp, *o, {"xml", "json"});
  exp->callback([o, &outcome] {
    auto r = fm_request(*o, "GET", "/v1/ihosts/export?format=" + o->format);
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    if (r.body.is_string())
      std::cout << r.body.get<std::string>();
    else
      std::cout << r.body.dump(2) << "\n";
    outcome.exit_code = kOk;
  });
}

// --- lifecycle actions ---------------------------------------------------------------------------------

void patch_action(const FmCliOptions& o, const std::string& host, const std::string& action, Outcome& outcome) {
  auto r = fm_request(o, "PATCH", host_path(host), nlohmann::json{{"action", action}}.dump());
  if (r.exit_code) return void(outcome.exit_code = r.exit_code);
  print_hosts(o, nlohmann::json::array({r.body}));
  outcome.exit_code = kOk;
}

void add_action(CLI::App* cmd, const char* verb, const char* help, Outcome& outcome) {
  auto o = inventory_options();
  auto host = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  CLI::App* sub = cmd->add_subcommand(verb, help);
  add_fm_options(sub, *o);
  sub->add_option("host", *host, "hostname, uuid or id")->required();
  const std::string action = verb;
  if (action == "lock") sub->add_flag("--force,-f", *force, "force-lock: even a failed host, or while a task runs");
  sub->callback([o, host, force, action, &outcome] {
    patch_action(*o, *host, *force ? "force-lock" : action, outcome);
  });
}

void add_delete(CLI::App* cmd, Outcome& outcome) {
  auto o = inventory_options();
  auto host = std::make_shared<std::string>();
  auto yes = std::make_shared<bool>(false);
  CLI::App* del = cmd->add_subcommand("delete", "Delete a locked host from the inventory");
  add_fm_options(del, *o);
  del->add_option("host", *host, "hostname, uuid or id")->required();
  del->add_flag("--yes,-y", *yes, "do not ask for confirmation");
  del->callback([o, host, yes, &outcome] {
    if (!*yes) {
      if (!isatty(STDIN_FILENO)) {
        std::cerr << "roost: host delete " << *host << ": add --yes to confirm (stdin is not a terminal)\n";
        return void(outcome.exit_code = kInvalidInput);
      }
      std::cerr << "Delete host " << *host << " from the inventory? [y/N] ";
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") {
        std::cerr << "Not deleted.\n";
        return void(outcome.exit_code = kExpectationFailed);
      }
    }
    auto r = fm_request(*o, "DELETE", host_path(*host));
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    if (o->format == "json")
      std::cout << nlohmann::json{{"deleted", *host}}.dump() << "\n";
    else
      std::cout << "Deleted host " << *host << "\n";
    outcome.exit_code = kOk;
  });
}

// --- machine inventory ---------------------------------------------------------------------------------

void print_part(const std::string& part, const nlohmann::json& rows) {
  std::vector<std::vector<std::string>> t;
  if (part == "cpus") {
    for (const auto& c : rows)
      t.push_back({cell(c, "cpu"), cell(c, "socket"), cell(c, "core"), cell(c, "thread"), cell(c, "numa_node"),
                   cell(c, "model")});
    print_table({"CPU", "SOCKET", "CORE", "THREAD", "NUMA", "MODEL"}, t);
  } else if (part == "memory") {
    for (const auto& m : rows)
      t.push_back({cell(m, "numa_node"), cell(m, "total_kib"), cell(m, "free_kib"), cell(m, "hugepages_2m_total"),
                   cell(m, "hugepages_1g_total")});
    print_table({"NUMA", "TOTAL KIB", "FREE KIB", "2M PAGES", "1G PAGES"}, t);
  } else if (part == "disks") {
    for (const auto& d : rows)
      t.push_back({cell(d, "device"), cell(d, "size_bytes"), cell(d, "rotational"), cell(d, "model"), cell(d, "serial")});
    print_table({"DEVICE", "SIZE BYTES", "ROTATIONAL", "MODEL", "SERIAL"}, t);
  } else {
    for (const auto& p : rows)
      t.push_back({cell(p, "name"), cell(p, "mac"), cell(p, "speed_mbps"), cell(p, "mtu"), cell(p, "driver"),
                   cell(p, "pci_address"), cell(p, "link_up")});
    print_table({"NAME", "MAC", "SPEED MBPS", "MTU", "DRIVER", "PCI ADDRESS", "LINK UP"}, t);
  }
}

void add_inventory(CLI::App* cmd, Outcome& outcome) {
  auto o = inventory_options();
  auto host = std::make_shared<std::string>();
  auto part = std::make_shared<std::string>();
  CLI::App* inv = cmd->add_subcommand("inventory", "The hardware a host's agent reported: CPUs, memory, disks, ports");
  add_fm_options(inv, *o);
  inv->add_option("host", *host, "hostname, uuid or id")->required();
  inv->add_option("--part", *part, "only cpus, memory, disks or ports")
      ->check(CLI::IsMember({"cpus", "memory", "disks", "ports"}));
  inv->callback([o, host, part, &outcome] {
    // --part asks the sub-resource (icpus, imemorys, idisks, ports: sysinv's names).
    static const std::map<std::string, std::string> kResource = {
        {"cpus", "icpus"}, {"memory", "imemorys"}, {"disks", "idisks"}, {"ports", "ports"}};
    if (!part->empty()) {
      const auto& resource = kResource.at(*part);
      auto r = fm_request(*o, "GET", host_path(*host) + "/" + resource);
      if (r.exit_code) return void(outcome.exit_code = r.exit_code);
      const auto rows = r.body.value(resource, nlohmann::json::array());
      if (o->format == "json")
        std::cout << rows.dump(2) << "\n";
      else
        print_part(*part, rows);
      return void(outcome.exit_code = kOk);
    }
    auto r = fm_request(*o, "GET", host_path(*host) + "/inventory");
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    if (o->format == "json") {
      std::cout << r.body.dump(2) << "\n";
      return void(outcome.exit_code = kOk);
    }
    const auto& m = r.body;
    std::cout << "hostname  " << cell(m, "hostname") << "\nkernel    " << cell(m, "kernel") << "\ncpus      "
              << m.value("cpus", nlohmann::json::array()).size() << " (" << cell(m, "sockets") << " sockets, "
              << cell(m, "cores") << " cores)\nmemory    " << cell(m, "memory_total_kib") << " KiB\n";
    for (const auto& [name, key] : std::vector<std::pair<std::string, std::string>>{
             {"cpus", "cpus"}, {"memory", "memory"}, {"disks", "disks"}, {"ports", "ports"}}) {
      std::cout << "\n" << name << "\n";
      print_part(name, m.value(key, nlohmann::json::array()));
    }
    outcome.exit_code = kOk;
  });
}

}  // namespace

void add_host_command(CLI::App& app, Outcome& outcome) {
  CLI::App* cmd = app.add_subcommand("host", "Hosts of the inventory and their lifecycle (REST API, sysinv's /v1/ihosts)");
  cmd->require_subcommand(1);
  add_list(cmd, outcome);
  add_show(cmd, outcome);
  add_add(cmd, outcome);
  add_bulk_add(cmd, outcome);
  add_export(cmd, outcome);
  add_action(cmd, "lock", "Lock a host (take it out of service); --force even when it is failed or busy", outcome);
  add_action(cmd, "unlock", "Unlock a locked host (it reboots into service)", outcome);
  add_action(cmd, "reboot", "Reboot a locked host", outcome);
  add_action(cmd, "reset", "Reset a locked host through its BMC", outcome);
  add_action(cmd, "power-on", "Power a locked host on through its BMC", outcome);
  add_action(cmd, "power-off", "Power a locked host off through its BMC", outcome);
  add_action(cmd, "power-cycle", "Power-cycle a locked host through its BMC", outcome);
  add_delete(cmd, outcome);
  add_inventory(cmd, outcome);
}

void add_system_command(CLI::App& app, Outcome& outcome) {
  CLI::App* cmd = app.add_subcommand("system", "The system record of the inventory (REST API, sysinv's /v1/isystems)");
  cmd->require_subcommand(1);

  auto o = inventory_options();
  CLI::App* show = cmd->add_subcommand("show", "Show the system: name, type, mode, distributed-cloud role...");
  add_fm_options(show, *o);
  show->callback([o, &outcome] {
    auto r = fm_request(*o, "GET", "/v1/isystems");
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    const auto systems = r.body.value("isystems", nlohmann::json::array());
    if (systems.empty()) {
      std::cerr << "roost: the inventory has no system record\n";
      return void(outcome.exit_code = kRunFailed);
    }
    print_host(*o, systems[0]);
    outcome.exit_code = kOk;
  });

  struct ModifyArgs {
    std::shared_ptr<FmCliOptions> o = inventory_options();
    std::vector<std::pair<std::string, std::string>> fields{
        {"name", ""}, {"description", ""}, {"location", ""}, {"contact", ""}, {"system_mode", ""}};
  };
  auto m = std::make_shared<ModifyArgs>();
  CLI::App* modify = cmd->add_subcommand("modify", "Change the system's name, description, location, contact or mode");
  add_fm_options(modify, *m->o);
  modify->add_option("--name", m->fields[0].second, "the system's name");
  modify->add_option("--description", m->fields[1].second, "free text");
  modify->add_option("--location", m->fields[2].second, "free text");
  modify->add_option("--contact", m->fields[3].second, "free text");
  modify->add_option("--system-mode", m->fields[4].second, "simplex, duplex or duplex-direct");
  modify->callback([m, &outcome] {
    nlohmann::json patch = nlohmann::json::object();
    for (const auto& [k, v] : m->fields)
      if (!v.empty()) patch[k] = v;
    if (patch.empty()) {
      std::cerr << "roost: system modify: nothing to change (give --name, --description, --location, --contact or "
                   "--system-mode)\n";
      return void(outcome.exit_code = kInvalidInput);
    }
    auto list = fm_request(*m->o, "GET", "/v1/isystems");
    if (list.exit_code) return void(outcome.exit_code = list.exit_code);
    const auto systems = list.body.value("isystems", nlohmann::json::array());
    if (systems.empty()) {
      std::cerr << "roost: the inventory has no system record\n";
      return void(outcome.exit_code = kRunFailed);
    }
    auto r = fm_request(*m->o, "PATCH", "/v1/isystems/" + url_encode(cell(systems[0], "uuid")), patch.dump());
    if (r.exit_code) return void(outcome.exit_code = r.exit_code);
    print_host(*m->o, r.body);
    outcome.exit_code = kOk;
  });
}

}  // namespace roost::cli
