#include "tests/support/maintenance_lab.h"

namespace roost::testing {

std::string worker_name(int i) { return "worker-" + std::to_string(i); }

nlohmann::json controller_config(const MaintenanceLabSpec& spec) {
  nlohmann::json hosts = nlohmann::json::array();
  for (int i = 0; i < spec.workers; ++i) {
    char mac[32];
    std::snprintf(mac, sizeof mac, "52:54:00:00:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
    hosts.push_back({{"hostname", worker_name(i)},
                     {"personality", "worker"},
                     {"administrative", "unlocked"},
                     {"mgmt_mac", mac},
                     {"location", {{"locality", "lab rack 1"}}}});
  }
  nlohmann::json maintenance = {{"soak_s", spec.soak_s},
                                {"graceful_recovery_s", spec.graceful_recovery_s},
                                {"bmc_reset_delay_s", spec.bmc_reset_delay_s}};
  maintenance.update(spec.extra_maintenance);
  return {{"fm_node", "fm"},
          {"system", {{"name", "lab"}, {"system_mode", "duplex"}}},
          {"hosts", hosts},
          {"maintenance", maintenance}};
}

nlohmann::json agent_config(const MaintenanceLabSpec& spec) {
  nlohmann::json c = {{"controllers", {"controller-0"}}, {"mtcalive_period_ms", spec.mtcalive_period_ms}};
  if (!spec.worker_processes.empty()) {
    c["fm_node"] = "fm";
    c["processes"] = spec.worker_processes;
  }
  return c;
}

std::vector<LabNode> maintenance_lab_nodes(const MaintenanceLabSpec& spec) {
  std::vector<LabNode> nodes{{"fm", "fm", "ctl", nlohmann::json::object()},
                             {"controller-0", "controller", "ctl", controller_config(spec)}};
  for (int i = 0; i < spec.workers; ++i)
    nodes.push_back({worker_name(i), "host-agent", worker_name(i), agent_config(spec), "lab",
                     {core::Network::Management, core::Network::ClusterHost}});
  return nodes;
}

sim::SimConfig maintenance_lab_sim(const MaintenanceLabSpec& spec, std::uint64_t seed, core::Duration duration) {
  sim::SimConfig cfg;
  cfg.seed = seed;
  cfg.duration = duration;
  sim::SiteSpec site;
  site.name = "lab";
  site.lan.latency = core::microseconds(100);
  site.nodes.push_back({{"fm", "fm", "lab", {{"rest_port", 0}}}});
  site.nodes.push_back({{"controller-0", "controller", "lab", controller_config(spec)}});
  for (int i = 0; i < spec.workers; ++i) {
    sim::SimNodeSpec w{{worker_name(i), "host-agent", "lab", agent_config(spec)}};
    w.networks = {core::Network::Management, core::Network::ClusterHost};
    site.nodes.push_back(w);
  }
  cfg.sites.push_back(site);
  return cfg;
}

}  // namespace roost::testing
