// The BMC twin of one simulated node: chassis power, sensor readings driven by the scenario, and who may
// talk to it when. It behaves as the real backend does against OpenIPMI's ipmi_sim (the reference the
// real tests run against): power off takes the host down; power on boots it (after a boot time drawn
// from the spec's triangular distribution, or the node's boot_time); reset takes a powered host down and
// boots it again (on a powered-off host it does nothing); a power cycle switches the power off, and on
// again `cycle_off` later (whatever the power was), then the host boots. Threshold statuses follow IPMI:
// an upper threshold is crossed at value >= limit, a lower one at value <= limit.
//
// The site runtime applies the effects (sim/site_runtime.h); this class only holds the state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/core/hardware.h"
#include "platform/core/rng.h"
#include "sim/config.h"

namespace roost::sim {

// The unit a sensor of type `t` reads in when the scenario names none (what ipmitool prints).
std::string_view default_unit(core::SensorType t);

class SimulatedBmc {
 public:
  // `spec` must outlive the twin (it points into the SimConfig). `powered`: the chassis power at t=0.
  SimulatedBmc(const BmcSpec& spec, std::uint64_t seed, const std::string& node, bool powered);

  const BmcSpec& spec() const { return spec_; }

  bool powered() const { return powered_; }
  void set_powered(bool on) { powered_ = on; }

  // Every sensor as the BMC would report it now.
  std::vector<core::SensorReading> readings() const;
  core::SensorReading reading(std::size_t sensor) const;
  // Applies the spec's scheduled change `i`; returns the index of the sensor it changed.
  std::size_t apply_change(std::size_t i);

  // Whether the BMC answers at `t` (ns of simulated time).
  bool reachable(std::int64_t t) const;
  // Whether the endpoint's credentials are the ones the spec requires (any, if it requires none).
  bool accepts(const core::BmcEndpoint& endpoint) const;
  // How long the host takes from power-on (or reset) to running; draws from the twin's own RNG.
  core::Duration boot_time(core::Duration node_default);

 private:
  std::optional<std::size_t> find_sensor(const std::string& name) const;

  const BmcSpec& spec_;
  bool powered_;
  std::vector<std::optional<double>> values_;  // by sensor index
  core::Rng rng_;
};

}  // namespace roost::sim
