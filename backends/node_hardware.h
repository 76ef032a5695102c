// NodeHardware: the hardware one hosted node reaches on the real runtime (NodeHost::hardware()). BMCs
// are driven with ipmitool child processes on the runtime's io_context (backends/ipmi); the machine's
// own processes (the process monitor's) are children of roostd (backends/process_control). Every
// completion goes through the node's guard: it runs only while the incarnation that started the
// operation lives, and an exception out of it crashes that node only, like any other callback.
#pragma once

#include <functional>
#include <memory>

#include "backends/ipmi/ipmi_bmc.h"
#include "backends/ipmi/process_runner.h"
#include "backends/process_control.h"
#include "platform/core/hardware.h"

namespace boost::asio {
class io_context;
}

namespace roost::backends {

class NodeHardware final : public core::HardwareAccess {
 public:
  // Runs its argument now if the node incarnation it was made for still lives, else drops it.
  using Guard = std::function<void(std::function<void()>)>;
  // Makes the guard of the node's current incarnation (called when an operation starts).
  using GuardFactory = std::function<Guard()>;

  NodeHardware(boost::asio::io_context& io, GuardFactory guard, ipmi::IpmiOptions options,
               ipmi::IpmiBmc::Observer observer = {});
  ~NodeHardware() override;  // kills and reaps the ipmitool and monitored children still running

  std::shared_ptr<core::Bmc> bmc(const core::BmcEndpoint& endpoint) override;
  // Guarded like the BMCs' completions. A process whose `started` cannot be delivered (the incarnation
  // that asked is gone) is stopped: nobody would ever watch it.
  core::ProcessControl& processes() override;
  // This machine, read from /proc and /sys (os_inventory.h) on every call.
  std::variant<core::MachineInventory, std::string> machine_inventory() override;

  const ipmi::ProcessRunner& ipmi_runner() const { return runner_; }
  const ProcessControl& process_control() const { return process_control_; }

 private:
  boost::asio::io_context& io_;
  GuardFactory guard_;
  ipmi::IpmiOptions options_;
  ipmi::IpmiBmc::Observer observer_;
  ipmi::ProcessRunner runner_;
  ProcessControl process_control_;
  std::unique_ptr<core::ProcessControl> guarded_processes_;  // process_control_ behind the guard
};

}  // namespace roost::backends
