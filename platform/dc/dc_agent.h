// Role "dc-agent": a subcloud's side of the distributed cloud (StarlingX dcagent + the subcloud end of dcorch's
// sync and of the deploy). It answers the system controller's audits from a cache it refreshes every cache_ms
// (the subcloud's alarm summary from its FM node, its hosts' availability from its controller when it can ask
// it), runs deploy phases through a DeployPlugin (the simulated one: triangular durations and a failure rate
// drawn from Env::rng), and applies sync pushes after sync_ms.
//
// Config (every key optional):
//   {"fm_node": "<the subcloud's FM node>",          none: no alarm summary (alarms_known false)
//    "controller_node": "<its controller node>",     none: availability is "online" while the agent is up
//    "network": "mgmt",                              for the calls to those two
//    "cache_ms": 30000, "gather_timeout_ms": 5000, "sync_ms": 1000,
//    "deploy": {"install": {"min_s", "mode_s", "max_s", "failure_rate"}, "bootstrap": {...}, "config": {...}}}
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/node.h"
#include "platform/dc/messages.h"
#include "platform/dc/subcloud.h"

namespace roost::dc {

// How one deploy phase's duration and outcome are drawn in the simulated plugin.
struct PhaseModel {
  double min_s = 0, mode_s = 0, max_s = 0;
  double failure_rate = 0;
};

// What runs a deploy phase. The simulated plugin waits a drawn duration and fails with a drawn chance; a real
// fleet's plugin would drive the install/bootstrap/config tooling and call `done` the same way.
class DeployPlugin {
 public:
  virtual ~DeployPlugin() = default;
  // Calls done(ok, error, duration_s) once, later (never inside run()).
  virtual void run(DeployPhase phase, std::function<void(bool, std::string, double)> done) = 0;
};

class SimulatedDeployPlugin final : public DeployPlugin {
 public:
  SimulatedDeployPlugin(core::Node& node, std::array<PhaseModel, 3> models) : node_(node), models_(models) {}
  void run(DeployPhase phase, std::function<void(bool, std::string, double)> done) override;

 private:
  core::Node& node_;
  std::array<PhaseModel, 3> models_;  // install, bootstrap, config
};

struct DcAgentConfig {
  std::string fm_node;
  std::string controller_node;
  core::Network network = core::Network::Management;
  core::Duration cache_period = core::seconds(30);
  core::Duration gather_timeout = core::seconds(5);
  core::Duration sync_delay = core::seconds(1);
  std::array<PhaseModel, 3> deploy{PhaseModel{1200, 1800, 2700, 0}, PhaseModel{900, 1200, 1800, 0},
                                   PhaseModel{600, 900, 1500, 0}};
  // Throws std::invalid_argument naming the key ("dc-agent config: deploy.install.max_s: ...").
  static DcAgentConfig from_json(const nlohmann::json& j);
};

class DcAgent final : public core::Node {
 public:
  DcAgent(core::Env& env, const core::NodeSpec& spec);
  ~DcAgent() override;
  void start() override;

  std::uint64_t revision(std::size_t endpoint) const { return revisions_.at(endpoint); }
  std::uint64_t instance() const { return instance_; }
  bool cache_valid() const { return cache_valid_; }

 private:
  void refresh();
  void gathered();
  AuditReply answer() const;

  DcAgentConfig config_;
  std::unique_ptr<DeployPlugin> plugin_;
  std::array<std::uint64_t, kEndpointCount> revisions_;
  std::uint64_t instance_ = 0;
  // The cache: what the last refresh found.
  bool cache_valid_ = false;
  core::TimePoint cache_at_{};
  AlarmSummary alarms_;
  bool alarms_known_ = false;
  std::vector<HostStatus> hosts_;
  bool hosts_known_ = false;
  // A refresh under way: how many of its calls are outstanding, and the audits waiting for the first one.
  int gathering_ = 0;
  std::vector<core::Responder<AuditReply>> waiting_;
  bool deploying_ = false;
};

}  // namespace roost::dc
