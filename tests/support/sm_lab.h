// The service-management lab, one definition for both runtimes (scenarios/ha-lab.json made small): a
// controller pair (controller-0, controller-1: role sm-controller, services fm + mtce, peers of each
// other) behind the floating name "controller" (mgmt, cluster-host, oam), and worker-0 (role host-agent,
// reporting to "controller"), which is both the pair's managed host and its only witness. HMAC keys on
// every network. Used by the real HA test (tests/sm/ha_real_test.cpp) and the failover benchmark.
//
// Real: each controller and the worker in its own roostd process ("c0", "c1", "w0"): killing one
// controller's process is a controller crash. Simulation: one site "lab" with the same nodes plus an
// ha-probe writing through the floating name.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config.h"
#include "tests/support/lab_layout.h"
#include "tests/support/real_lab.h"

namespace roost::testing {

namespace sm_lab {
inline const std::string kFloating = "controller";
inline const std::string kController0 = "controller-0";
inline const std::string kController1 = "controller-1";
inline const std::string kWorker = "worker-0";
inline const std::string kProbe = "probe";
inline constexpr std::uint16_t kFmRestPort = 18002;
inline constexpr std::uint16_t kSmRestPort = 7780;
inline constexpr const char* kProbeAlarm = "100.114";  // carries any entity, not suppressible, no side effects
}  // namespace sm_lab

struct SmLabSpec {
  // scenarios/ha-lab.json's timers (StarlingX's), but a short initial wait so labs start quickly.
  int hello_ms = 200;
  int dead_ms = 800;
  int fail_pending_ms = 600;
  int initial_wait_ms = 2000;
  int mtcalive_period_ms = 1000;
};

// The process hosting `node` in the real lab ("c0", "c1", "w0").
std::string sm_lab_process(const std::string& node);
// The other controller of the pair.
std::string sm_lab_peer(const std::string& controller);

nlohmann::json sm_controller_config(const SmLabSpec& spec, const std::string& self);
nlohmann::json sm_worker_config(const SmLabSpec& spec);

// Real: the three nodes, each in its own process; pass sm_lab_floating() in RealLab::Options::floating.
std::vector<LabNode> sm_lab_nodes(const SmLabSpec& spec);
LabFloating sm_lab_floating();

// When a controller's peer's periodic hellos reach it, on the wall clock (RealLab::wall_now): for tests that
// must know where in the hello cycle a fault lands (a loss is detected dead_ms after the last hello heard).
struct HelloArrivals {
  double last = 0;    // the newest round seen (its first hello)
  double period = 0;  // measured between the rounds seen: the hello period plus the peer's timer lateness
  double error = 0;   // bound on each arrival's estimate (the widest poll interval that saw one, halved)
  int rounds = 0;     // regular rounds seen
  // The round at or before `t` (extrapolated from `last` with `period`).
  double at_or_before(double t) const;
};

// The real lab, started (every process ready), and what a client of the floating OAM address sees there:
// the SM REST API (kSmRestPort) and the FM REST API (kFmRestPort) of whichever controller is active.
struct SmRealLab {
  explicit SmRealLab(const SmLabSpec& spec = {}, RealLab::Options options = {});

  // GET /v1/sm/status at the floating OAM address; nullopt if nothing answers 200 within `timeout`.
  std::optional<nlohmann::json> status(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // GET /v1/sm/status at a controller's own OAM address (its own view: a standby's sync state is its own).
  std::optional<nlohmann::json> status_of(const std::string& controller,
                                          std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // GET /v1/alarms?limit=1 at the floating OAM address answers 200.
  bool fm_answers(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // Waits until the floating endpoint names an active whose peer is a standby in sync, in the active's view
  // and in the standby's own (its status at its own address), with the FM REST API answering at the
  // floating address; returns the active's name. Throws std::runtime_error with the
  // last status seen after `limit`.
  std::string wait_pair_ready(std::chrono::milliseconds limit = std::chrono::milliseconds(15000));
  // The active alarms at the floating FM REST API; throws std::runtime_error if it does not answer.
  std::vector<nlohmann::json> alarms();
  // From the roostd logs so far: the windows in which no node held the floating name, each [a
  // floating.release, the next floating.claim] (wall clock).
  std::vector<std::pair<double, double>> unheld_windows();
  // Watches `observer`'s own SM status back to back on one keep-alive connection (its accepted-hello
  // counter) until `rounds` rounds of its peer's hellos arrived one `hello` period apart (within 5 ms; a
  // hello sent out of period, on a role or sync change, starts the count again). Throws
  // std::runtime_error if that takes longer than `limit`.
  HelloArrivals hello_arrivals(const std::string& observer, std::chrono::milliseconds hello, int rounds = 3,
                               std::chrono::milliseconds limit = std::chrono::milliseconds(3000));

  RealLab lab;
  std::string floating_oam;
};

// Simulation: site "lab" (LAN latency 100 us) with the floating name, the three nodes and an ha-probe
// (`probe_config`, role ha-probe's JSON) writing through "controller"; no faults yet.
sim::SimConfig sm_lab_sim(const SmLabSpec& spec, const nlohmann::json& probe_config, std::uint64_t seed,
                          core::Duration duration);

}  // namespace roost::testing
