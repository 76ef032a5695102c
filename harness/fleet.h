// Fleet scenarios: the scenario key "fleet" (docs/scenarios.md, "Fleets") describes a distributed cloud —
// a system controller and N subclouds of a simplex/duplex/standard mix, their links, heartbeat and audit
// settings, boot times and a fault schedule — and expands into the sites, nodes and faults of a
// sim::SimConfig. Everything drawn at random (the mix, WAN links, boot times, which subclouds a fault hits,
// random faults) comes from streams derived from one seed, so a fleet is the same on every run.
//
// Node layout (the same in the simulation and in a real fleet; names unique in the fleet):
//   system controller  site "system-controller", node "system-controller.controller-0": composite of
//                      fm + dc-manager (which audits every subcloud over the WAN);
//   simplex S          node "S.controller-0": composite of fm + controller (inventory/maintenance,
//                      heartbeating itself) + host-agent + dc-agent;
//   duplex S           "S.controller-0" and "S.controller-1": composites of sm-controller (services fm, mtce
//                      and dc = dc-agent, behind the floating name "S.controller") + host-agent;
//   standard S         duplex + "S.worker-0".. ("workers_per_standard" host agents, also the pair's witnesses).
// The dc-manager audits "S.controller-0" for a simplex subcloud and the floating "S.controller" otherwise.
//
// Afterwards, the fleet's metrics (fleet_result_json) and checks (FleetCheck) read the run's trace:
//   dc.availability {subcloud, availability}         (dc-manager)    a subcloud offline / online
//   dc.alarm {subcloud, alarm_id, entity, severity}  (dc-manager)    280.001 / 280.002 raised or "clear"
//   mtce.alarm {host, alarm_id, severity}            (maintenance)   host alarms, 200.004 = host failed
//   sm.role {role, ...}                              (sm-controller) who is active in a controller pair
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/expectation.h"
#include "harness/json_check.h"
#include "sim/config.h"
#include "sim/simulation.h"

namespace roost::harness {

enum class SubcloudType : std::uint8_t { Simplex, Duplex, Standard };
std::string_view to_string(SubcloudType t);

// The fault kinds of a fleet's schedule ("fleet.faults" / "fleet.random_faults").
enum class FleetFaultKind : std::uint8_t {
  SiteWanOutage,       // the subcloud's WAN access link is down (SiteWanDown)
  SitePowerLoss,       // every host of the subcloud crashes; with until_s they all restart then (HostCrash)
  HostCrash,           // one host crashes (HostCrash)
  ControllerFailover,  // a duplex/standard subcloud's controller-0 crashes for a while (HostCrash)
  RegionalOutage,      // the WAN links of every subcloud of a region (or of `count` subclouds) are down
};
inline constexpr std::array kFleetFaultKinds{FleetFaultKind::SiteWanOutage, FleetFaultKind::SitePowerLoss,
                                             FleetFaultKind::HostCrash, FleetFaultKind::ControllerFailover,
                                             FleetFaultKind::RegionalOutage};
std::string_view to_string(FleetFaultKind k);
std::optional<FleetFaultKind> parse_fleet_fault_kind(std::string_view name);

struct Subcloud {
  std::string name;        // also its site's name, e.g. "subcloud-0007"
  SubcloudType type = SubcloudType::Simplex;
  std::uint32_t region = 0;  // index into FleetPlan::regions
  std::uint16_t workers = 0;

  std::string controller(int i) const { return name + ".controller-" + std::to_string(i); }
  std::string worker(int i) const { return name + ".worker-" + std::to_string(i); }
  std::string floating() const { return name + ".controller"; }
  // The node the dc-manager audits: the simplex controller, else the pair's floating name.
  std::string agent() const { return type == SubcloudType::Simplex ? controller(0) : floating(); }
  // Every host of the subcloud, controllers first.
  std::vector<std::string> hosts() const;
};

// One fault of the schedule as it hits one subcloud: a regional outage of 100 subclouds is 100 instances.
struct FleetFaultInstance {
  FleetFaultKind kind = FleetFaultKind::HostCrash;
  std::size_t sim_fault = 0;   // index into the SimConfig's faults
  std::uint32_t subcloud = 0;  // index into FleetPlan::subclouds
  std::string node;            // host-crash / controller-failover: the host that crashes; else ""
  std::string source;          // the schedule entry's label, or else `entry`
  std::string entry;           // the schedule entry: "fleet.faults[3]" / "fleet.random_faults[0]"
  core::TimePoint at{};
  std::optional<core::TimePoint> until;
};

// What a "fleet" key expanded into, kept for the fleet's metrics and checks.
struct FleetPlan {
  std::uint64_t seed = 0;            // the generator's seed
  std::string manager_site = "system-controller";
  std::string manager_node = "system-controller.controller-0";
  std::vector<std::string> regions;
  std::vector<Subcloud> subclouds;
  std::array<std::size_t, 3> type_counts{};  // by SubcloudType
  std::size_t node_count = 0;                // nodes the fleet added (system controller included)
  std::size_t first_site = 0;                // the fleet's sites start here in the SimConfig
  std::size_t first_fault = 0;               // and its faults here (after the explicit "faults")
  std::vector<sim::FaultSpec> faults;        // the fleet's faults, before they are moved into the SimConfig
  std::vector<FleetFaultInstance> instances;  // sorted by time; sim_fault counts from first_fault
  // The rules detection is judged by (docs/scenarios.md "Fleets").
  core::Duration audit_interval = core::seconds(30);
  core::Duration audit_timeout = core::seconds(30);
  int offline_after = 2;
  double sample_s = 10;  // subclouds online / active alarms are sampled this often

