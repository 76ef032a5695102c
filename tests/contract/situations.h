// The three situations the runtime contract tests replay on both runtimes, with worker-0 and worker-1:
//   A. worker-1 stops (real: SIGKILL of its roostd; sim: host-crash), then starts again;
//   B. only worker-0's cluster-host traffic is cut (real: nftables drops its address), then restored;
//   C. both workers' mgmt traffic is cut at once (a switch failure), then restored.
// Each test says which events it compares and how it writes them (Describe), when the simulated faults
// start and what detects each situation (Schedule), and what the real run waits for between the steps
// (RealWaits); this header runs the situations and sorts the events into an Observation.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "sim/simulation.h"
#include "tests/contract/contract_report.h"
#include "tests/support/network_cut.h"
#include "tests/support/real_lab.h"

namespace roost::contract {

using Fields = std::map<std::string, std::string>;  // an event's text fields, by key

inline std::string value(const Fields& f, const std::string& key) {
  const auto it = f.find(key);
  return it == f.end() ? std::string() : it->second;
}

// The text an event is compared by ("worker-1 200.004 critical"); nullopt for events the test ignores.
using Describe = std::function<std::optional<std::string>(const std::string& event, const Fields& fields)>;

// How long B's and C's cuts last, on both runtimes.
inline constexpr std::chrono::milliseconds kCutB{2000}, kCutC{3000};

// When the situations' faults start in the simulation, and the event that detects each.
struct Schedule {
  double a = 0, b = 0, c = 0;  // seconds of simulated time
  double a_down_s = 0;         // how long worker-1 stays down in A
  std::string key_a, key_b, key_c;

  // A crashes worker-1 for a_down_s; B cuts worker-0's cluster-host for kCutB; C cuts the mgmt network of
  // worker-0 and worker-1 for kCutC.
  std::vector<sim::FaultSpec> faults() const {
    const auto to_s = [](std::chrono::milliseconds d) { return std::chrono::duration<double>(d).count(); };
    sim::FaultSpec fa{sim::FaultKind::HostCrash, core::at_seconds(a), core::at_seconds(a + a_down_s)};
    fa.nodes = {"worker-1"};
    sim::FaultSpec fb{sim::FaultKind::NetworkDown, core::at_seconds(b), core::at_seconds(b + to_s(kCutB))};
    fb.nodes = {"worker-0"};
    fb.network = core::Network::ClusterHost;
    sim::FaultSpec fc{sim::FaultKind::NetworkDown, core::at_seconds(c), core::at_seconds(c + to_s(kCutC))};
    fc.nodes = {"worker-0", "worker-1"};
    fc.network = core::Network::Management;
    return {fa, fb, fc};
  }
};

// The simulation's trace sorted into situations: each described event under the situation running when
// it happened (none before A).
inline Observation observe_sim(const sim::SimResult& result, const Schedule& when, const Describe& describe) {
  Observation obs;
  for (const auto& r : result.trace) {
    Fields f;
    for (const auto& field : r.fields)
      if (auto* s = std::get_if<std::string>(&field.value)) f[field.key] = *s;
    const std::optional<std::string> text = describe(r.event, f);
    if (!text) continue;
    const double t = core::to_seconds(r.t);
    if (t >= when.c) note(obs.c, *text, t - when.c, when.key_c);
    else if (t >= when.b) note(obs.b, *text, t - when.b, when.key_b);
    else if (t >= when.a) note(obs.a, *text, t - when.a, when.key_a);
  }
  return obs;
}

// Adds the described events the real lab logged in [from, to) (unix seconds) to `s`.
inline void collect(testing::RealLab& lab, Situation& s, double from, double to, const std::string& key,
                    const Describe& describe) {
  for (const auto& r : lab.records()) {
    if (r.wall < from || r.wall >= to) continue;
    Fields f;
    for (const auto& [k, v] : r.fields.items())
      if (v.is_string()) f[k] = v.get<std::string>();
    if (const std::optional<std::string> text = describe(r.event, f)) note(s, *text, r.wall - from, key);
  }
}

// What the real run waits for after each step; each hook makes its own expectations.
struct RealWaits {
  std::function<void(double killed)> a_detected;                   // after worker-1 was killed
  std::function<void(double killed, double restarted)> a_recovered;  // after it was started again
  std::function<void(double healed)> b_recovered;                  // after worker-0's cluster-host came back
  std::function<void(double healed)> c_recovered;                  // after both workers' mgmt came back
};

// Runs A, B and C on the started `lab`, one after the other, and collects what each logged. Each
// situation's clock starts when its fault is in place.
inline Observation run_real_situations(testing::RealLab& lab, testing::NetworkCut& cut, const Schedule& when,
                                       const Describe& describe, const RealWaits& wait) {
  using namespace std::chrono;
  using core::Network;
  // Cuts `addresses` for `hold`, restores them and waits as `recovered` says, then collects into `s`.
  // A cut takes effect when nft commits it, at the end of the call (starting nft takes tens of ms on a
  // loaded machine), so the clock starts when drop() returns.
  const auto cut_for = [&](const std::vector<std::string>& addresses, milliseconds hold,
                           const std::function<void(double)>& recovered, Situation& s, const std::string& key) {
    cut.drop(addresses);
    const double from = testing::RealLab::wall_now();
    std::this_thread::sleep_for(hold);
    const double healed = testing::RealLab::wall_now();
    cut.restore_all();
    recovered(healed);
    std::this_thread::sleep_for(milliseconds(300));
    collect(lab, s, from, testing::RealLab::wall_now(), key, describe);
  };

  Observation obs;
  // A: a host really stops.
  const double ta = testing::RealLab::wall_now();
  lab.kill("worker-1");
  wait.a_detected(ta);
  std::this_thread::sleep_for(milliseconds(1500));
  const double restart = testing::RealLab::wall_now();
  lab.start("worker-1");
  wait.a_recovered(ta, restart);
  std::this_thread::sleep_for(milliseconds(300));
  collect(lab, obs.a, ta, testing::RealLab::wall_now(), when.key_a, describe);
  // B: only cluster-host of worker-0 is cut.
  cut_for({lab.address("worker-0", Network::ClusterHost)}, kCutB, wait.b_recovered, obs.b, when.key_b);
  // C: both workers lose mgmt at once.
  cut_for({lab.address("worker-0", Network::Management), lab.address("worker-1", Network::Management)},
          kCutC, wait.c_recovered, obs.c, when.key_c);
  return obs;
}

}  // namespace roost::contract
