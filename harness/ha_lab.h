// The HA lab: one site "lab" whose floating name "controller" is held by whichever of controller-0 and
// controller-1 is active (role sm-controller, each the other's peer, services fm + mtce), three hosts
// that are both managed hosts and the pair's witnesses (storage-0, worker-0, worker-1: role host-agent,
// storage-0 the storage witness), and a probe (role ha-probe) writing alarms through the floating name.
//
// A HaSchedule is what varies between runs: the seed, the check mode, the pair's timers, the faults and
// the swacts the probe asks for. It becomes an ordinary scenario file (ha_scenario_json) with an extra
// "ha_check" key, so a failing schedule found by the property test is replayed with `roost sim replay`,
// and the SimConfig a schedule runs is always the one parsed from that file (ha_lab_scenario) — the file
// and the run cannot drift apart.
//
// The shape of a run: faults start in [10 s, 60 s); in liveness mode every fault heals by 60 s (a crashed
// controller restarts), in safety mode a fault may last to the end; the probe verifies at 85 s; the run
// lasts 98 s so a verification that must retry (its last attempt starts by 95 s and times out by 96.5 s)
// still ends inside it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/ha_check.h"
#include "harness/scenario.h"
#include "platform/core/node.h"
#include "sim/config.h"

namespace roost::harness {

namespace ha_lab {
inline const std::string kSite = "lab";
inline const std::string kFloating = "controller";
inline const std::string kController0 = "controller-0";
inline const std::string kController1 = "controller-1";
inline const std::string kStorage = "storage-0";
inline const std::string kWorker0 = "worker-0";
inline const std::string kWorker1 = "worker-1";
inline const std::string kProbe = "probe";

inline constexpr core::Duration kDuration = core::seconds(98);
inline constexpr core::Duration kFaultsFrom = core::seconds(10);  // faults start in [from, until)
inline constexpr core::Duration kFaultsUntil = core::seconds(60);  // and, in liveness mode, heal by then
inline constexpr core::Duration kVerifyAt = core::seconds(85);
inline constexpr core::Duration kInitialWait = core::seconds(5);
inline constexpr core::Duration kControllerBoot = core::seconds(2);
inline constexpr core::Duration kWritePeriod = core::milliseconds(250);
inline constexpr core::Duration kWriteTimeout = core::milliseconds(1500);
inline constexpr const char* kProbeAlarm = "100.114";  // not suppressible, affects neither maintenance nor degrade

// The timers' valid ranges (StarlingX SM's: hello 100..300 ms, dead after 3..6 missed hellos).
inline constexpr core::Duration kHelloMin = core::milliseconds(100), kHelloMax = core::milliseconds(300);
inline constexpr int kDeadHellosMin = 3, kDeadHellosMax = 6;
inline constexpr core::Duration kFailPendingMin = core::milliseconds(400), kFailPendingMax = core::milliseconds(2000);
}  // namespace ha_lab

struct HaSwact {
  core::Duration at{};  // simulated time (the probe starts at 0)
  bool force = false;
  bool operator==(const HaSwact&) const = default;
};

struct HaSchedule {
  std::uint64_t seed = 1;
  HaMode mode = HaMode::Safety;
  core::Duration hello = core::milliseconds(200);
  core::Duration dead = core::milliseconds(800);
  core::Duration fail_pending = core::milliseconds(600);
  std::vector<sim::FaultSpec> faults;  // on the lab's nodes, in [kFaultsFrom, kFaultsUntil)
  std::vector<HaSwact> swacts;
};

// Throws std::invalid_argument naming what is out of the lab's ranges: a timer, a fault starting outside
// [10 s, 60 s) or ending after the run, in liveness mode a fault that does not heal by 60 s.
void validate_schedule(const HaSchedule& s);

// The scenario file of a schedule (format v1 plus "ha_check"). Validates the schedule first.
nlohmann::json ha_scenario_json(const HaSchedule& s, const std::string& name = "ha-lab");
// ha_scenario_json parsed as `roost sim replay` parses the file. Throws std::invalid_argument with the
// parser's messages if the file does not validate (a role refusing its config, for instance).
Scenario ha_lab_scenario(const HaSchedule& s, const core::RoleRegistry& roles, const std::string& name = "ha-lab");
// The schedule back from a parsed HA lab scenario. Throws std::invalid_argument naming what does not fit
// the lab (no "ha_check", a node missing, a timer out of range).
HaSchedule ha_schedule_from_scenario(const Scenario& s);

// One fault as a scenario file's fault object ({"kind": "network-down", "at_s": ..., ...}).
nlohmann::json fault_json(const sim::FaultSpec& f);
// "seed 7, liveness, hello 150 ms, dead 600 ms, fail_pending 900 ms; faults: ...; swacts: ..." for logs.
std::string describe(const HaSchedule& s);

}  // namespace roost::harness
