// Role "host-agent": maintenance's agent on every host (StarlingX's mtcClient + hbsClient + pmond).
// It answers heartbeat pulses on every network, tells the controllers it is alive (MtcAlive every
// mtcalive_period and at once on any change), reports its machine's inventory when asked, carries out
// the controller's commands (a reboot over the network), and monitors its processes (process_monitor.h),
// raising 200.006 through its own FmClient.
//
// Config (every key optional but "controllers"):
//   {"controllers": ["controller-0", "controller-1"], "mtcalive_period_ms": 5000,
//    "fm_node": "fm", "fm_client": {...FmClientConfig keys...}, "processes": [...ProcessMonitorConfig...]}
// "fm_node" is required when "processes" is not empty.
#pragma once

#include "platform/sm/witness.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/core/node.h"
#include "platform/fm/fm_client.h"
#include "platform/mtce/messages.h"
#include "platform/mtce/process_monitor.h"

namespace roost::mtce {

struct HostAgentConfig {
  std::vector<std::string> controllers;
  core::Duration mtcalive_period = core::seconds(5);
  std::optional<fm::FmClientConfig> fm;
  ProcessMonitorConfig processes;
  // Throws std::invalid_argument naming the bad key.
  static HostAgentConfig from_json(const nlohmann::json& j);
};

class HostAgent final : public core::Node {
 public:
  HostAgent(core::Env& env, const core::NodeSpec& spec);
  ~HostAgent() override;
  void start() override;

  std::uint64_t boot_id() const { return boot_id_; }
  const ProcessMonitor* processes() const { return pmon_.get(); }

 private:
  void send_alive();
  void tick();
  void on_command(const HostCommand& m, core::Responder<HostCommandReply> reply);

  HostAgentConfig config_;
  std::uint64_t boot_id_ = 0;
  std::uint64_t seq_ = 0;
  core::TimePoint started_{};
  std::unique_ptr<fm::FmClient> fm_;
  std::unique_ptr<ProcessMonitor> pmon_;
  // Every host is a witness for the controller pair's service managers (platform/sm/witness.h).
  sm::WitnessResponder witness_{*this};
  bool rebooting_ = false;
};

}  // namespace roost::mtce
