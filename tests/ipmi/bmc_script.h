// "bmc-script": a test role that drives one BMC through the hardware seam, one step after another, and
// logs what it got. The same node runs on both runtimes (the contract test) and in the simulation tests.
//
//   config: {"bmc": {"host": "worker-0", "address": "127.0.0.1", "port": 623, "user": "admin",
//                    "password": "secret", "protocol": "ipmi"},          (all but host optional)
//            "steps": [{"op": "status"}, {"op": "sensors"}, {"op": "reset", "after_s": 0.5}, ...]}
//   ops: status, sensors, power-on, power-off, reset, power-cycle; "after_s" waits that long after the
//   previous step finished (from start() for the first).
//
//   logs: script.result {step, op, ok, state (status), sensors (sensors), error, detail (failures)}
//         script.sensor {step, name, type, unit, status, value?, lnr?, lcr?, lnc?, unc?, ucr?, unr?}
//         script.done   {steps}
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "platform/core/hardware.h"
#include "platform/core/node.h"

namespace roost::testing {

class BmcScript : public core::Node {
 public:
  BmcScript(core::Env& env, core::NodeSpec spec);
  void start() override;

 private:
  struct Step {
    std::string op;
    core::Duration after{};
  };
  void next();
  void run(std::size_t i);
  void failed(std::size_t i, const core::BmcError& e);

  core::BmcEndpoint endpoint_;
  std::vector<Step> steps_;
  std::shared_ptr<core::Bmc> bmc_;
  std::size_t at_ = 0;
};

// Every platform role plus "bmc-script".
const core::RoleRegistry& bmc_test_roles();

// The endpoint as the script's config writes it.
nlohmann::json endpoint_json(const core::BmcEndpoint& e);

}  // namespace roost::testing
