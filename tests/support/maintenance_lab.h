// The maintenance lab, one definition for both runtimes: an FM node and a controller (role
// "controller": inventory + maintenance + heartbeat) on one machine, and N workers running the host
// agent. Used by the maintenance contract test, the real-lab alarm tests and the detection benchmark.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config.h"
#include "tests/support/lab_layout.h"

namespace roost::testing {

struct MaintenanceLabSpec {
  int workers = 2;
  double soak_s = 3;                 // StarlingX's 11 s is the default; labs shorten it to keep tests quick
  double graceful_recovery_s = 5;
  double bmc_reset_delay_s = 300;
  int mtcalive_period_ms = 1000;
  nlohmann::json worker_processes = nlohmann::json::array();  // the agents' monitored processes
  nlohmann::json extra_maintenance = nlohmann::json::object();  // merged into "maintenance"
};

std::string worker_name(int i);  // "worker-0", ...

nlohmann::json controller_config(const MaintenanceLabSpec& spec);
nlohmann::json agent_config(const MaintenanceLabSpec& spec);

// Real: process "ctl" hosts fm + controller-0; each worker is its own process named as the worker.
std::vector<LabNode> maintenance_lab_nodes(const MaintenanceLabSpec& spec);

// Simulation: one site "lab" with the same nodes (LAN latency 100 us), no faults yet.
sim::SimConfig maintenance_lab_sim(const MaintenanceLabSpec& spec, std::uint64_t seed, core::Duration duration);

}  // namespace roost::testing
