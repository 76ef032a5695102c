// Contract: the controller pair (service management) logs the same role and interface changes, in the
// same order for each subject, on the real runtime and in the simulation, with the same detection times.
// The lab is tests/support/sm_lab.h's on both runtimes: controller-0 and controller-1 (role sm-controller,
// services fm + mtce) behind the floating name "controller", worker-0 (host agent) as their witness.
//   A. the active (controller-0) dies (real: SIGKILL of its roostd; sim: host-crash) and later starts again:
//      the standby goes active by rule peer-dead after losing it on every network; the restarted one
//      comes back as standby (peer-active);
//   B. the active's (now controller-1's) cluster-host is cut for 2 s (real: nftables drops its address;
//      sim: network-down): both controllers lose each other on cluster-host and find each other again,
//      and no role changes (one network of three lost is an alarm, not a failover);
//   C. a swact of the active: it goes standby and its peer active, both by rule swact.
// Events compared: sm.role ("controller-1 role standby->active peer-dead": the role before comes from the
// node's previous sm.role, initial after its sm.started) and sm.interface ("controller-1/mgmt interface
// lost"). The subjects are a controller's roles and one controller's view of one network: the three
// networks' hellos are sent a few microseconds apart, so the order in which their losses are noticed is
// the order the kernel delivered the last three datagrams, not the node logic's.
//
// Timing. Every detection here happens dead_ms (800 ms) after the last hello heard, so where a fault lands
// in the 200 ms hello cycle moves it by up to 200 ms (25%, where 10% is the bound). The takeover (A: kill
// -> the standby's sm.role active) waits after that for the standby's own next witness ping to be
// answered by a witness that has not heard the dead peer for dead_ms: up to one more period, set by where
// the standby's cycle lies in the active's. So the real run measures the cycles (the arrivals of each
// controller's hellos, watched on its peer's hello counter in the peer's SM status), places the standby's
// cycle half a period from the active's (restarting the standby at the right moment if the lab did not
// start it there: near a boundary, a millisecond of jitter would decide between no wait and a whole period)
// and aims its kill and its cut mid-cycle; the simulation then replays the situations with its controllers'
// cycles and its faults at the same phases. The figures must then agree within 10%:
//   A: kill -> the standby's first sm.interface lost, kill -> the standby's sm.role active;
//   B: cut -> each controller's cluster-host lost.
// C's swact (request -> the new active's sm.role active) is a few message exchanges with no timer in
// between (sub-millisecond simulated, an HTTP request plus process scheduling real): printed, not compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "backends/blocking_http.h"
#include "platform/roles.h"
#include "sim/simulation.h"
#include "tests/contract/contract_report.h"
#include "tests/support/network_cut.h"
#include "tests/support/real_lab.h"
#include "tests/support/sm_lab.h"

