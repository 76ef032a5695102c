#include "platform/mtce/heartbeat_controller.h"

#include <stdexcept>

namespace roost::mtce {
namespace {

std::vector<std::string> hosts_of(const nlohmann::json& config) {
  if (!config.is_object() || !config.contains("hosts") || !config["hosts"].is_array())
    throw std::invalid_argument("heartbeat config: 'hosts' must be an array of node names");
  std::vector<std::string> hosts;
  for (const auto& h : config["hosts"]) {
    if (!h.is_string()) throw std::invalid_argument("heartbeat config: 'hosts' must hold strings");
    hosts.push_back(h.get<std::string>());
  }
  return hosts;
}

nlohmann::json without_hosts(nlohmann::json config) {
  config.erase("hosts");
  return config;
}

}  // namespace

HeartbeatController::HeartbeatController(core::Env& env, core::NodeSpec spec)
    : Node(env, std::move(spec)), monitor_(*this, HeartbeatConfig::from_json(without_hosts(this->spec().config))) {
  for (const auto& h : hosts_of(this->spec().config)) monitor_.add_host(h);
}

void HeartbeatController::start() {
  const auto& c = monitor_.config();
  log().info("hbs.started", {{"period_ms", core::to_millis(c.period)},
                             {"minor", c.minor_threshold},
                             {"degrade", c.degrade_threshold},
                             {"fail", c.fail_threshold}});
  monitor_.start();
}

}  // namespace roost::mtce
