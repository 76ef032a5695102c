#include "platform/roles.h"

#include "platform/dc/dc_agent.h"
#include "platform/dc/dc_manager.h"
#include "platform/mtce/controller_node.h"
#include "platform/mtce/heartbeat_controller.h"
#include "platform/mtce/host_agent.h"
#include "platform/fm/alarm_generator.h"
#include "platform/fm/fm_node.h"
#include "platform/mtce/pulse.h"
#include "platform/sm/composite_node.h"
#include "platform/sm/ha_probe.h"
#include "platform/sm/service_manager.h"

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
  r.add("ha-probe", factory<sm::HaProbe>());            // HA tests: writes through the floating name, swacts
  r.add("dc-manager", factory<dc::DcManager>());        // the system controller's distributed cloud (docs/dc.md)
  r.add("dc-agent", factory<dc::DcAgent>());            // a subcloud's side of it
  // One per controller of a 1+1 pair; runs the controller services above as nested nodes while active.
  r.add("sm-controller", [](core::Env& env, const core::NodeSpec& spec) -> std::unique_ptr<core::Node> {
    return std::make_unique<sm::ServiceManager>(env, spec, [](core::Env& e, const core::NodeSpec& s) { return roles().make(e, s); });
  });
  // Several roles on one host (a simplex subcloud controller: fm + controller + host-agent + dc-agent).
  r.add("composite", [](core::Env& env, const core::NodeSpec& spec) -> std::unique_ptr<core::Node> {
    return std::make_unique<sm::CompositeNode>(env, spec, [](core::Env& e, const core::NodeSpec& s) { return roles().make(e, s); });
  });
  return r;
}
}  // namespace

const core::RoleRegistry& roles() {
  static const core::RoleRegistry registry = build();
  return registry;
}

}  // namespace roost::platform
