#include "platform/mtce/controller_node.h"

#include <stdexcept>

#include "platform/core/config_reader.h"
#include "platform/dc/host_status.h"
#include "platform/fm/uuid.h"
#include "platform/inv/rest_api.h"

namespace roost::mtce {
namespace {

struct ControllerConfig {
  fm::FmClientConfig fm;
  nlohmann::json system = nlohmann::json::object();
  nlohmann::json hosts = nlohmann::json::array();
  MaintenanceConfig maintenance;
  HeartbeatConfig heartbeat;
  SensorMonitorConfig hwmon;
  std::uint16_t rest_port = 6385;
  core::Network rest_network = core::Network::Oam;
};

ControllerConfig parse(const nlohmann::json& j) {
  core::ConfigReader r("controller config", j);
  ControllerConfig c;
  nlohmann::json fm = r.has("fm_client") ? r.raw("fm_client") : nlohmann::json::object();
  if (!fm.is_object()) r.fail("fm_client", "must be an object");
  if (!r.has("fm_node")) r.fail("fm_node", "required: the FM node that keeps this controller's alarms");
  fm["fm_node"] = r.string("fm_node", "");
  c.fm = fm::FmClientConfig::from_json(fm);
  if (r.has("system")) {
    if (!r.raw("system").is_object()) r.fail("system", "must be an object");
    c.system = r.raw("system");
    try {
      inv::system_from_json(c.system);
    } catch (const std::invalid_argument& e) {
      r.fail("system", e.what());
    }
  }
  if (r.has("hosts")) {
    if (!r.raw("hosts").is_array()) r.fail("hosts", "must be an array of hosts");
    c.hosts = r.raw("hosts");
    for (std::size_t i = 0; i < c.hosts.size(); ++i) {  // a bad host is a config error, not a failed start
      try {
        inv::host_input_from_json(c.hosts[i]);
      } catch (const std::invalid_argument& e) {
        r.fail("hosts[" + std::to_string(i) + "]", e.what());
      }
    }
  }
  try {
    const auto& m = r.raw("maintenance");
    c.maintenance = MaintenanceConfig::from_json(m.is_null() ? nlohmann::json::object() : m);
    if (m.is_object() && m.contains("heartbeat")) c.heartbeat = HeartbeatConfig::from_json(m["heartbeat"]);
    const auto& h = r.raw("hwmon");
    c.hwmon = SensorMonitorConfig::from_json(h.is_null() ? nlohmann::json::object() : h);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("controller config: ") + e.what());
  }
  c.rest_port = static_cast<std::uint16_t>(r.integer("rest_port", c.rest_port, 0, 65535));
  const auto net = r.string("rest_network", "oam");
  const auto parsed = core::parse_network(net);
  if (!parsed) r.fail("rest_network", "'" + net + "' is not one of mgmt, cluster-host, oam, wan");
  c.rest_network = *parsed;
  r.finish();
  return c;
}

}  // namespace

ControllerNode::ControllerNode(core::Env& env, const core::NodeSpec& spec) : Node(env, spec), config_(spec.config) {
  parse(config_);  // reject a bad config at construction: the runtime reports it at the node's config path
}

ControllerNode::~ControllerNode() {
  rest_.reset();
  maintenance_.reset();
  sensors_.reset();
}

void ControllerNode::start() {
  const ControllerConfig c = parse(config_);
  auto store = env().resource<inv::HostStore>();
  if (!store)
    throw std::runtime_error("controller " + name() + ": this runtime keeps no durable host store for it "
                             "(Env::resource<inv::HostStore>() is null)");
  fm_ = std::make_unique<fm::FmClient>(*this, c.fm);
  inv::Inventory::Deps deps;
  deps.store = store;
  deps.make_uuid = [this] { return fm::make_uuid(rng()); };
  deps.wall_us = [this] { return env().wall_time_us(); };
  deps.log = &log();
  inventory_ = std::make_unique<inv::Inventory>(
      deps, inv::Inventory::Listener{[this](const inv::Host& h) {
                                       if (maintenance_) maintenance_->host_added(h);
                                       if (sensors_) sensors_->watch(h);
                                     },
                                     [this](const inv::Host& h) {
                                       if (maintenance_) maintenance_->host_removed(h);
                                       if (sensors_) sensors_->unwatch(h.hostname);
                                     }});
  inv::System initial;
  try {
    initial = inv::system_from_json(c.system);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("controller config: system: ") + e.what());
  }
  if (initial.uuid.empty()) initial.uuid = fm::make_uuid(rng());
  inventory_->load(initial);

  maintenance_ = std::make_unique<HostMaintenance>(*this, *inventory_, *fm_, c.maintenance, c.heartbeat);
  sensors_ = std::make_unique<SensorMonitor>(*this, c.hwmon, *fm_, [this](const std::string& host) {
    maintenance_->availability_inputs_changed(host);
  });
  maintenance_->set_degrade_source([this](const std::string& host) { return sensors_->degrades(host); });
  if (inventory_->hosts().empty()) {  // a fresh store: the configured initial inventory
    for (std::size_t i = 0; i < c.hosts.size(); ++i) {
      inv::HostInput in;
      try {
        in = inv::host_input_from_json(c.hosts[i]);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("controller config: hosts[" + std::to_string(i) + "]: " + e.what());
      }
      auto added = inventory_->add(in);
      if (!added) throw std::invalid_argument("controller config: hosts[" + std::to_string(i) + "]: " + added.error().message);
    }
  }
  maintenance_->start();
  for (const inv::Host* h : inventory_->hosts()) sensors_->watch(*h);
  // A subcloud's dc-agent reports its hosts' availability to the system controller's audit (docs/dc.md).
  dc::serve_host_status(*this, [this] {
    std::vector<dc::HostStatus> out;
    for (const inv::Host* h : inventory_->hosts())
      out.push_back({h->hostname, std::string(inv::to_string(h->personality)), std::string(inv::to_string(h->availability))});
    return out;
  });
  if (c.rest_port != 0) {
    rest_ = std::make_shared<inv::InventoryRestApi>(*inventory_, *maintenance_);
    router_ = std::make_shared<core::HttpRouter>();
    rest_->add_routes(*router_);
    env().serve_http(c.rest_network, c.rest_port, router_);
  }
  log().info("controller.ready", {{"hosts", static_cast<std::int64_t>(inventory_->hosts().size())},
                                  {"rest_port", c.rest_port}});
}

}  // namespace roost::mtce
