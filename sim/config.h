// What the simulated runtime runs: a fleet (sites of nodes joined by LAN and WAN links), a fault
// schedule, a seed and a duration. The harness builds this from a scenario file; the simulation
// knows nothing of files or JSON schemas.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/core/hardware.h"
#include "platform/core/network.h"
#include "platform/core/node.h"
#include "platform/core/time.h"

namespace roost::sim {

// A link's character. Loss applies per message, drawn from the simulation's seeded RNG.
struct LinkSpec {
  core::Duration latency = core::microseconds(100);
  double bandwidth_bps = 1e9;  // bits per second
  double loss = 0.0;           // probability a datagram is lost
  core::Duration jitter{};     // extra latency per message, uniform in [0, jitter]
};

// A duration drawn from a triangular distribution (min <= mode <= max), in seconds.
struct TriangularSpec {
  double min_s = 0, mode_s = 0, max_s = 0;
};

// One sensor of a simulated BMC: its reading at t=0 and its thresholds (hardware.h's meaning).
struct SimSensorSpec {
  std::string name;
  core::SensorType type = core::SensorType::Other;
  std::string unit;             // "" = the usual unit of the type ("degrees C", "RPM", "Volts", "Amps", "Watts")
  std::optional<double> value;  // none: the BMC has no reading (status unavailable)
  core::SensorThresholds thresholds;
};

// A scheduled change of one sensor's reading.
struct SimSensorChange {
  core::TimePoint at{};
  std::string sensor;
  std::optional<double> value;  // none: the reading becomes unavailable
};

struct TimeWindow {
  core::TimePoint at{};
  std::optional<core::TimePoint> until;  // none: to the end of the run
};

// The node's BMC twin (sim/simulated_bmc.h). Nodes of the same site reach it by the node's name (the
// endpoint's `host`). Power off takes the node down (like a crash); power on boots it; reset and cycle
// take it down and boot it again.
struct BmcSpec {
  std::string user, password;  // when set, an endpoint must present exactly these (else an auth error)
  core::Duration latency = core::milliseconds(100);  // every operation's round trip
  // An operation to an unreachable BMC fails (unreachable) after this long: the real backend's ipmitool
  // gives up after 6 s with its default retries (backends/ipmi/ipmi_bmc.h).
  core::Duration unreachable_after = core::seconds(6);
  std::optional<TriangularSpec> boot;     // power-on/reset/cycle to running; none: the node's boot_time
  core::Duration cycle_off = core::seconds(1);  // how long a power cycle keeps the power off
  std::vector<SimSensorSpec> sensors;
  std::vector<SimSensorChange> changes;
  std::vector<TimeWindow> unreachable;    // windows in which the BMC does not answer
};

struct SimNodeSpec {
  core::NodeSpec node;
  // Networks the node is attached to (a subcloud controller: mgmt, cluster-host, oam, wan).
  std::vector<core::Network> networks{core::Network::Management, core::Network::ClusterHost, core::Network::Oam};
  core::Duration boot_time = core::seconds(0);  // from restart fault to the node starting
  bool start_down = false;                      // powered off at t=0
  std::optional<BmcSpec> bmc;                   // the node's BMC, if it has one in this scenario
  // What Env::hardware().machine_inventory() reports; none: a default derived from the node's name and
  // networks (sim_hardware.h's default_machine_inventory).
  std::optional<core::MachineInventory> inventory;
};

struct SiteSpec {
  std::string name;
  std::vector<SimNodeSpec> nodes;
  // Floating names of the site ("controller"): not nodes, but answered by whichever node of the site
  // claims them (Env::claim_floating). A name differs from every node name; several sites may each have
  // their own (a node reaches its own site's; from a site without one, the one site that has it).
  std::vector<std::string> floating;
  LinkSpec lan;  // every LAN network inside the site (mgmt, cluster-host, oam)
  LinkSpec wan;  // the site's WAN access link (to the central router)
};

enum class FaultKind {
  HostCrash,     // node crashes at `at`; with `until`, restarts then (after its boot_time)
  HostRestart,   // node (crashed or start_down) starts at `at` (after its boot_time)
  NetworkDown,   // one network of `nodes` is cut at `at`, restored at `until` (if set)
  SiteWanDown,   // the WAN link of `site` is down from `at` to `until`
  Partition,     // no traffic between `groups[0]` and `groups[1]` (any network) from `at` to `until`
  MessageLoss,   // a `fraction` of messages on `network` (or all) for `nodes` (or all) is dropped
  MessageDelay,  // a `fraction` of messages gets `delay` extra latency
  ProcessKill,   // the `process` of `nodes[0]` is killed at `at`; with `crash_loop`, every restart of it
                 // dies again 50 ms later until `until` (sim/sim_processes.h)
};

std::string_view to_string(FaultKind k);

struct FaultSpec {
  FaultKind kind = FaultKind::HostCrash;
  core::TimePoint at{};
  std::optional<core::TimePoint> until;
  std::vector<std::string> nodes;                 // HostCrash/HostRestart/NetworkDown/Loss/Delay (empty: all)
  std::optional<core::Network> network;           // NetworkDown (required), Loss/Delay (empty: all)
  std::string site;                               // SiteWanDown
  std::vector<std::vector<std::string>> groups;   // Partition: exactly two groups of node names
  double fraction = 1.0;                          // MessageLoss / MessageDelay
  core::Duration delay{};                         // MessageDelay
  std::string label;                              // for reports ("regional outage", ...)
  std::string process;                            // ProcessKill: the process's name ("sshd")
  bool crash_loop = false;                        // ProcessKill
};

// How LAN traffic inside a site travels. LocalQueue is the fast default (the sites' event queue, sim/scheduler.h,
// with latency, loss and partitions applied); SimGrid sends it through SimGrid communications too
// (the fidelity switch: same alarms, same order, detection times within a few percent).
enum class LanMode { LocalQueue, SimGrid };

struct SimConfig {
  std::uint64_t seed = 1;
  core::Duration duration = core::seconds(60);
  std::vector<SiteSpec> sites;
  std::vector<FaultSpec> faults;
  LinkSpec backbone{core::milliseconds(1), 10e9, 0.0};  // the central router's uplink to the system controller site
  LanMode lan_mode = LanMode::LocalQueue;
  // How the sites' events are run (sim/scheduler.h): true lets them run ahead of SimGrid's clock when
  // nothing SimGrid does can come first; false hands control to SimGrid at every distinct event time.
  // Both give the same run bit for bit (tests/sim/scheduler_test.cpp); false is only slower.
  bool local_run_ahead = true;
  core::LogLevel trace_level = core::LogLevel::Info;   // records at or above it go to the trace
  // What nodes' Env::wall_time_us() reads at simulated time 0 (UTC microseconds; 2026-01-01T00:00:00Z),
  // so wall-clock stamps are as deterministic as the rest of the run.
  std::int64_t wall_epoch_us = 1767225600000000;
};

}  // namespace roost::sim
