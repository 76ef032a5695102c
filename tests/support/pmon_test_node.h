// Test-only role "pmon-test": a host that runs only a ProcessMonitor (and the FmClient its 200.006
// goes through), for the process-monitor tests on both runtimes. Optionally it asks the FM node for
// the active 200.006 alarms every `probe_ms` and logs what it hears, so a simulation's trace shows the
// FM's own state (the simulation returns nothing but the trace).
//
// Config: {"fm_node": "fm", "processes": [...ProcessMonitorConfig...], "probe_ms": 250 (optional)}
// Logs: pmon_test.fm_alarms {count, severity ("" when none)} after each probe.
#pragma once

#include <memory>
#include <string>

#include "platform/core/node.h"
#include "platform/fm/fm_client.h"
#include "platform/mtce/process_monitor.h"

namespace roost::testing {

class PmonTestNode final : public core::Node {
  // Declared first: the client below is built from it.
  std::string fm_node_;
  core::Duration probe_;

 public:
  PmonTestNode(core::Env& env, const core::NodeSpec& spec)
      : core::Node(env, spec),
        fm_node_(spec.config.at("fm_node").get<std::string>()),
        probe_(core::milliseconds(spec.config.value("probe_ms", 0))),
        fm(*this, fm::FmClientConfig{.fm_node = fm_node_}),
        monitor(*this, mtce::ProcessMonitorConfig::from_json(spec.config.at("processes")), fm) {}

  void start() override {
    monitor.start();
    if (probe_.count() > 0) after(probe_, [this] { probe(); });
  }

  fm::FmClient fm;
  mtce::ProcessMonitor monitor;

 private:
  void probe() {
    call<fm::GetFaults>(fm_node_, core::Network::Management, fm::GetFaults{"200.006", ""}, core::seconds(1),
                        [this](core::Result<fm::GetFaults::Response> r) {
                          if (r.ok())
                            log().info("pmon_test.fm_alarms",
                                       {{"count", r->alarms.size()},
                                        {"severity", r->alarms.empty() ? std::string()
                                                                       : std::string(fm::to_string(r->alarms[0].severity))}});
                          after(probe_, [this] { probe(); });
                        });
  }
};

inline void add_pmon_test_role(core::RoleRegistry& roles) {
  roles.add("pmon-test", [](core::Env& env, const core::NodeSpec& spec) { return std::make_unique<PmonTestNode>(env, spec); });
}

}  // namespace roost::testing
