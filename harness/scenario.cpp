#include "harness/scenario.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include "harness/bmc_scenario.h"
#include "harness/fault_kinds.h"
#include "sim/validate.h"

namespace roost::harness {

using nlohmann::json;

std::vector<std::string> LoadResult::messages() const {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(format_error(file, e));
  return out;
}

std::string_view lan_mode_name(sim::LanMode m) { return m == sim::LanMode::SimGrid ? "simgrid" : "local-queue"; }

namespace {

// The field tables of format v1. Fault fields live in fault_kinds.cpp.
constexpr std::array kTopFields{
    FieldRule{"roost_scenario", kInteger, true}, FieldRule{"name", kString, true},
    FieldRule{"description", kString},          FieldRule{"seed", kInteger},
    FieldRule{"duration_s", kNumber, true},     FieldRule{"lan_mode", kString},
    FieldRule{"trace_level", kString},          FieldRule{"defaults", kObject},
    FieldRule{"sites", kArray},                 FieldRule{"faults", kArray},
    FieldRule{"expect", kArray},               FieldRule{"ha_check", kObject},
    FieldRule{"fleet", kObject},
};
constexpr std::array kHaCheckFields{FieldRule{"mode", kString, true}};
constexpr std::array kDefaultsFields{FieldRule{"lan", kObject}, FieldRule{"wan", kObject},
                                     FieldRule{"backbone", kObject}};
constexpr std::array kLinkFields{FieldRule{"latency_ms", kNumber}, FieldRule{"jitter_ms", kNumber},
                                 FieldRule{"bandwidth_mbps", kNumber}, FieldRule{"loss", kNumber}};
constexpr std::array kSiteFields{FieldRule{"name", kString, true}, FieldRule{"lan", kObject},
                                 FieldRule{"wan", kObject}, FieldRule{"nodes", kArray, true},
                                 FieldRule{"floating", kArray}};
constexpr std::array kNodeFields{FieldRule{"name", kString, true},  FieldRule{"role", kString, true},
                                 FieldRule{"config", kObject},      FieldRule{"networks", kArray},
                                 FieldRule{"boot_s", kNumber},      FieldRule{"start_down", kBool},
                                 FieldRule{"bmc", kObject},         FieldRule{"inventory", kObject}};
constexpr std::array kExpectFields{FieldRule{"description", kString}, FieldRule{"event", kString, true},
                                   FieldRule{"node", kString},        FieldRule{"fields", kObject},
                                   FieldRule{"count", kInteger | kObject}, FieldRule{"after_fault", kInteger | kString},
                                   FieldRule{"from", kString},        FieldRule{"within_s", kArray}};
constexpr std::array kCountFields{FieldRule{"min", kInteger}, FieldRule{"max", kInteger}};
constexpr std::array kFleetExpectFields{FieldRule{"description", kString}, FieldRule{"fleet", kObject, true}};

// The node name the simulation writes its own records under (fault.* events).
constexpr std::string_view kSimNode = "sim";

// Link defaults when a scenario says nothing: a datacentre LAN, a modest WAN access link, and the
// simulation's own backbone default.
sim::LinkSpec default_lan() { return sim::LinkSpec{core::microseconds(100), 1e9, 0.0, {}}; }
sim::LinkSpec default_wan() { return sim::LinkSpec{core::milliseconds(10), 100e6, 0.0, {}}; }

std::vector<std::string> network_names() {
  std::vector<std::string> out;
  for (auto n : core::kAllNetworks) out.emplace_back(core::to_string(n));
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string in_quotes(std::string_view s) { return json(s).dump(); }

// Where nlohmann's parser stopped, as a 1-based line and column of `text`.
std::pair<int, int> line_column(std::string_view text, std::size_t byte) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// nlohmann's message minus its "[json.exception.parse_error.101] parse error at line 3, column 5: " prefix.
std::string parse_error_text(const json::parse_error& e) {
  std::string what = e.what();
  const auto at = what.find("column ");
  if (at != std::string::npos) {
    const auto colon = what.find(": ", at);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  const auto bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

class ScenarioReader {
 public:
  ScenarioReader(const core::RoleRegistry& roles, JsonChecker& check, std::optional<std::uint64_t> seed)
      : roles_(roles), c_(check), seed_override_(seed) {}

  Scenario read(const json& doc) {
    if (!c_.check_object(doc, "$", kTopFields)) return {};
    if (auto v = get_integer(doc, "roost_scenario"); v && *v != kScenarioFormatVersion) {
      // A different version is a different format: its other fields would only produce noise.
      c_.error("$.roost_scenario", "unsupported version " + std::to_string(*v) + " (this roost reads version " +
                                       std::to_string(kScenarioFormatVersion) + ")");
      return {};
    }
    read_top(doc);
    if (const json* d = get_field(doc, "defaults"); d && d->is_object()) read_defaults(*d);
    const json* fleet = get_field(doc, "fleet");
    if (const json* s = get_field(doc, "sites"); s && s->is_array()) read_sites(*s, fleet != nullptr);
    else if (!get_field(doc, "sites") && !fleet) c_.error("$", "missing required field \"sites\" (or a \"fleet\")");
    if (fleet && fleet->is_object()) read_fleet(doc, *fleet);
    if (const json* f = get_field(doc, "faults"); f && f->is_array()) read_faults(*f);
    if (fleet_) {
      place_fleet_faults(*fleet_, out_.config);
      out_.fleet = fleet_;
    }
    if (const json* e = get_field(doc, "expect"); e && e->is_array()) read_expectations(*e);
    if (const json* h = get_field(doc, "ha_check"); h && h->is_object()) read_ha_check(*h);
    return std::move(out_);
  }

 private:
  void read_top(const json& doc) {
    out_.meta.name = get_string(doc, "name").value_or("");
    if (get_string(doc, "name") && out_.meta.name.empty()) c_.error("$.name", "must not be empty");
    out_.meta.description = get_string(doc, "description").value_or("");
    if (auto seed = get_unsigned(doc, "seed")) {
      out_.config.seed = *seed;
    } else if (auto s = get_integer(doc, "seed")) {
      c_.error("$.seed", "must be an integer >= 0 (got " + std::to_string(*s) + ")");
    }
    if (seed_override_) out_.config.seed = *seed_override_;
    if (auto d = get_number(doc, "duration_s")) {
      if (!(*d > 0) || !std::isfinite(*d))
        c_.error("$.duration_s", "must be greater than 0 (got " + literal(doc["duration_s"]) + ")");
      else {
        duration_s_ = *d;
        out_.config.duration = core::from_seconds(*d);
      }
    }
    if (auto m = get_string(doc, "lan_mode")) {
      if (*m == "local-queue") out_.config.lan_mode = sim::LanMode::LocalQueue;
      else if (*m == "simgrid") out_.config.lan_mode = sim::LanMode::SimGrid;
      else enum_error("$.lan_mode", "LAN mode", *m, {"local-queue", "simgrid"});
    }
    if (auto l = get_string(doc, "trace_level")) {
      static const std::vector<std::string> levels{"debug", "info", "warn", "error"};
      auto it = std::find(levels.begin(), levels.end(), *l);
      if (it == levels.end()) enum_error("$.trace_level", "trace level", *l, levels);
      else out_.config.trace_level = static_cast<core::LogLevel>(it - levels.begin());
    }
  }

  void enum_error(const std::string& path, std::string_view what, const std::string& got,
                  const std::vector<std::string>& allowed) {
    c_.error(path, "unknown " + std::string(what) + " " + in_quotes(got) + did_you_mean(got, allowed) + "; one of: " +
                       join(allowed));
  }

  void read_defaults(const json& d) {
    c_.check_object(d, "$.defaults", kDefaultsFields);
    if (const json* l = get_field(d, "lan")) lan_ = read_link(*l, "$.defaults.lan", lan_);
    if (const json* w = get_field(d, "wan")) wan_ = read_link(*w, "$.defaults.wan", wan_);
    if (const json* b = get_field(d, "backbone"))
      out_.config.backbone = read_link(*b, "$.defaults.backbone", out_.config.backbone);
  }

  // Fields given override `base` one by one, so a site can change only its latency.
  sim::LinkSpec read_link(const json& j, const std::string& path, sim::LinkSpec base) {
    if (!c_.check_object(j, path, kLinkFields)) return base;
    auto non_negative = [&](std::string_view key) -> std::optional<double> {
      auto v = get_number(j, key);
      if (v && *v < 0) {
        c_.error(child(path, key), "must not be negative (got " + literal(j[std::string(key)]) + ")");
        return std::nullopt;
      }
      return v;
    };
    if (auto v = non_negative("latency_ms")) base.latency = core::from_seconds(*v / 1e3);
    if (auto v = non_negative("jitter_ms")) base.jitter = core::from_seconds(*v / 1e3);
    if (auto v = get_number(j, "bandwidth_mbps")) {
      if (*v <= 0) c_.error(child(path, "bandwidth_mbps"), "must be greater than 0 (got " + literal(j["bandwidth_mbps"]) + ")");
      else base.bandwidth_bps = *v * 1e6;
    }
    if (auto v = get_number(j, "loss")) {
      if (*v < 0 || *v > 1) c_.error(child(path, "loss"), "must be within [0, 1] (got " + literal(j["loss"]) + ")");
      else base.loss = *v;
    }
    return base;
  }

  static bool valid_name(const std::string& s) {
    return !s.empty() && std::none_of(s.begin(), s.end(), [](char ch) {
      return std::isspace(static_cast<unsigned char>(ch)) || std::iscntrl(static_cast<unsigned char>(ch));
    });
  }

  // The fleet's sites follow the explicit ones; its nodes can be named by explicit faults and expectations.
  void read_fleet(const json& doc, const json& fleet) {
    const json* defaults = get_field(doc, "defaults");
    const json* uplink = get_field(fleet, "uplink");
    if (defaults && get_field(*defaults, "backbone") && uplink && get_field(*uplink, "backbone"))
      c_.error("$.fleet.uplink.backbone", "the backbone is also given in $.defaults.backbone: give it in one place");
    const std::size_t first = out_.config.sites.size();
    auto plan = expand_fleet(fleet, "$.fleet", c_, out_.config.seed, duration_s_, out_.config);
    if (!plan) return;
    const std::set<std::string> explicit_sites(site_names_.begin(), site_names_.end());
    for (std::size_t i = first; i < out_.config.sites.size(); ++i) {
      const auto& site = out_.config.sites[i];
      if (explicit_sites.count(site.name))
        c_.error("$.fleet", "the fleet's site " + in_quotes(site.name) + " is also a site of $.sites");
      site_names_.push_back(site.name);
      for (const auto& n : site.nodes) {
        if (auto [it, fresh] = node_paths_.emplace(n.node.name, "$.fleet"); !fresh)
          c_.error("$.fleet", "the fleet's node " + in_quotes(n.node.name) + " is also declared at " + it->second);
        node_names_.push_back(n.node.name);
        node_networks_[n.node.name] = n.networks;
      }
    }
    fleet_ = std::make_shared<FleetPlan>(std::move(*plan));
  }

  void read_sites(const json& sites, bool with_fleet) {
    if (sites.empty() && !with_fleet) c_.error("$.sites", "a scenario needs at least one site");
    std::map<std::string, std::string> site_paths;
    for (std::size_t i = 0; i < sites.size(); ++i) {
      const std::string path = index("$.sites", i);
      const json& s = sites[i];
      if (!c_.check_object(s, path, kSiteFields)) continue;
      sim::SiteSpec site;
      site.name = get_string(s, "name").value_or("");
      if (get_string(s, "name")) {
        if (!valid_name(site.name)) {
          c_.error(child(path, "name"), "must be a non-empty name without spaces");
        } else if (auto [it, fresh] = site_paths.emplace(site.name, path); !fresh) {
          c_.error(child(path, "name"), "duplicate site name " + in_quotes(site.name) + " (also at " + it->second + ")");
        }
        site_names_.push_back(site.name);
      }
      site.lan = read_link(s.value("lan", json::object()), child(path, "lan"), lan_);
      site.wan = read_link(s.value("wan", json::object()), child(path, "wan"), wan_);
      if (const json* nodes = get_field(s, "nodes"); nodes && nodes->is_array()) {
        if (nodes->empty()) c_.error(child(path, "nodes"), "a site needs at least one node");
        for (std::size_t k = 0; k < nodes->size(); ++k)
          if (auto n = read_node((*nodes)[k], index(child(path, "nodes"), k), site.name)) site.nodes.push_back(*n);
      }
      if (const json* floating = get_field(s, "floating"); floating && floating->is_array())
        site.floating = read_floating(*floating, child(path, "floating"));
      out_.config.sites.push_back(std::move(site));
    }
    // Once every site's nodes are known: a floating name is not a node's (whichever site it is in).
    for (const auto& [name, path] : floating_paths_)
      if (auto it = node_paths_.find(name); it != node_paths_.end())
        c_.error(path, "floating name " + in_quotes(name) + " is the name of the node at " + it->second +
                           " (a floating name must differ from every node name)");
  }

  // A site's floating names: names its nodes claim (Env::claim_floating), e.g. ["controller"].
  std::vector<std::string> read_floating(const json& arr, const std::string& path) {
    std::vector<std::string> out;
    std::map<std::string, std::string> seen;  // name -> path, within this site
    for (std::size_t k = 0; k < arr.size(); ++k) {
      const std::string fpath = index(path, k);
      if (!c_.check_type(arr[k], fpath, kString)) continue;
      const auto name = arr[k].get<std::string>();
      if (!valid_name(name)) {
        c_.error(fpath, "a floating name must be a non-empty name without spaces (got " + in_quotes(name) + ")");
      } else if (name == kSimNode) {
        c_.error(fpath, "the name \"sim\" is reserved for the simulation's own trace records");
      } else if (auto [it, fresh] = seen.emplace(name, fpath); !fresh) {
        c_.error(fpath, "floating name " + in_quotes(name) + " listed twice (also at " + it->second + ")");
      } else {
        floating_paths_.emplace_back(name, fpath);
        out.push_back(name);
      }
    }
    return out;
  }

  std::optional<sim::SimNodeSpec> read_node(const json& j, const std::string& path, const std::string& site) {
    if (!c_.check_object(j, path, kNodeFields)) return std::nullopt;
    sim::SimNodeSpec n;
    n.node.site = site;
    if (auto name = get_string(j, "name")) {
      n.node.name = *name;
      if (!valid_name(*name)) {
        c_.error(child(path, "name"), "must be a non-empty name without spaces");
      } else if (*name == kSimNode) {
        c_.error(child(path, "name"), "the name \"sim\" is reserved for the simulation's own trace records");
      } else if (auto it = node_paths_.find(*name); it != node_paths_.end()) {
        c_.error(child(path, "name"), "duplicate node name " + in_quotes(*name) + " (also at " + it->second + ")");
      } else {
        node_paths_.emplace(*name, path);
        node_names_.push_back(*name);
      }
    }
    if (auto role = get_string(j, "role")) {
      n.node.role = *role;
      if (!roles_.has(*role)) {
        const auto known = roles_.roles();
        c_.error(child(path, "role"),
                 "unknown role " + in_quotes(*role) + did_you_mean(*role, known) + "; known roles: " + join(known));
      }
    }
    if (const json* cfg = get_field(j, "config"); cfg && cfg->is_object()) n.node.config = *cfg;
    if (const json* nets = get_field(j, "networks"); nets && nets->is_array()) {
      n.networks.clear();
      if (nets->empty()) c_.error(child(path, "networks"), "a node needs at least one network");
      for (std::size_t k = 0; k < nets->size(); ++k) {
        auto net = read_network((*nets)[k], index(child(path, "networks"), k));
        if (!net) continue;
        if (std::find(n.networks.begin(), n.networks.end(), *net) != n.networks.end())
          c_.error(index(child(path, "networks"), k), "network " + in_quotes(core::to_string(*net)) + " listed twice");
        else
          n.networks.push_back(*net);
      }
    }
    if (auto boot = get_number(j, "boot_s")) {
      if (*boot < 0) c_.error(child(path, "boot_s"), "must not be negative (got " + literal(j["boot_s"]) + ")");
      else n.boot_time = core::from_seconds(*boot);
    }
    n.start_down = get_bool(j, "start_down").value_or(false);
    if (const json* bmc = get_field(j, "bmc"); bmc && bmc->is_object())
      n.bmc = read_bmc(*bmc, child(path, "bmc"), c_, duration_s_);
    if (const json* inv = get_field(j, "inventory"); inv && inv->is_object())
      n.inventory = read_inventory(*inv, child(path, "inventory"));
    if (!n.node.name.empty()) node_networks_[n.node.name] = n.networks;
    return n;
  }

  // The machine's parser names the bad field relative to the object ("cpus[1].socket: expected an
  // integer"); the error here carries the whole path.
  std::optional<core::MachineInventory> read_inventory(const json& j, const std::string& path) {
    try {
      return core::machine_inventory_from_json(j);
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      const auto colon = what.find(": ");
      if (colon == std::string::npos) {
        c_.error(path, what);
      } else {
        const std::string rel = what.substr(0, colon);
        c_.error(path + (rel.front() == '[' ? "" : ".") + rel, what.substr(colon + 2));
      }
      return std::nullopt;
    }
  }

  std::optional<core::Network> read_network(const json& j, const std::string& path) {
    if (!c_.check_type(j, path, kString)) return std::nullopt;
    const auto name = j.get<std::string>();
    auto net = core::parse_network(name);
    if (!net) enum_error(path, "network", name, network_names());
    return net;
  }

  // A node name that must exist; records the error and returns false otherwise.
  bool known_node(const json& j, const std::string& path) {
    if (!c_.check_type(j, path, kString)) return false;
    const auto name = j.get<std::string>();
    if (node_paths_.count(name)) return true;
    c_.error(path, "no node named " + in_quotes(name) + did_you_mean(name, node_names_));
    return false;
  }

  std::vector<std::string> read_node_list(const json& arr, const std::string& path) {
    std::vector<std::string> out;
    if (arr.empty()) c_.error(path, "must name at least one node");
    std::set<std::string> seen;
    for (std::size_t k = 0; k < arr.size(); ++k) {
      if (!known_node(arr[k], index(path, k))) continue;
      const auto name = arr[k].get<std::string>();
      if (!seen.insert(name).second) c_.error(index(path, k), "node " + in_quotes(name) + " listed twice");
      else out.push_back(name);
    }
    return out;
  }

  void read_faults(const json& faults) {
    for (std::size_t i = 0; i < faults.size(); ++i) {
      auto f = read_fault(faults[i], index("$.faults", i));
      out_.config.faults.push_back(f.value_or(sim::FaultSpec{}));
    }
  }

  std::optional<sim::FaultSpec> read_fault(const json& j, const std::string& path) {
    if (!c_.check_type(j, path, kObject)) return std::nullopt;
    const auto kind_name = get_string(j, "kind");
    const FaultKindInfo* info = kind_name ? find_fault_kind(*kind_name) : nullptr;
    if (!info) {
      if (kind_name) enum_error(child(path, "kind"), "fault kind", *kind_name, fault_kind_names());
      // Still report typos and missing fields, against every field any fault takes.
      c_.check_object(j, path, all_fault_fields());
      return std::nullopt;
    }
    c_.check_object(j, path, info->fields, all_fault_fields(),
                    "does not apply to " + std::string(info->name) + " faults");
    sim::FaultSpec f;
    f.kind = info->kind;
    f.label = get_string(j, "label").value_or("");

    const auto at = get_number(j, "at_s");
    if (at) {
      f.at = core::at_seconds(*at);
      if (*at < 0) c_.error(child(path, "at_s"), "fault before time 0 (" + literal(j["at_s"]) + ")");
      else if (duration_s_ && *at >= *duration_s_)
        c_.error(child(path, "at_s"), "fault at " + literal(j["at_s"]) + " s is not before the end of the run (duration_s " +
                                          literal(json(*duration_s_)) + ")");
    }
    if (auto until = get_number(j, "until_s")) {
      f.until = core::at_seconds(*until);
      if (at && *until <= *at)
        c_.error(child(path, "until_s"), "must be after at_s (" + literal(j["until_s"]) + " <= " + literal(j["at_s"]) + ")");
      else if (duration_s_ && *until > *duration_s_)
        c_.error(child(path, "until_s"), literal(j["until_s"]) + " s is after the end of the run (duration_s " +
                                             literal(json(*duration_s_)) + "); leave until_s out for a fault that lasts to the end");
    }

    const json* node = get_field(j, "node");
    const json* nodes = get_field(j, "nodes");
    if (node && nodes) {
      c_.error(path, "give \"node\" or \"nodes\", not both");
    } else if (node) {
      if (known_node(*node, child(path, "node"))) f.nodes.push_back(node->get<std::string>());
    } else if (nodes && nodes->is_array()) {
      f.nodes = read_node_list(*nodes, child(path, "nodes"));
    } else if (info->needs_nodes) {
      c_.error(path, "missing required field \"node\" (or \"nodes\")");
    }

    if (const json* net = get_field(j, "network"); net && net->is_string()) {
      f.network = read_network(*net, child(path, "network"));
      if (f.network && f.kind == sim::FaultKind::NetworkDown)
        for (const auto& n : f.nodes) {
          const auto& attached = node_networks_[n];
          if (std::find(attached.begin(), attached.end(), *f.network) == attached.end())
            c_.error(child(path, "network"), "node " + in_quotes(n) + " is not attached to network " +
                                                 in_quotes(core::to_string(*f.network)));
        }
    }
    if (auto site = get_string(j, "site")) {
      f.site = *site;
      if (std::find(site_names_.begin(), site_names_.end(), *site) == site_names_.end())
        c_.error(child(path, "site"), "no site named " + in_quotes(*site) + did_you_mean(*site, site_names_));
    }
    if (const json* groups = get_field(j, "groups"); groups && groups->is_array()) read_groups(*groups, child(path, "groups"), f);
    if (auto fr = get_number(j, "fraction")) {
      if (*fr < 0 || *fr > 1) c_.error(child(path, "fraction"), "must be within [0, 1] (got " + literal(j["fraction"]) + ")");
      else f.fraction = *fr;
    }
    if (auto d = get_number(j, "delay_ms")) {
      if (*d <= 0) c_.error(child(path, "delay_ms"), "must be greater than 0 (got " + literal(j["delay_ms"]) + ")");
      else f.delay = core::from_seconds(*d / 1e3);
    }
    if (f.kind == sim::FaultKind::ProcessKill) read_process_kill(j, path, f);
    return f;
  }

  void read_process_kill(const json& j, const std::string& path, sim::FaultSpec& f) {
    if (!get_field(j, "node")) c_.error(child(path, "node"), "required for process-kill (the host whose process dies)");
    if (const json* p = get_field(j, "process"); !p) {
      c_.error(child(path, "process"), "required for process-kill");
    } else if (p->is_string()) {
      f.process = p->get<std::string>();
      if (f.process.empty()) c_.error(child(path, "process"), "must name a process (e.g. \"sshd\")");
    }
    f.crash_loop = get_bool(j, "crash_loop").value_or(false);
    if (f.until && !f.crash_loop)
      c_.error(child(path, "until_s"), "only a crash loop has an end: add \"crash_loop\": true, or leave until_s out "
                                       "(a plain kill is instantaneous)");
  }

  void read_groups(const json& groups, const std::string& path, sim::FaultSpec& f) {
    if (groups.size() != 2) {
      c_.error(path, "a partition needs exactly two groups of nodes (got " + std::to_string(groups.size()) + ")");
      return;
    }
    std::map<std::string, std::size_t> group_of;
    for (std::size_t g = 0; g < 2; ++g) {
      const std::string gpath = index(path, g);
      if (!c_.check_type(groups[g], gpath, kArray)) continue;
      f.groups.push_back(read_node_list(groups[g], gpath));
      for (const auto& n : f.groups.back())
        if (auto [it, fresh] = group_of.emplace(n, g); !fresh)
          c_.error(gpath, "node " + in_quotes(n) + " is in both groups");
    }
  }

  void read_expectations(const json& expect) {
    for (std::size_t i = 0; i < expect.size(); ++i)
      if (auto e = read_expectation(expect[i], index("$.expect", i))) out_.expectations.push_back(std::move(*e));
  }

  std::optional<Expectation> read_expectation(const json& j, const std::string& path) {
    if (j.is_object() && j.contains("fleet")) {
      if (!c_.check_object(j, path, kFleetExpectFields)) return std::nullopt;
      Expectation e;
      e.description = get_string(j, "description").value_or("");
      e.event = "fleet";
      if (const json* f = get_field(j, "fleet"); f && f->is_object())
        e.fleet = read_fleet_check(*f, child(path, "fleet"), c_, fleet_);
      if (!e.fleet) return std::nullopt;
      return e;
    }
    if (!c_.check_object(j, path, kExpectFields)) return std::nullopt;
    Expectation e;
    e.description = get_string(j, "description").value_or("");
    e.event = get_string(j, "event").value_or("");
    if (get_string(j, "event") && e.event.empty()) c_.error(child(path, "event"), "must not be empty");
    if (const json* node = get_field(j, "node"); node && node->is_string()) {
      e.node = node->get<std::string>();
      if (*e.node != kSimNode) known_node(*node, child(path, "node"));
    }
    if (const json* fields = get_field(j, "fields"); fields && fields->is_object())
      for (const auto& [key, value] : fields->items())
        if (auto m = read_matcher(key, value, child(child(path, "fields"), key))) e.fields.push_back(std::move(*m));
    if (const json* count = get_field(j, "count")) read_count(*count, child(path, "count"), e.count);
    if (const json* af = get_field(j, "after_fault")) e.after_fault = read_fault_ref(*af, child(path, "after_fault"));
    if (auto from = get_string(j, "from")) {
      if (*from == "end") e.from = FaultEdge::End;
      else if (*from != "start") enum_error(child(path, "from"), "fault edge", *from, {"start", "end"});
      if (!get_field(j, "after_fault")) c_.error(child(path, "from"), "needs \"after_fault\" (the fault whose edge it names)");
      if (e.from == FaultEdge::End && e.after_fault && !out_.config.faults[*e.after_fault].until)
        c_.error(child(path, "from"), "fault " + std::to_string(*e.after_fault) + " has no until_s, so it has no end");
    }
    if (const json* w = get_field(j, "within_s"); w && w->is_array()) {
      if (!get_field(j, "after_fault"))
        c_.error(child(path, "within_s"), "needs \"after_fault\" (the delay is measured from a fault)");
      const bool pair = w->size() == 2 && (*w)[0].is_number() && (*w)[1].is_number();
      if (!pair) {
        c_.error(child(path, "within_s"), "expected [lo, hi], two numbers of seconds");
      } else {
        const double lo = (*w)[0].get<double>(), hi = (*w)[1].get<double>();
        if (lo < 0) c_.error(child(path, "within_s"), "the delay cannot be negative (got " + literal(*w) + ")");
        else if (lo > hi) c_.error(child(path, "within_s"), "lo must not exceed hi (got " + literal(*w) + ")");
        else e.within_s = std::make_pair(lo, hi);
      }
    }
    return e;
  }

  std::optional<FieldMatcher> read_matcher(const std::string& key, const json& v, const std::string& path) {
    auto scalar = [](const json& x) { return x.is_string() || x.is_number() || x.is_boolean(); };
    if (scalar(v)) return FieldMatcher{key, FieldMatcher::Op::Equals, {v}};
    if (v.is_object() && v.size() == 1 && (v.contains("in") || v.contains("not_in"))) {
      const bool in = v.contains("in");
      const json& set = in ? v["in"] : v["not_in"];
      if (set.is_array() && !set.empty() && std::all_of(set.begin(), set.end(), scalar))
        return FieldMatcher{key, in ? FieldMatcher::Op::In : FieldMatcher::Op::NotIn, {set.begin(), set.end()}};
    }
    c_.error(path, "expected a string, number or boolean to match, or {\"in\": [...]} / {\"not_in\": [...]} "
                   "with a non-empty list of them; got " + json_type_name(v));
    return std::nullopt;
  }

  void read_count(const json& j, const std::string& path, CountRange& out) {
    if (j.is_number_integer()) {
      if (!j.is_number_unsigned()) return c_.error(path, "must not be negative (got " + literal(j) + ")");
      out.min = j.get<std::uint64_t>();
      out.max = out.min;
      return;
    }
    if (!c_.check_object(j, path, kCountFields)) return;
    if (j.empty()) return c_.error(path, "give \"min\", \"max\" or both");
    out.min = 0;
    out.max.reset();
    for (const char* key : {"min", "max"}) {
      const json* v = get_field(j, key);
      if (!v || !v->is_number_integer()) continue;
      if (!v->is_number_unsigned()) {
        c_.error(child(path, key), "must not be negative (got " + literal(*v) + ")");
        continue;
      }
      if (std::string_view(key) == "min") out.min = v->get<std::uint64_t>();
      else out.max = v->get<std::uint64_t>();
    }
    if (out.max && out.min > *out.max)
      c_.error(path, "min (" + std::to_string(out.min) + ") exceeds max (" + std::to_string(*out.max) + ")");
  }

  // The HA invariants judge one controller pair: the scenario must have one.
  void read_ha_check(const json& j) {
    if (!c_.check_object(j, "$.ha_check", kHaCheckFields)) return;
    if (auto mode = get_string(j, "mode")) {
      if (auto m = parse_ha_mode(*mode)) out_.ha_check = *m;
      else enum_error("$.ha_check.mode", "HA check mode", *mode, {"safety", "liveness"});
    }
    std::size_t controllers = 0;
    for (const auto& site : out_.config.sites)
      for (const auto& n : site.nodes) controllers += n.node.role == kControllerRole ? 1 : 0;
    if (controllers != 2)
      c_.error("$.ha_check", "needs exactly two nodes of role \"" + std::string(kControllerRole) + "\" (found " +
                                 std::to_string(controllers) + ")");
  }

  // A fault by index, or by its label.
  std::optional<std::size_t> read_fault_ref(const json& j, const std::string& path) {
    const auto& faults = out_.config.faults;
    if (j.is_number_integer()) {
      const auto n = faults.size();
      if (j.is_number_unsigned() && j.get<std::uint64_t>() < n) return j.get<std::size_t>();
      c_.error(path, "no fault with index " + literal(j) + " (the scenario has " + std::to_string(n) +
                         (n == 1 ? " fault" : " faults") + (n ? ", indexed from 0)" : ")"));
      return std::nullopt;
    }
    if (!j.is_string()) return std::nullopt;
    const auto label = j.get<std::string>();
    std::vector<std::string> labels;
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < faults.size(); ++i) {
      if (!faults[i].label.empty()) labels.push_back(faults[i].label);
      if (faults[i].label == label) hits.push_back(i);
    }
    if (hits.size() == 1) return hits[0];
    if (hits.empty()) c_.error(path, "no fault labelled " + in_quotes(label) + did_you_mean(label, labels));
    else c_.error(path, "several faults are labelled " + in_quotes(label) + "; use an index");
    return std::nullopt;
  }

  const core::RoleRegistry& roles_;
  JsonChecker& c_;
  std::optional<std::uint64_t> seed_override_;
  Scenario out_;
  std::optional<double> duration_s_;
  sim::LinkSpec lan_ = default_lan();
  sim::LinkSpec wan_ = default_wan();
  std::map<std::string, std::string> node_paths_;  // name -> where it was declared
  std::vector<std::string> node_names_;
  std::map<std::string, std::vector<core::Network>> node_networks_;
  std::vector<std::string> site_names_;
  std::vector<std::pair<std::string, std::string>> floating_paths_;  // every site's floating names, with paths
  std::shared_ptr<FleetPlan> fleet_;
};

// The last word belongs to the simulation, which builds every node once: that is where a role judges its
// own "config". Its message names the node; the error is filed under that node's config.
void check_with_simulation(const Scenario& s, const core::RoleRegistry& roles, JsonChecker& check) {
  sim::SimConfig copy = s.config;
  try {
    sim::normalize_and_validate(copy, roles);
  } catch (const std::invalid_argument& e) {
    std::string message = e.what();
    const std::string_view prefix = "simulation config: ";
    if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
    std::string path = "$";
    // The fleet's sites come after the explicit ones: a complaint about one of its nodes is the fleet's.
    const std::size_t explicit_sites = s.fleet ? s.fleet->first_site : s.config.sites.size();
    for (std::size_t i = 0; i < s.config.sites.size(); ++i)
      for (std::size_t k = 0; k < s.config.sites[i].nodes.size(); ++k) {
        const std::string& name = s.config.sites[i].nodes[k].node.name;
        if (path == "$" && message.find("node '" + name + "'") != std::string::npos)
          path = i < explicit_sites ? child(index(child(index("$.sites", i), "nodes"), k), "config") : "$.fleet";
      }
    check.error(path, message);
  }
}

}  // namespace

LoadResult parse_scenario(std::string_view text, std::string file, const core::RoleRegistry& roles,
                          std::optional<std::uint64_t> seed) {
  LoadResult result;
  result.file = std::move(file);
  JsonChecker check;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, column] = line_column(text, e.byte > 0 ? e.byte - 1 : 0);
    check.syntax_error(line, column, "invalid JSON: " + parse_error_text(e));
    result.errors = check.errors();
    return result;
  }
  Scenario s = ScenarioReader(roles, check, seed).read(doc);
  if (check.ok()) check_with_simulation(s, roles, check);
  result.errors = check.errors();
  if (result.errors.empty()) {
    s.meta.file = result.file;
    result.scenario = std::move(s);
  }
  return result;
}

LoadResult load_scenario(const std::filesystem::path& file, const core::RoleRegistry& roles,
                         std::optional<std::uint64_t> seed) {
  std::error_code ec;
  const bool dir = std::filesystem::is_directory(file, ec);
  std::ifstream in;
  if (!dir) in.open(file, std::ios::binary);
  if (dir || !in) {
    LoadResult r;
    r.file = file.string();
    const bool exists = std::filesystem::exists(file, ec);
    r.errors.push_back({"", dir ? "is a directory, not a scenario file"
                                : exists ? "cannot read the file (permission denied?)" : "no such file"});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), file.string(), roles, seed);
}

}  // namespace roost::harness
