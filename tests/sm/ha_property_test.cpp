// The controller pair's HA invariants (harness/ha_check.h) over random fault schedules of the HA lab
// (harness/ha_lab.h), one simulation per schedule in a forked child. rapidcheck generates the schedules
// and shrinks a failing one; the shrunk schedule is printed, written as a scenario file and handed over
// as a `roost sim replay` command.
//
// One test per mode (two ctest entries, run side by side). How many schedules each runs:
// ROOST_HA_SCHEDULES (default 1000); the long run is `ROOST_HA_SCHEDULES=100000 ctest -R ha_property` or
// tools/ha-soak. The rapidcheck seed is rapidcheck's (random per run unless RC_PARAMS="seed=N").
//
// Coverage: how many schedules reached each sm.role rule, split decision, interface/sync state and
// fault kind is printed; an expected rule no schedule reached fails the test ("generator never reached
// rule X") — a generator that stopped reaching a rule stops testing it.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

#include "harness/ha_check.h"
#include "harness/ha_lab.h"
#include "platform/roles.h"
#include "sim/simulation.h"

namespace roost::harness {
namespace {

using namespace std::chrono_literals;
namespace lab = ha_lab;

// ---- the generator ---------------------------------------------------------------------------------------

// One generated fault, as small integers that shrink towards the simplest fault (a short crash of
// controller-0 at 10 s), turned into FaultSpecs by faults_of().
struct FaultChoice {
  int kind = 0;       // a Kind
  int target = 0;     // which controller (0, 1); which witness for a witness crash
  int start_ds = 0;   // start, in 100 ms after 10 s: [0, 500)
  int length_ds = 1;  // length, in 100 ms: [1, 200]
  bool lasts = false; // safety mode: the fault never heals (a crash: no restart)
  int variant = 0;    // networks to cut (mask - 1), partition shape, loss fraction, delay
  int network = 0;    // loss/delay: 0 every network, else mgmt, cluster-host, oam
};

enum Kind : int { kCrash, kRestart, kCut, kPartition, kLoss, kDelay, kWitnessCrash, kKinds };

const std::vector<std::string> kControllers{lab::kController0, lab::kController1};
const std::vector<std::string> kWitnesses{lab::kStorage, lab::kWorker0, lab::kWorker1};
const std::vector<core::Network> kLanNetworks{core::Network::Management, core::Network::ClusterHost, core::Network::Oam};
// Partitions between the controllers, alone and with witnesses on either side (the split rules: who
// reaches storage-0, who reaches more witnesses). Nodes left out of both groups hear everyone.
const std::vector<std::vector<std::vector<std::string>>> kPartitions{
    {{lab::kController0}, {lab::kController1}},
    {{lab::kController0}, {lab::kController1, lab::kWorker1}},
    {{lab::kController0, lab::kStorage}, {lab::kController1}},
    {{lab::kController0}, {lab::kController1, lab::kStorage}},
    {{lab::kController0, lab::kWorker0, lab::kWorker1}, {lab::kController1, lab::kStorage}},
    {{lab::kController0}, {lab::kController1, lab::kStorage, lab::kWorker0, lab::kWorker1}},
    {{lab::kController0, lab::kStorage, lab::kWorker0, lab::kWorker1}, {lab::kController1}},
};
const std::vector<double> kLossFractions{0.3, 0.6, 1.0};
const std::vector<int> kDelaysMs{50, 300, 1000, 2500};

std::vector<sim::FaultSpec> faults_of(const FaultChoice& c, HaMode mode) {
  const core::TimePoint at = core::TimePoint(lab::kFaultsFrom) + core::milliseconds(100) * c.start_ds;
  std::optional<core::TimePoint> until = at + core::milliseconds(100) * c.length_ds;
  if (mode == HaMode::Liveness) until = std::min(*until, core::TimePoint(lab::kFaultsUntil));
  else if (c.lasts) until.reset();
  const std::string& controller = kControllers[c.target % 2];
  auto spec = [&](sim::FaultKind kind, std::vector<std::string> nodes, std::string label) {
    sim::FaultSpec f;
    f.kind = kind;
    f.at = at;
    f.until = until;
    f.nodes = std::move(nodes);
    f.label = std::move(label);
    return f;
  };
  std::vector<sim::FaultSpec> out;
  switch (c.kind) {
    case kCrash:
      out.push_back(spec(sim::FaultKind::HostCrash, {controller}, "crash " + controller));
      break;
    case kRestart: {
      auto f = spec(sim::FaultKind::HostRestart, {controller}, "restart " + controller);
      f.until.reset();
      out.push_back(f);
      break;
    }
    case kCut:
      for (std::size_t i = 0; i < kLanNetworks.size(); ++i)
        if ((c.variant % 7 + 1) & (1 << i)) {
          auto f = spec(sim::FaultKind::NetworkDown, {controller},
                        "cut " + controller + " " + std::string(core::to_string(kLanNetworks[i])));
          f.network = kLanNetworks[i];
          out.push_back(f);
        }
      break;
    case kPartition: {
      auto f = spec(sim::FaultKind::Partition, {}, "partition " + std::to_string(c.variant % kPartitions.size()));
      f.groups = kPartitions[c.variant % kPartitions.size()];
      out.push_back(f);
      break;
    }
    case kLoss:
    case kDelay: {
      const std::vector<std::string> nodes =
          c.target % 3 == 2 ? kControllers : std::vector<std::string>{kControllers[c.target % 3]};
      auto f = spec(c.kind == kLoss ? sim::FaultKind::MessageLoss : sim::FaultKind::MessageDelay, nodes,
                    c.kind == kLoss ? "loss burst" : "delay burst");
      if (c.network % 4 != 0) f.network = kLanNetworks[c.network % 4 - 1];
      if (c.kind == kLoss) {
        f.fraction = kLossFractions[c.variant % kLossFractions.size()];
      } else {
        f.fraction = c.variant / kDelaysMs.size() % 2 ? 0.5 : 1.0;
        f.delay = core::milliseconds(kDelaysMs[c.variant % kDelaysMs.size()]);
      }
      // A burst is short and always ends (in safety mode too): a lasting total delay is a partition.
      if (!f.until) f.until = at + core::milliseconds(100) * c.length_ds;
      out.push_back(f);
      break;
    }
    case kWitnessCrash: {
      const std::string& w = kWitnesses[c.target % kWitnesses.size()];
      out.push_back(spec(sim::FaultKind::HostCrash, {w}, "crash " + w));
      break;
    }
  }
  return out;
}

rc::Gen<FaultChoice> gen_choice() {
  return rc::gen::map(
      rc::gen::tuple(rc::gen::weightedElement<int>({{3, kCrash}, {1, kRestart}, {3, kCut}, {3, kPartition},
                                                    {2, kLoss}, {2, kDelay}, {1, kWitnessCrash}}),
                     rc::gen::inRange(0, 3), rc::gen::inRange(0, 500), rc::gen::inRange(1, 201),
                     rc::gen::weightedElement<bool>({{4, false}, {1, true}}), rc::gen::inRange(0, 8),
                     rc::gen::inRange(0, 4)),
      [](const std::tuple<int, int, int, int, bool, int, int>& t) {
        FaultChoice c;
        std::tie(c.kind, c.target, c.start_ds, c.length_ds, c.lasts, c.variant, c.network) = t;
        return c;
      });
}

constexpr std::size_t kMaxFaultChoices = 4;

rc::Gen<HaSchedule> gen_schedule(HaMode mode) {
  return rc::gen::map(
      rc::gen::tuple(rc::gen::inRange<std::uint64_t>(1, 1'000'000), rc::gen::inRange(10, 31), rc::gen::inRange(3, 7),
                     rc::gen::inRange(40, 201), rc::gen::container<std::vector<FaultChoice>>(gen_choice()),
                     rc::gen::weightedElement<int>({{2, 0}, {2, 1}, {1, 2}}), rc::gen::inRange(0, 500)),
      [mode](const std::tuple<std::uint64_t, int, int, int, std::vector<FaultChoice>, int, int>& t) {
        const auto& [seed, hello_10ms, dead_hellos, fail_pending_10ms, choices, swact, swact_ds] = t;
        HaSchedule s;
        s.seed = seed;
        s.mode = mode;
        s.hello = core::milliseconds(10) * hello_10ms;
        s.dead = s.hello * dead_hellos;
        s.fail_pending = core::milliseconds(10) * fail_pending_10ms;
        for (std::size_t i = 0; i < choices.size() && i < kMaxFaultChoices; ++i)
          for (auto& f : faults_of(choices[i], mode)) s.faults.push_back(std::move(f));
        if (swact != 0) s.swacts.push_back({lab::kFaultsFrom + core::milliseconds(100) * swact_ds, swact == 2});
        return s;
      });
}

// ---- the run ---------------------------------------------------------------------------------------------

struct Outcome {
  HaReport report;
  std::string error;  // the simulation failed (a node threw): a failure too
  double build_s = 0, simulate_s = 0;  // wall time building the scenario, and simulating + checking
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Outcome run(const HaSchedule& s) {
  Outcome out;
  auto t0 = std::chrono::steady_clock::now();
  const Scenario scenario = ha_lab_scenario(s, platform::roles());
  out.build_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  try {
    const auto result = sim::run_in_child(scenario.config, platform::roles());
    out.report = check_ha(scenario.config, result.trace, s.mode);
  } catch (const std::runtime_error& e) {
    out.error = e.what();
  }
  out.simulate_s = seconds_since(t0);
  return out;
}

int schedules_from_env() {
  const char* v = std::getenv("ROOST_HA_SCHEDULES");
  if (!v || !*v) return 1000;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < 1 || n > 100'000'000)
    throw std::invalid_argument(std::string("ROOST_HA_SCHEDULES=") + v + ": expected a count of schedules >= 1");
  return static_cast<int>(n);
}

// Below this many schedules a rare rule may legitimately go unreached: coverage is printed, not enforced.
// (The rarest expected item is reached by about 2% of schedules: missed by 500 with probability e^-10.)
constexpr int kCoverageMinSchedules = 500;

// What the generator must reach in each mode (coverage items, harness/ha_check.h). Each was reached by at
// least 20 of 1000 schedules in both modes when this list was written (the rarest, rule:higher-term), so
// missing one in a run of 500 or more is the generator's (or the controller's) doing, not chance. Left out on purpose: lone-fresh-start (both
// controllers start together), locked/peer-locked (nothing is locked), swact-rollback (a takeover that
// fails: about 5 in 1000) and group-failed (no service is made to fail; it happens only by accident).
const std::vector<std::string> kExpected{
    "rule:name-tie",        "rule:fresher-peer",   "rule:peer-active",       "rule:peer-dead",
    "rule:fresher-replica", "rule:higher-term",    "rule:swact",             "rule:force-swact",
    "rule:isolated",        "rule:outdated",       "rule:more-nodes",        "rule:storage-0",
    "rule:health",          "decision:peer-dead",  "decision:isolated",      "decision:storage-0",
    "decision:more-nodes",  "decision:current-active", "interface:lost",     "interface:ok",
    "sync:in-sync",         "sync:resyncing",      "sync:away",              "sync:degraded",
    "swact:done",           "swact:refused",       "fault:host-crash",       "fault:host-restart",
    "fault:network-down",   "fault:partition",     "fault:message-loss",     "fault:message-delay"};

void check_mode(HaMode mode) {
  const int wanted = schedules_from_env();
  const std::string name(to_string(mode));
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = wanted;
  rc::detail::TestMetadata meta;
  meta.id = "ha_property." + name;
  meta.description = "HA invariants, " + name + " mode";

  std::map<std::string, int> reached;  // coverage item -> schedules that reached it (before any failure)
  int ran = 0;
  double build_s = 0, simulate_s = 0;
  bool failing = false;
  std::optional<std::pair<HaSchedule, Outcome>> last_failure;  // after shrinking: the smallest failing one

  const auto result = rc::detail::checkTestable(
      [&] {
        const HaSchedule s = *gen_schedule(mode);
        Outcome o = run(s);
        const bool ok = o.error.empty() && o.report.ok();
        if (!failing) {
          ++ran;
          build_s += o.build_s;
          simulate_s += o.simulate_s;
          for (const auto& item : o.report.coverage.items()) ++reached[item];
        }
        if (!ok) {
          failing = true;
          last_failure.emplace(s, o);
          RC_FAIL(o.error.empty() ? describe(o.report) : "the simulation failed: " + o.error);
        }
      },
      meta, params);

  std::cout << "HA property, " << name << " mode: " << ran << " schedule(s), rapidcheck seed " << params.seed
            << "; per schedule " << (ran ? 1e3 * build_s / ran : 0) << " ms building the scenario, "
            << (ran ? 1e3 * simulate_s / ran : 0) << " ms simulating and checking\n";
  std::cout << "coverage (schedules reaching each):\n";
  for (const auto& [item, n] : reached) std::cout << "  " << item << " " << n << "\n";

  if (result.template is<rc::detail::FailureResult>()) {
    const auto& failure = result.template get<rc::detail::FailureResult>();
    ASSERT_TRUE(last_failure) << "rapidcheck failed without a failing schedule: " << failure.description;
    const auto& [s, o] = *last_failure;
    const std::filesystem::path dir = ROOST_HA_FAILURE_DIR;
    std::filesystem::create_directories(dir);
    const std::string file = (dir / ("ha-" + name + "-" + std::to_string(params.seed) + ".json")).string();
    const auto scenario = ha_scenario_json(s, "ha-" + name + "-" + std::to_string(params.seed));
    std::ofstream(file) << scenario.dump(2) << "\n";
    ADD_FAILURE() << "HA invariants violated (" << name << " mode) after " << failure.numSuccess
                  << " passing schedule(s); rapidcheck seed " << params.seed << " (rerun: RC_PARAMS=\"seed="
                  << params.seed << "\" ROOST_HA_SCHEDULES=" << wanted << ")\n"
                  << "shrunk schedule: " << describe(s) << "\n"
                  << (o.error.empty() ? describe(o.report) : "the simulation failed: " + o.error + "\n")
                  << "written to " << file << "\nreplay: " << ROOST_CLI_PATH << " sim replay " << file << "\n"
                  << scenario.dump(2);
    return;
  }
  if (result.template is<rc::detail::GaveUpResult>())
    FAIL() << "rapidcheck gave up: " << result.template get<rc::detail::GaveUpResult>().description;
  if (result.template is<rc::detail::Error>())
    FAIL() << "rapidcheck error: " << result.template get<rc::detail::Error>().description;

  if (ran < kCoverageMinSchedules) {
    std::cout << "(coverage not enforced below " << kCoverageMinSchedules << " schedules)\n";
    return;
  }
  for (const auto& item : kExpected)
    if (!reached.count(item)) {
      const auto colon = item.find(':');
      ADD_FAILURE() << "generator never reached " << item.substr(0, colon) << " " << item.substr(colon + 1) << " in "
                    << ran << " " << name << " schedules";
    }
}

TEST(HaProperty, Safety) { check_mode(HaMode::Safety); }
TEST(HaProperty, Liveness) { check_mode(HaMode::Liveness); }

// The generator only makes schedules the lab accepts (validate_schedule would throw inside the property
// and read as an HA failure otherwise).
TEST(HaProperty, GeneratedSchedulesAreValidLabSchedules) {
  for (HaMode mode : {HaMode::Safety, HaMode::Liveness}) {
    const auto result = rc::detail::checkTestable([mode] { validate_schedule(*gen_schedule(mode)); });
    EXPECT_TRUE(result.template is<rc::detail::SuccessResult>()) << to_string(mode);
  }
}

}  // namespace
}  // namespace roost::harness
