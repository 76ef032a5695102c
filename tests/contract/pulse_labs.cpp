#include "tests/contract/pulse_labs.h"

#include <thread>

#include "platform/roles.h"
#include "sim/simulation.h"
#include "tests/support/real_lab.h"

namespace roost::contract {
namespace {

std::vector<std::string> host_names(const PulseContractSpec& s) {
  std::vector<std::string> out;
  for (int i = 0; i < s.hosts; ++i) out.push_back("worker-" + std::to_string(i));
  return out;
}

nlohmann::json monitor_config(const PulseContractSpec& s) {
  return {{"hosts", host_names(s)},
          {"period_ms", core::to_millis(s.period)},
          {"miss_threshold", s.miss_threshold},
          {"network", "mgmt"}};
}

class SimPulseLab : public PulseLab {
 public:
  explicit SimPulseLab(std::uint64_t seed) : seed_(seed) {}
  core::Duration slack() const override { return core::milliseconds(2); }

  PulseObservation run(const PulseContractSpec& spec) override {
    sim::SimConfig cfg;
    cfg.seed = seed_;
    const core::TimePoint stop_at(spec.healthy_before);
    const core::TimePoint start_at = stop_at + spec.down_for;
    cfg.duration = spec.healthy_before + spec.down_for + core::seconds(3);
    sim::SiteSpec site;
    site.name = "lab";
    site.lan.latency = core::microseconds(200);
    site.nodes.push_back({{"controller-0", "pulse-controller", "lab", monitor_config(spec)}});
    for (const auto& h : host_names(spec)) site.nodes.push_back({{h, "pulse-host", "lab", {}}});
    cfg.sites.push_back(site);
    sim::FaultSpec crash;
    crash.kind = sim::FaultKind::HostCrash;
    crash.at = stop_at;
    crash.until = start_at;
    crash.nodes = {spec.victim};
    cfg.faults.push_back(crash);

    const sim::SimResult result = sim::run_in_child(cfg, platform::roles());
    PulseObservation obs;
    for (const auto& r : result.trace) {
      if (r.event != "pulse.host_lost" && r.event != "pulse.host_recovered") continue;
      const std::string host = std::get<std::string>(r.fields.at(0).value);
      if (r.event == "pulse.host_lost") {
        obs.lost.push_back(host);
        if (host == spec.victim && obs.detection_s < 0) obs.detection_s = core::to_seconds(r.t - stop_at);
      } else {
        obs.recovered.push_back(host);
        if (host == spec.victim && obs.recovery_s < 0) obs.recovery_s = core::to_seconds(r.t - start_at);
      }
    }
    return obs;
  }

 private:
  std::uint64_t seed_;
};

class RealPulseLab : public PulseLab {
 public:
  // Loopback UDP is sub-millisecond; the rest is timer and process scheduling on a loaded 2-core machine.
  core::Duration slack() const override { return core::milliseconds(60); }

  PulseObservation run(const PulseContractSpec& spec) override {
    using namespace std::chrono;
    std::vector<testing::LabNode> nodes{{"controller-0", "pulse-controller", "controller-0", monitor_config(spec)}};
    for (const auto& h : host_names(spec)) nodes.push_back({h, "pulse-host", h});
    testing::RealLab lab(nodes);
    lab.start();
    // Wait until the monitor has started, then let it see every host healthy for a while.
    lab.expect({.event = "pulse.monitor_started", .node = "controller-0"}, seconds(5));
    std::this_thread::sleep_for(duration_cast<nanoseconds>(spec.healthy_before));

    const double stopped = testing::RealLab::wall_now();
    lab.kill(spec.victim);
    const auto limit = duration_cast<milliseconds>(spec.period * (spec.miss_threshold + 1) + seconds(3));
    auto lost = lab.wait_for({.event = "pulse.host_lost", .fields = {{"host", spec.victim}}, .since_wall = stopped},
                             limit);
    std::this_thread::sleep_for(duration_cast<nanoseconds>(spec.down_for));

    const double started = testing::RealLab::wall_now();
    lab.start(spec.victim);
    auto back = lab.wait_for(
        {.event = "pulse.host_recovered", .fields = {{"host", spec.victim}}, .since_wall = started}, seconds(5));
    std::this_thread::sleep_for(milliseconds(500));  // time for a wrong extra declaration to show up

    PulseObservation obs;
    for (const auto& r : lab.find({.event = "pulse.host_lost"})) obs.lost.push_back(r.fields["host"]);
    for (const auto& r : lab.find({.event = "pulse.host_recovered"})) obs.recovered.push_back(r.fields["host"]);
    if (lost) obs.detection_s = lost->wall - stopped;
    if (back) obs.recovery_s = back->wall - started;
    return obs;
  }
};

}  // namespace

std::unique_ptr<PulseLab> make_sim_pulse_lab(std::uint64_t seed) { return std::make_unique<SimPulseLab>(seed); }
std::unique_ptr<PulseLab> make_real_pulse_lab() { return std::make_unique<RealPulseLab>(); }

}  // namespace roost::contract
