// Role "controller": the system controller's management node for its hosts — inventory (sysinv),
// maintenance with heartbeat and recovery (mtcAgent + hbsAgent), the hardware monitor (hwmond), and the
// inventory's REST API (/v1/isystems, /v1/ihosts on port 6385 by default, on the OAM network).
// Hosts and the system record are durable (Env::resource<inv::HostStore>()); alarms go to the FM node
// through an FmClient.
//
// Config:
//   {"fm_node": "fm",                          required
//    "fm_client": {...FmClientConfig...},
//    "system": {...System fields...},          used when the store has no system record yet
//    "hosts": [{...HostInput...}, ...],        added when the store has no hosts yet (a lab's or scenario's
//                                              initial inventory; "administrative": "unlocked" allowed)
//    "maintenance": {...MaintenanceConfig..., "heartbeat": {...HeartbeatConfig...}},
//    "hwmon": {...SensorMonitorConfig...},
//    "rest_port": 6385, "rest_network": "oam"}   rest_port 0: no REST API
#pragma once

#include <memory>

#include "platform/core/node.h"
#include "platform/fm/fm_client.h"
#include "platform/inv/inventory.h"
#include "platform/mtce/host_maintenance.h"
#include "platform/mtce/sensor_monitor.h"

namespace roost::inv {
class InventoryRestApi;
}

namespace roost::mtce {

class ControllerNode final : public core::Node {
 public:
  ControllerNode(core::Env& env, const core::NodeSpec& spec);
  ~ControllerNode() override;
  void start() override;

  // Null before start().
  inv::Inventory* inventory() { return inventory_.get(); }
  HostMaintenance* maintenance() { return maintenance_.get(); }
  SensorMonitor* sensors() { return sensors_.get(); }

 private:
  nlohmann::json config_;
  std::unique_ptr<fm::FmClient> fm_;
  std::unique_ptr<inv::Inventory> inventory_;
  std::unique_ptr<HostMaintenance> maintenance_;
  std::unique_ptr<SensorMonitor> sensors_;
  std::shared_ptr<inv::InventoryRestApi> rest_;
  std::shared_ptr<core::HttpRouter> router_;
};

}  // namespace roost::mtce