  const Subcloud* find_subcloud(std::string_view name) const;
};

// Reads the "fleet" object found at `path` and appends its sites (system controller first) to
// `config.sites`, its backbone to `config.backbone`; the fleet's faults are left in the plan's `faults`
// for the caller to append after the scenario's explicit faults (then set `first_fault` and add it to
// every instance's `sim_fault`: see place_fleet_faults). Every error goes to `check` with its JSON path.
// `duration_s` is the run's duration (faults must fit in it), `seed` the scenario's seed.
std::optional<FleetPlan> expand_fleet(const nlohmann::json& j, const std::string& path, JsonChecker& check,
                                      std::uint64_t seed, std::optional<double> duration_s, sim::SimConfig& config);

// Moves plan.faults to the end of config.faults and renumbers the instances accordingly.
void place_fleet_faults(FleetPlan& plan, sim::SimConfig& config);

// expand_fleet + place_fleet_faults for code and tests that hold the "fleet" object alone: throws
// std::invalid_argument with every error ("$.fleet.mix: ...", one a line).
FleetPlan generate_fleet(const nlohmann::json& fleet, std::uint64_t seed, double duration_s, sim::SimConfig& config);

// ---- after the run -------------------------------------------------------------------------------------

// When a fault instance was noticed and when its subcloud / host was back:
//   site-wan-outage, site-power-loss, regional-outage, and a crash of a simplex subcloud's only host:
//     the dc-manager's dc.availability offline for the subcloud (280.001), then online;
//   host-crash (other hosts): mtce.alarm 200.004 raised for the host, then cleared;
//   controller-failover: sm.role active on the peer controller, then sm.role standby on the crashed one.
// Searched from the fault's start (detection) / end (recovery) up to the next fault on the same subcloud.
struct InstanceOutcome {
  std::string detector;                  // "dc.availability" | "mtce.alarm 200.004" | "sm.role"
  std::optional<double> detection_s;     // delay from the fault's start
  std::optional<double> recovery_s;      // delay from the fault's end
};
std::vector<InstanceOutcome> fleet_outcomes(const FleetPlan& plan, const std::vector<sim::TraceRecord>& trace,
                                            core::TimePoint end_of_run);

struct FleetResultOptions {
  std::size_t instance_limit = 1000;  // per-instance rows listed in result.json
};

// The "fleet" section of result.json (docs/scenarios.md "Results").
nlohmann::json fleet_result_json(const FleetPlan& plan, const sim::SimConfig& config, const sim::SimResult& result,
                                 double peak_rss_mb, const FleetResultOptions& options = {});

// An expectation on a fleet fault (an "expect" entry with "fleet"): every instance of the selected faults
// is detected within `detected_within_s` of its start and, if given, back within `recovered_within_s` of
// its end.
struct FleetCheck {
  std::string selector;                   // for humans: "fault \"regional outage\"" / "kind host-crash"
  std::vector<std::size_t> instances;     // into plan->instances
  std::optional<std::pair<double, double>> detected_within_s;
  std::optional<std::pair<double, double>> recovered_within_s;
  // "alarm": each instance must also have this alarm raised for its subcloud ("subcloud=S", dc.alarm) or
  // host ("host=H", mtce.alarm) within the detection window, and cleared within the recovery window.
  std::string alarm;
  std::shared_ptr<const FleetPlan> plan;
};

// Reads the "fleet" member of an expectation at `path`; the plan must be the scenario's (null: the
// scenario has no fleet, an error).
std::shared_ptr<const FleetCheck> read_fleet_check(const nlohmann::json& j, const std::string& path,
                                                   JsonChecker& check, std::shared_ptr<const FleetPlan> plan);
std::string describe_fleet_check(const FleetCheck& c);
ExpectationOutcome evaluate_fleet_check(const FleetCheck& c, const sim::SimConfig& config,
                                        const std::vector<sim::TraceRecord>& trace);

}  // namespace roost::harness
