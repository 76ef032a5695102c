// IpmiBmc: the real runtime's core::Bmc, IPMI 2.0 over LAN through `ipmitool -I lanplus`, run as a child
// process per operation (docs/hardware.md says why a tool and not a library). Operations of one IpmiBmc
// run one at a time, in order (BMCs serve few sessions at once). The password never appears on a
// command line: ipmitool gets -E and finds it in IPMI_PASSWORD, in the child's environment only.
//
//   ipmitool -I lanplus -H <address> -p <port> -U <user> -E -C 3 -N <s> -R <n> -v chassis power status
//
// `-C 3` (cipher suite 3: HMAC-SHA1, AES-128) is what BMCs commonly accept; without it ipmitool first
// tries suites a BMC may ignore and stalls for seconds. `-v` makes stderr say why a session failed.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/ipmi/process_runner.h"
#include "platform/core/hardware.h"

namespace boost::asio {
class io_context;
}

namespace roost::backends::ipmi {

struct IpmiOptions {
  std::string ipmitool = "ipmitool";  // looked up in PATH unless it has a '/'
  std::string interface = "lanplus";
  int cipher_suite = 3;
  // -N and -R: ipmitool waits N s for an answer, then retransmits R times, waiting longer each time.
  // Measured against a silent port: -N 1 -R 1 gives up after 2 s, -N 1 -R 2 after 6 s, ipmitool's
  // own defaults after 20 s.
  int retransmit_s = 1;
  int retries = 2;
  core::Duration command_timeout = core::seconds(20);  // chassis commands; the child is killed past it
  core::Duration sensor_timeout = core::seconds(60);   // a sensor list of a big server takes seconds
};

// One finished ipmitool run, for logs and measurements (never the password).
struct CommandTrace {
  std::string host;
  std::string operation;  // "power-status", "power-on", ..., "read-sensors"
  std::vector<std::string> argv;
  ProcessResult result;
  bool ok = false;
  std::string error;       // the BmcError's code and detail when !ok
  bool abandoned = false;  // the Bmc was dropped meanwhile: nobody heard the answer (ok: ipmitool succeeded)
};

class IpmiBmc final : public core::Bmc, public std::enable_shared_from_this<IpmiBmc> {
 public:
  using Observer = std::function<void(const CommandTrace&)>;

  IpmiBmc(ProcessRunner& runner, core::BmcEndpoint endpoint, IpmiOptions options, Observer observer = {});

  const core::BmcEndpoint& endpoint() const override { return endpoint_; }
  void power_status(core::BmcDone<core::PowerState> done) override;
  void power(core::PowerAction action, core::BmcDone<void> done) override;
  void read_sensors(core::BmcDone<std::vector<core::SensorReading>> done) override;

  // The full command line for `args` ("chassis", "power", "status"): what is run.
  std::vector<std::string> command(const std::vector<std::string>& args) const;
  // The child's whole environment.
  std::vector<std::string> environment() const;

 private:
  struct Op {
    std::string name;
    std::vector<std::string> args;
    core::Duration timeout;
    // Turns the finished run into the caller's completion; returns the error text ("" when ok) for the trace.
    std::function<std::string(const ProcessResult&)> finish;
  };
  void enqueue(Op op);
  void start_next();
  // "chassis power status at 10.0.0.5:623" for error messages.
  std::string describe(const std::vector<std::string>& args) const;

  ProcessRunner& runner_;
  core::BmcEndpoint endpoint_;
  IpmiOptions options_;
  Observer observer_;
  std::deque<Op> queue_;
  bool busy_ = false;
};

// The Bmc for `endpoint` on the real runtime: an IpmiBmc, or, for an endpoint it cannot serve (another
// protocol, no address), a Bmc that fails every operation (after the current handler, through `io`).
std::shared_ptr<core::Bmc> make_bmc(boost::asio::io_context& io, ProcessRunner& runner, const core::BmcEndpoint& endpoint,
                                    const IpmiOptions& options, IpmiBmc::Observer observer = {});

}  // namespace roost::backends::ipmi
