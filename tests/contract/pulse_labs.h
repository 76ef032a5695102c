// The pulse contract, run on either runtime. A PulseLab sets up one controller pulsing N hosts,
// stops one host (the real runtime: SIGKILL of its roostd; the simulation: a host-crash fault),
// starts it again, and reports what the controller logged, with times relative to the stop.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "platform/core/time.h"

namespace roost::contract {

struct PulseContractSpec {
  int hosts = 3;
  core::Duration period = core::milliseconds(100);
  int miss_threshold = 10;
  std::string victim = "worker-1";
  core::Duration healthy_before = core::milliseconds(1530);  // not a multiple of the period on purpose
  core::Duration down_for = core::seconds(2);
};

struct PulseObservation {
  std::vector<std::string> lost;       // hosts declared lost, in order
  double detection_s = -1;             // victim stopped -> pulse.host_lost for it
  std::vector<std::string> recovered;  // hosts declared recovered, in order
  double recovery_s = -1;              // victim started again -> pulse.host_recovered for it
};

class PulseLab {
 public:
  virtual ~PulseLab() = default;
  virtual PulseObservation run(const PulseContractSpec& spec) = 0;
  // Transport and scheduling latency this runtime may add on top of the logic's own bounds.
  virtual core::Duration slack() const = 0;
};

std::unique_ptr<PulseLab> make_sim_pulse_lab(std::uint64_t seed);
std::unique_ptr<PulseLab> make_real_pulse_lab();

}  // namespace roost::contract
