// Role "heartbeat-controller": a controller node that heartbeats a fixed list of hosts with a
// HeartbeatMonitor (config: "hosts" plus any HeartbeatConfig key). It is the monitor on its own, for
// scenarios and labs that exercise heartbeat and MNFA; the maintenance agent (inventory-driven hosts,
// alarms, recovery) hosts the same monitor.
#pragma once

#include "platform/mtce/heartbeat_monitor.h"

namespace roost::mtce {

class HeartbeatController : public core::Node {
 public:
  HeartbeatController(core::Env& env, core::NodeSpec spec);
  void start() override;
  const HeartbeatMonitor& monitor() const { return monitor_; }

 private:
  HeartbeatMonitor monitor_;
};

}  // namespace roost::mtce