namespace roost::contract {
namespace {

using namespace std::chrono;
using core::Network;
namespace names = testing::sm_lab;
using Fields = std::map<std::string, std::string>;

const testing::SmLabSpec kSpec{};
const double kHello = duration<double>(milliseconds(kSpec.hello_ms)).count();
constexpr double kAim = 0.5;            // a kill lands this far into the hello cycle (fraction)
constexpr milliseconds kCutHold{2000};  // B's cut, on both runtimes

// A record of either runtime, as the comparison reads it.
struct Rec {
  double t = 0;  // seconds (simulated, or unix)
  std::string node, event;
  Fields fields;
  std::string get(const std::string& k) const {
    const auto it = fields.find(k);
    return it == fields.end() ? std::string() : it->second;
  }
};

// When each situation's fault was in place (the clock of its figures) and where the run ended.
struct Starts {
  double a = 0, b = 0, c = 0, end = 0;
};

// Where the faults landed in the hello cycles, in seconds after the last hello heard: measured on the
// real runtime, replayed by the simulation.
struct Phases {
  double c1_cycle = 0;  // controller-1's hellos reach controller-0 this long after controller-0's reach controller-1
  double a_at_c1 = 0;   // A: the kill of controller-0, after its last hello reached controller-1
  double b_at_c0 = 0;   // B: the cut, after controller-1's last hello reached controller-0
  double b_at_c1 = 0;   // B: the cut, after controller-0's last hello reached controller-1
};

struct Figure {
  std::string name;
  double s = -1;  // -1: the event did not happen
};

struct SmSituation {
  std::vector<std::string> events;
  std::vector<Figure> figures;
};

struct SmObservation {
  SmSituation a, b, c;
};

// Seconds from `from` to the first record in [from, to) that `match` takes; -1 if none.
template <class Match>
double first_after(const std::vector<Rec>& recs, double from, double to, Match match) {
  for (const auto& r : recs)
    if (r.t >= from && r.t < to && match(r)) return r.t - from;
  return -1;
}

// Sorts the described records into situations and takes each situation's figures; the same code for both
// runtimes. `recs` are in time order.
SmObservation observe(const std::vector<Rec>& recs, const Starts& at) {
  SmObservation obs;
  std::map<std::string, std::string> role;  // each controller's current role
  for (const auto& r : recs) {
    std::string text;
    if (r.event == "sm.started") {
      role[r.node] = "initial";
    } else if (r.event == "sm.role") {
      const std::string before = role.count(r.node) ? role[r.node] : "initial";
      role[r.node] = r.get("role");
      text = r.node + " role " + before + "->" + r.get("role") + " " + r.get("rule");
    } else if (r.event == "sm.interface") {
      text = r.node + "/" + r.get("network") + " interface " + r.get("status");
    }
    if (text.empty() || r.t < at.a || r.t >= at.end) continue;
    (r.t >= at.c ? obs.c : r.t >= at.b ? obs.b : obs.a).events.push_back(text);
  }
  const auto& c0 = names::kController0;
  const auto& c1 = names::kController1;
  const auto lost_on = [](const std::string& node, const std::string& net) {
    return [node, net](const Rec& r) {
      return r.node == node && r.event == "sm.interface" && r.get("status") == "lost" &&
             (net.empty() || r.get("network") == net);
    };
  };
  const auto active = [](const std::string& node) {
    return [node](const Rec& r) { return r.node == node && r.event == "sm.role" && r.get("role") == "active"; };
  };
  obs.a.figures = {{"kill -> " + c1 + " loses " + c0 + " (first sm.interface lost)",
                    first_after(recs, at.a, at.b, lost_on(c1, ""))},
                   {"kill -> " + c1 + " active (takeover)", first_after(recs, at.a, at.b, active(c1))}};
  obs.b.figures = {{"cut -> " + c0 + " cluster-host lost", first_after(recs, at.b, at.c, lost_on(c0, "cluster-host"))},
                   {"cut -> " + c1 + " cluster-host lost", first_after(recs, at.b, at.c, lost_on(c1, "cluster-host"))}};
  obs.c.figures = {{"swact request -> " + c0 + " active", first_after(recs, at.c, at.end, active(c0))}};
  return obs;
}

// ---- the real runtime ----------------------------------------------------------------------------------

void sleep_until_wall(double t) {
  const double d = t - testing::RealLab::wall_now();
  if (d > 0) std::this_thread::sleep_for(duration<double>(d));
}

struct RealRun {
  std::vector<Rec> recs;
  Starts at;
  Phases phases;
};

// The two controllers' cycles: controller-0's hellos reaching controller-1, controller-1's reaching
// controller-0, and how far the second lags the first, in [0, period).
struct Cycles {
  testing::HelloArrivals c0, c1;
  double offset = 0;
};

Cycles cycles(testing::SmRealLab& lab) {
  Cycles c;
  c.c0 = lab.hello_arrivals(names::kController1, milliseconds(kSpec.hello_ms));
  c.c1 = lab.hello_arrivals(names::kController0, milliseconds(kSpec.hello_ms));
  c.offset = std::fmod(c.c1.last - c.c0.last, c.c0.period);
  if (c.offset < 0) c.offset += c.c0.period;
  return c;
}

// Places controller-1's (the standby's) cycle between a quarter and three quarters of a period after
// controller-0's: if it is not there, restarts controller-1 so that its service manager starts half a
// period after a controller-0 hello (its cycle starts there; the time from spawning the process to that
// is measured on each restart). Returns the offset.
double place_standby_cycle(testing::SmRealLab& lab) {
  auto& rl = lab.lab;
  const std::string process = testing::sm_lab_process(names::kController1);
  const auto started = [&](double since) {
    return rl.expect({.event = "sm.started", .node = names::kController1, .since_wall = since}, seconds(5));
  };
  double startup = started(0).mono;  // first guess: the lab's own start of it
  for (int attempt = 0;; ++attempt) {
    const Cycles c = cycles(lab);
    const double p = c.c0.period;
    std::printf("controller-1's cycle %.3f s after controller-0's%s\n", c.offset,
                std::abs(c.offset - p / 2) <= p / 4 ? "" : ": restarting controller-1");
    if (std::abs(c.offset - p / 2) <= p / 4) return c.offset;
    if (attempt == 3)
      throw std::runtime_error("controller-1's hello cycle is " + std::to_string(c.offset) +
                               " s after controller-0's after 3 restarts aimed at half a period");
    rl.kill(process);
    double cycle_at = c.c0.at_or_before(testing::RealLab::wall_now()) + p / 2;
    while (cycle_at - startup < testing::RealLab::wall_now() + 0.005) cycle_at += p;
    sleep_until_wall(cycle_at - startup);
    const double spawned = testing::RealLab::wall_now();
    rl.start(process);
    startup = started(spawned).wall - spawned;
    lab.wait_pair_ready(milliseconds(10000));
  }
}

RealRun run_real() {
  testing::SmRealLab lab(kSpec);
  testing::NetworkCut cut;
  auto& rl = lab.lab;
  RealRun out;
  const auto& c0 = names::kController0;
  const auto& c1 = names::kController1;
  // The simulation's pair settles by name-tie on controller-0; the situations follow from that.
  const std::string first_active = lab.wait_pair_ready();
  if (first_active != c0)
    throw std::runtime_error("the real pair made " + first_active + " active first; the simulation's name-tie makes " +
                             c0 + " active, and the situations are written for that");

  out.phases.c1_cycle = place_standby_cycle(lab);

  // A: kill controller-0 half-way through its hello cycle, as controller-1 hears it.
  {
    const auto heard = lab.hello_arrivals(c1, milliseconds(kSpec.hello_ms));
    double kill_at = heard.at_or_before(testing::RealLab::wall_now()) + kAim * heard.period;
    while (kill_at < testing::RealLab::wall_now() + 0.010) kill_at += heard.period;
    sleep_until_wall(kill_at);
    out.at.a = testing::RealLab::wall_now();
    rl.kill(testing::sm_lab_process(c0));  // SIGKILL by PID, reaped
    out.phases.a_at_c1 = out.at.a - heard.at_or_before(out.at.a);
    rl.expect({.event = "sm.role", .node = c1, .fields = {{"role", "active"}}, .since_wall = out.at.a}, seconds(4));
    std::this_thread::sleep_for(milliseconds(300));
    rl.start(testing::sm_lab_process(c0));
    if (const std::string now_active = lab.wait_pair_ready(milliseconds(10000)); now_active != c1)
      throw std::runtime_error("after A, " + now_active + " is active, not " + c1);
  }

  // B: cut controller-1's cluster-host where neither controller's hellos are due: the middle of the wider gap
  // between the two cycles' arrivals. nft commits the cut somewhere inside drop(), so the call is centred
  // there and its clock starts when drop() returns.
  {
    const Cycles cyc = cycles(lab);
    const auto& at_c0 = cyc.c1;  // controller-1's hellos reaching controller-0
    const auto& at_c1 = cyc.c0;  // controller-0's hellos reaching controller-1
    const double nft_start = testing::RealLab::wall_now();
    cut.restore_all();  // nothing cut yet: times an nft run
    const double nft = testing::RealLab::wall_now() - nft_start;
    const double period = at_c0.period;
    const double earliest = testing::RealLab::wall_now() + 0.020 + nft;
    const double a1 = at_c0.at_or_before(earliest);  // a controller-1 hello reaching controller-0
    const double x = at_c1.at_or_before(a1 + period) - a1;  // then controller-0's, in (0, period]
    double centre = x >= period / 2 ? a1 + x / 2 : a1 + x + (period - x) / 2;
    while (centre < earliest) centre += period;
    sleep_until_wall(centre - nft / 2);
    const double called = testing::RealLab::wall_now();
    cut.drop(rl.address(c1, Network::ClusterHost));
    out.at.b = testing::RealLab::wall_now();
    out.phases.b_at_c0 = out.at.b - at_c0.at_or_before(out.at.b);
    out.phases.b_at_c1 = out.at.b - at_c1.at_or_before(out.at.b);
    // A hello due while nft ran may have passed before the cut or not: the phase would be ambiguous.
    const double margin = std::max(at_c0.error, at_c1.error) + 0.002;
    if (out.at.b - called + margin > std::min(out.phases.b_at_c0, out.phases.b_at_c1))
      throw std::runtime_error("nft took " + std::to_string(out.at.b - called) + " s: a hello was due during the cut's "
                               "setup (phases " + std::to_string(out.phases.b_at_c0) + ", " +
                               std::to_string(out.phases.b_at_c1) + " s), so where the cut landed is unknown");
    std::this_thread::sleep_for(kCutHold);
    const double healed = testing::RealLab::wall_now();
    cut.restore_all();
    for (const auto& c : {c0, c1})
      rl.expect({.event = "sm.interface", .node = c, .fields = {{"network", "cluster-host"}, {"status", "ok"}},
                 .since_wall = healed},
                seconds(5));
    std::this_thread::sleep_for(milliseconds(300));
  }

  // C: swact controller-1 through the floating address (a refusal while the standby's hellos do not yet
  // say "in sync" is retried; the clock starts at the accepted request).
  {
    if (const std::string now_active = lab.wait_pair_ready(milliseconds(5000)); now_active != c1)
      throw std::runtime_error("before C, " + now_active + " is active, not " + c1);
    backends::BlockingHttpClient http(backends::HttpUrl{lab.floating_oam, names::kSmRestPort, ""}, core::seconds(3));
    const double first = testing::RealLab::wall_now();
    out.at.c = first;
    auto r = http.request("PATCH", "/v1/servicenode/" + c1, R"({"action": "swact"})");
    while (r.status == 409 && testing::RealLab::wall_now() - first < 3.0) {
      std::this_thread::sleep_for(milliseconds(20));
      out.at.c = testing::RealLab::wall_now();
      r = http.request("PATCH", "/v1/servicenode/" + c1, R"({"action": "swact"})");
    }
    if (r.status != 200)
      throw std::runtime_error("swact of " + c1 + ": " + std::to_string(r.status) + " " +
                               backends::describe_failure(r) + " " + r.body);
    rl.expect({.event = "sm.role", .node = c0, .fields = {{"role", "active"}}, .since_wall = out.at.c}, seconds(3));
    std::this_thread::sleep_for(milliseconds(300));
  }
  out.at.end = testing::RealLab::wall_now();

  for (const auto& r : rl.records()) {
    Rec x{r.wall, r.node, r.event, {}};
    for (const auto& [k, v] : r.fields.items())
      if (v.is_string()) x.fields[k] = v.get<std::string>();
    out.recs.push_back(std::move(x));
  }
  std::stable_sort(out.recs.begin(), out.recs.end(), [](const Rec& a, const Rec& b) { return a.t < b.t; });
  return out;
}

// ---- the simulation --------------------------------------------------------------------------------------

// The simulation's cycles: controller-0 starts at 0 (its cycle at whole periods), controller-1 at the real
// offset of its cycle (both of a controller's timers, hellos and witness pings, start with it); every
// message takes the LAN latency.
const core::Duration kSimA = core::seconds(4), kSimB = core::seconds(12), kSimC = core::seconds(18);
const core::Duration kSimEnd = core::seconds(20);

core::Duration of(double s) { return core::from_seconds(s); }

struct SimRun {
  std::vector<Rec> recs;
  Starts at;
};

SimRun run_sim(const Phases& ph) {
  const core::Duration period = core::milliseconds(kSpec.hello_ms);
  const nlohmann::json probe = {{"target", names::kFloating},
                                {"write_period_ms", 600000},  // no writes: the real lab has no writer either
                                {"swacts", {{{"at_ms", duration_cast<milliseconds>(kSimC).count()}}}}};
  auto cfg = testing::sm_lab_sim(kSpec, probe, 5, kSimEnd);
  const core::Duration lat = cfg.sites[0].lan.latency;
  for (auto& n : cfg.sites[0].nodes)
    if (n.node.name == names::kController1) n.start_down = true;
  const core::Duration c1_start = of(ph.c1_cycle);
  sim::FaultSpec c1_up{sim::FaultKind::HostRestart, core::TimePoint(c1_start)};
  c1_up.nodes = {names::kController1};

  // A: controller-0's hellos are sent at whole periods and reach controller-1 `lat` later.
  const core::TimePoint a(kSimA + lat + of(ph.a_at_c1));
  // B: controller-1's hellos are sent at c1_start + whole periods.
  const core::TimePoint b(kSimB + c1_start + lat + of(ph.b_at_c0));
  // controller-0 restarts at R, its hellos then sent at R + whole periods: R is chosen so that the cut lands
  // b_at_c1 after one reaches controller-1, 1.5 to 1.7 s after the crash (the real one was down about as long).
  core::TimePoint restart = b - lat - of(ph.b_at_c1);
  const core::TimePoint earliest_restart = a + core::milliseconds(1500);
  restart -= ((restart - earliest_restart) / period) * period;
  sim::FaultSpec crash{sim::FaultKind::HostCrash, a, restart};
  crash.nodes = {names::kController0};
  sim::FaultSpec cut{sim::FaultKind::NetworkDown, b, b + duration_cast<core::Duration>(kCutHold)};
  cut.nodes = {names::kController1};
  cut.network = Network::ClusterHost;
  cfg.faults = {c1_up, crash, cut};

  SimRun out;
  out.at = {core::to_seconds(a), core::to_seconds(b), core::to_seconds(core::TimePoint(kSimC)),
            core::to_seconds(core::TimePoint(kSimEnd))};
  for (const auto& r : sim::run_in_child(cfg, platform::roles()).trace) {
    Rec x{core::to_seconds(r.t), r.node, r.event, {}};
    for (const auto& f : r.fields)
      if (auto* s = std::get_if<std::string>(&f.value)) x.fields[f.key] = *s;
    out.recs.push_back(std::move(x));
  }
  return out;
}

// ---- the comparison ---------------------------------------------------------------------------------------

// A figure is compared within 10% of the simulation's, or only shown.
void compare(const char* name, const SmSituation& sim, const SmSituation& real, const std::vector<bool>& compared) {
  EXPECT_EQ(by_subject(sim.events), by_subject(real.events))
      << name << "\nsim:\n" << join(sim.events) << "real:\n" << join(real.events);
  for (std::size_t i = 0; i < sim.figures.size(); ++i) {
    const Figure& s = sim.figures[i];
    const Figure& r = real.figures[i];
    EXPECT_GT(s.s, 0) << name << ": " << s.name << " did not happen in the simulation\n" << join(sim.events);
    EXPECT_GT(r.s, 0) << name << ": " << r.name << " did not happen on the real runtime\n" << join(real.events);
    if (compared[i] && s.s > 0 && r.s > 0) {
      EXPECT_NEAR(r.s, s.s, 0.10 * s.s) << name << ": " << s.name;
    }
    char diff[64];
    if (compared[i]) std::snprintf(diff, sizeof diff, "%+6.1f%% (bound 10%%)", s.s > 0 ? 100 * (r.s - s.s) / s.s : 0.0);
    else std::snprintf(diff, sizeof diff, "%+6.1f ms (not compared)", 1000 * (r.s - s.s));
    std::printf("%-21s %-60s sim %7.4f s  real %7.4f s  %s\n", name, s.name.c_str(), s.s, r.s, diff);
  }
}

TEST(SmContract, SameRoleAndInterfaceChangesAndDetectionTimesOnBothRuntimes) {
  std::string why;
  ASSERT_TRUE(testing::NetworkCut::available(&why)) << "real network cuts need nftables as root: " << why;
  RealRun real;
  try {
    real = run_real();
  } catch (const std::exception& e) {
    FAIL() << "real run: " << e.what();
  }
  const SimRun sim = run_sim(real.phases);
  const SmObservation s = observe(sim.recs, sim.at);
  const SmObservation r = observe(real.recs, real.at);

  std::printf("hello %d ms, dead %d ms; phases (s after the last hello heard), replayed by the simulation:\n"
              "  controller-1's cycle %.3f after controller-0's\n"
              "  A: the kill %.3f after controller-0's reached controller-1\n"
              "  B: the cut %.3f after controller-1's reached controller-0, %.3f after controller-0's reached "
              "controller-1\n",
              kSpec.hello_ms, kSpec.dead_ms, real.phases.c1_cycle, real.phases.a_at_c1, real.phases.b_at_c0,
              real.phases.b_at_c1);
  compare("A (active killed)", s.a, r.a, {true, true});
  compare("B (cluster-host cut)", s.b, r.b, {true, true});
  compare("C (swact)", s.c, r.c, {false});
  std::printf("events (each subject's sequence the same on both runtimes; the simulation's order):\n");
  for (const auto& [name, x] : {std::pair{"A", &s.a}, {"B", &s.b}, {"C", &s.c}}) {
    std::printf("  %s:\n", name);
    for (const auto& e : x->events) std::printf("    %s\n", e.c_str());
  }

  // What each situation must show, whichever runtime (the comparison above makes the real one the same).
  const auto& c0 = names::kController0;
  const auto& c1 = names::kController1;
  const auto has = [](const SmSituation& x, const std::string& e) {
    return std::find(x.events.begin(), x.events.end(), e) != x.events.end();
  };
  EXPECT_TRUE(has(s.a, c1 + " role standby->active peer-dead")) << join(s.a.events);
  for (const auto* net : {"mgmt", "cluster-host", "oam"})
    EXPECT_TRUE(has(s.a, c1 + "/" + net + " interface lost")) << join(s.a.events);
  EXPECT_TRUE(has(s.a, c0 + " role initial->standby peer-active")) << join(s.a.events);
  for (const auto& c : {c0, c1}) {
    EXPECT_TRUE(has(s.b, c + "/cluster-host interface lost")) << join(s.b.events);
    EXPECT_TRUE(has(s.b, c + "/cluster-host interface ok")) << join(s.b.events);
  }
  for (const auto& e : s.b.events) EXPECT_EQ(e.find(" role "), std::string::npos) << "B changed a role: " << e;
  EXPECT_EQ(s.c.events,
            (std::vector<std::string>{c1 + " role active->standby swact", c0 + " role standby->active swact"}));
  // The takeover is the witnesses' proof, not the fail-pending wait: within a period of the silence.
  for (const auto* x : {&s.a, &r.a})
    EXPECT_LT(x->figures[1].s - x->figures[0].s, kHello + 0.02)
        << "the takeover came " << x->figures[1].s - x->figures[0].s << " s after the silence was noticed";
}

}  // namespace
}  // namespace roost::contract
