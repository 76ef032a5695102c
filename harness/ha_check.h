// The HA invariants of a controller pair (service management, issue 5), judged from a simulation's
// config and trace alone: pure functions, no simulation inside. The property test
// (tests/sm/ha_property_test.cpp) and `roost sim replay` run them on every HA lab run.
//
// What is read (the trace contract of /docs and platform/sm/controller_node.h):
// - the controllers: the config's nodes of role "sm-controller" (exactly two); their timers from their
//   config (hello_ms, dead_ms, fail_pending_ms, initial_wait_ms; the role's defaults when absent);
// - sm.role {role, rule} of each controller; the simulation's node.down / node.up (a controller that goes
//   down holds no role until it logs one again);
// - the faults of the config (which paths between the controllers work when);
// - probe.started / probe.verify / probe.swact of the "ha-probe" nodes, and their config (swact times).
//
// The invariants (each with its bound, see the constants below):
// - safety: the two controllers are never both active, while any path between them works, for longer
//   than dead + fail_pending + 2 * hello (+ the delay of a MessageDelay fault on that path);
// - liveness (liveness mode only): once every fault has healed and the last swact was asked for, exactly
//   one controller is active within initial_wait + dead + fail_pending + 5 s, and stays so to the end;
// - durability: every probe verification that ran found every acknowledged write (missing == 0); in
//   liveness mode a verification must run (not be skipped for want of an active);
// - swact: for every swact the active accepted (probe.swact ok) that ran undisturbed (no controller down,
//   no broken or late path between them until activity settled), a controller is active again at most 1 s
//   after the old active left — the new one, or the old one if the swact rolled back — and the new one
//   never enters active before the old one left (break before make).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/time.h"
#include "sim/config.h"
#include "sim/simulation.h"

namespace roost::harness {

// Safety: what a run may do to the controllers — any fault may last to the end, and a probe
// verification may be skipped (no active) — and only safety, durability and swact are judged.
// Liveness: every fault heals in the run; the pair must also settle on exactly one active.
enum class HaMode { Safety, Liveness };
std::string_view to_string(HaMode m);
std::optional<HaMode> parse_ha_mode(std::string_view s);

// The role names the checker looks for in a config.
inline constexpr std::string_view kControllerRole = "sm-controller";
inline constexpr std::string_view kProbeRole = "ha-probe";

// The pair's timers, from the controllers' config (the larger of the two where they differ).
struct HaTimers {
  core::Duration hello = core::milliseconds(200);
  core::Duration dead = core::milliseconds(800);
  core::Duration fail_pending = core::milliseconds(600);
  core::Duration initial_wait = core::milliseconds(5000);
};

// A MessageLoss fault dropping at least this fraction of a path's datagrams breaks that path: at 0.5 a
// peer misses its dead_ms worth of hellos (3..6 of them) on one network with probability 1/8..1/64 per
// window, so detection of "peer dead" is expected; below it, hellos get through and the pair must cope.
// A MessageDelay fault of at least this fraction makes the path's news late by its delay (that delay is
// added to the safety bound, see safety_bound()).
inline constexpr double kImpairingFraction = 0.5;
// The longest break between the old active leaving active and a controller entering it in a swact. A
// swact hands over by message (TakeoverRequest) and the taker goes active on receipt: a LAN round trip plus
// the taker's own bookkeeping, far below a second; a second leaves room for a retransmission, or for a
// refused takeover to be answered and rolled back.
inline constexpr core::Duration kSwactGapBound = core::seconds(1);
// Liveness slack on top of the protocol's own timers: the nested services' start, a witness round, and
// a hello period or two of disagreement before one side yields.
inline constexpr core::Duration kLivenessSlack = core::seconds(5);

// Why dead + fail_pending + 2 * hello: a standby that declared its peer dead just before the path came
// back completes its fail_pending wait and goes active (dead + fail_pending after the last hello it
// heard), then needs one hello period to hear the active peer and one more for the resolution (one of
// them yields) to be logged. Longer than that with a working path is two actives that could know better.
core::Duration safety_bound(const HaTimers& t);
// initial_wait (a restarted controller waits that long before it may go active alone) + dead +
// fail_pending (a failover) + kLivenessSlack.
core::Duration liveness_bound(const HaTimers& t);

struct HaViolation {
  std::string invariant;  // "safety" | "liveness" | "durability" | "swact"
  core::TimePoint at{};   // when it became a violation (e.g. the end of the allowed overlap)
  std::string explanation;
};

enum class HaVerdictState { Pass, Fail, NotChecked };
std::string_view to_string(HaVerdictState s);

struct HaInvariantVerdict {
  std::string invariant;
  HaVerdictState state = HaVerdictState::Pass;
  std::string note;  // what was checked, or why it was not ("liveness: safety mode")
};

// What a run exercised, for the property test's coverage table ("generator never reached rule X").
struct HaCoverage {
  std::set<std::string> rules;              // sm.role "rule" values the controllers logged
  std::set<std::string> decisions;          // sm.decision "rule" values (a lost peer's split decisions)
  std::set<std::string> roles;              // sm.role "role" values
  std::set<std::string> interface_statuses; // sm.interface "status" values ("lost", "ok")
  std::set<std::string> sync_states;        // sm.sync "state" values
  std::set<std::string> swact_phases;       // sm.swact "phase" values
  std::set<std::string> fault_kinds;        // the config's fault kinds, as scenarios name them
  // Every item above as "rule:peer-dead", "decision:isolated", "role:active", "interface:lost",
  // "sync:in-sync", "swact:done", "fault:partition".
  std::vector<std::string> items() const;
};

struct HaReport {
  HaMode mode = HaMode::Safety;
  HaTimers timers;
  std::vector<std::string> controllers;  // the two, in config order
  std::vector<HaInvariantVerdict> verdicts;  // safety, liveness, durability, swact
  std::vector<HaViolation> violations;       // in time order
  HaCoverage coverage;
  bool ok() const { return violations.empty(); }
};

// Judges one run. Throws std::invalid_argument, naming what is wrong, when the config is not something
// the checker can judge: not exactly two sm-controller nodes; in liveness mode, a fault that never heals.
HaReport check_ha(const sim::SimConfig& config, const std::vector<sim::TraceRecord>& trace, HaMode mode);

// The timers of the config's controllers (see HaTimers). Throws as check_ha does.
HaTimers ha_timers(const sim::SimConfig& config);

// {"mode", "ok", "timers_ms": {...}, "verdicts": [{invariant, state, note}], "violations": [{invariant,
// t, explanation}], "coverage": [...items]}
nlohmann::json to_json(const HaReport& r);
// "  safety      PASS  ..." lines, then the violations, one a line ("  12.345 s  safety: ...").
std::string describe(const HaReport& r);

}  // namespace roost::harness
