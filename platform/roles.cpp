#include "platform/roles.h"

#include "platform/mtce/controller_node.h"
#include "platform/mtce/heartbeat_controller.h"
#include "platform/mtce/host_agent.h"
#include "platform/fm/alarm_generator.h"
#include "platform/fm/fm_node.h"
#include "platform/mtce/pulse.h"

namespace roost::platform {

namespace {
template <class N>
core::RoleRegistry::Factory factory() {
  return [](core::Env& env, const core::NodeSpec& spec) { return std::make_unique<N>(env, spec); };
}

core::RoleRegistry build() {
  core::RoleRegistry r;
  r.add("pulse-controller", factory<mtce::PulseMonitor>());
  r.add("pulse-host", factory<mtce::PulseResponder>());  // answers pulse and heartbeat controllers alike
  r.add("heartbeat-controller", factory<mtce::HeartbeatController>());
  r.add("fm", factory<fm::FmNode>());
  r.add("alarm-generator", factory<fm::AlarmGenerator>());
  r.add("controller", factory<mtce::ControllerNode>());  // inventory + maintenance + hwmon + REST
  r.add("host-agent", factory<mtce::HostAgent>());       // every managed host
  return r;
}
}  // namespace

const core::RoleRegistry& roles() {
  static const core::RoleRegistry registry = build();
  return registry;
}

}  // namespace roost::platform
