// Controller failover and swact times, as a client of the floating name sees them, on both runtimes
// (tests/support/sm_lab.h: controller-0/1 with fm + mtce, worker-0 as witness, the floating "controller").
//   failover: the active dies -> the first successful answer on the floating endpoint.
//     real: kill -9 of the active's roostd, then GET /v1/alarms on the floating OAM address every 10 ms;
//     sim:  a host-crash of the active; the answer is the first probe.ack (a write acknowledged through the
//           floating name; the probe writes every 10 ms with a 100 ms timeout) at or after the new active's
//           floating.claim.
//   swact: the swact request -> the first successful answer from the new active on the floating endpoint.
//     real: PATCH /v1/servicenode/<active> {"action": "swact"} on the floating address (the accepted one:
//           a refusal while the new standby catches up is retried), then GET /v1/sm/status there every
//           10 ms until it names the new active;
//     sim:  the probe's swact request; the first probe.ack at or after the new active's floating.claim.
// Each trial starts from a ready pair (an active, its standby in sync) at a random phase of the 200 ms
// hello period. The aim: failover p99 <= 2.0 s, swact p99 <= 1 s.
//
//   sm_failover_bench                        # 20 trials each, both runtimes
//   sm_failover_bench --runtime sim --trials 200
#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>

#include "backends/blocking_http.h"
#include "platform/roles.h"
#include "sim/simulation.h"
#include "tests/support/sm_lab.h"
#include "tests/support/trace_query.h"

namespace {

using namespace std::chrono;
using namespace roost;
using testing::TraceQuery;
namespace lab_names = testing::sm_lab;

struct Samples {
  std::vector<double> values;
  int failed = 0;  // trials without a measurement (printed, never silently dropped)
};

struct Figures {
  Samples failover, swact;
};

void print_row(const char* metric, const char* runtime, const Samples& s) {
  if (s.values.empty()) return void(std::printf("%-9s %-5s no samples (%d failed trials)\n", metric, runtime, s.failed));
  auto v = s.values;
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) { return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))]; };
  std::printf("%-9s %-5s trials %3zu  p50 %.3f s  p99 %.3f s  min %.3f s  max %.3f s", metric, runtime, v.size(),
              pct(0.5), pct(0.99), v.front(), v.back());
  if (s.failed) std::printf("  (%d failed trials)", s.failed);
  std::printf("\n");
}

// ---- simulation ---------------------------------------------------------------------------------------

constexpr double kSimStart = 5;           // the pair has settled (name-tie at ~0.4 s, in sync)
constexpr double kSimCrashSpacing = 8;    // crash, takeover (~1 s), restart after 2 s, resync, margin
constexpr double kSimCrashDown = 2;
constexpr double kSimSwactSpacing = 3;    // swact, the new standby in sync again, margin

// The node holding the floating name just before `t` ("" if none), from the trace's claims and releases.
std::string holder_before(const TraceQuery& q, double t) {
  std::string holder;
  for (const auto& r : q.records()) {
    if (TraceQuery::seconds(r) >= t) break;
    if (r.event == "floating.claim") holder = TraceQuery::text(r, "node");
    if (r.event == "floating.release" && TraceQuery::text(r, "node") == holder) holder.clear();
  }
  return holder;
}

// From `t`: the first floating.claim by a node other than `old_holder`, then the first probe.ack at or after
// it; the time from `t` to that ack, or nullopt if either is missing before `limit`.
std::optional<double> first_answer_from_new_active(const TraceQuery& q, double t, const std::string& old_holder,
                                                   double limit) {
  std::optional<double> claimed;
  for (const auto& r : q.records()) {
    const double rt = TraceQuery::seconds(r);
    if (rt < t) continue;
    if (rt > limit) break;
    if (!claimed && r.event == "floating.claim" && TraceQuery::text(r, "node") != old_holder) claimed = rt;
    if (claimed && r.event == "probe.ack" && rt >= *claimed) return rt - t;
  }
  return std::nullopt;
}

Figures sim_figures(int trials, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> phase(0, 0.2);  // where in the hello period the fault lands
  std::vector<double> crash_at, swact_at;
  std::vector<sim::FaultSpec> faults;
  // Crashes alternate between the controllers: each takeover makes the other one active, and the crashed
  // one is back as a standby in sync well before it is the next to go.
  for (int i = 0; i < trials; ++i) {
    const double t = kSimStart + kSimCrashSpacing * i + phase(rng);
    crash_at.push_back(t);
    sim::FaultSpec f{sim::FaultKind::HostCrash, core::at_seconds(t), core::at_seconds(t + kSimCrashDown)};
    f.nodes = {i % 2 == 0 ? lab_names::kController0 : lab_names::kController1};
    faults.push_back(f);
  }
  const double swacts_from = kSimStart + kSimCrashSpacing * trials;
  nlohmann::json swacts = nlohmann::json::array();
  for (int i = 0; i < trials; ++i) {
    const double t = swacts_from + kSimSwactSpacing * i + phase(rng);
    swact_at.push_back(t);
    swacts.push_back({{"at_ms", static_cast<std::int64_t>(t * 1000)}});
  }
  const nlohmann::json probe = {{"target", lab_names::kFloating},
                                {"write_period_ms", 10},
                                {"write_timeout_ms", 100},
                                {"alarm_id", lab_names::kProbeAlarm},
                                {"swacts", swacts}};
  const double duration = swacts_from + kSimSwactSpacing * trials + 2;
  auto cfg = testing::sm_lab_sim(testing::SmLabSpec{}, probe, seed, core::from_seconds(duration));
  cfg.faults = faults;
  const TraceQuery q(sim::run_in_child(cfg, platform::roles()).trace);

  Figures out;
  for (int i = 0; i < trials; ++i) {
    const double t = crash_at[i];
    const std::string crashed = faults[i].nodes[0];
    const std::string holder = holder_before(q, t);
    std::optional<double> d;
    if (holder == crashed) d = first_answer_from_new_active(q, t, crashed, t + kSimCrashSpacing - 0.5);
    if (d) out.failover.values.push_back(*d);
    else {
      ++out.failover.failed;
      std::fprintf(stderr, "sim: crash %d of %s at %.3f s: %s\n", i, crashed.c_str(), t,
                   holder != crashed ? ("the floating name was held by '" + holder + "'").c_str()
                                     : "no answer from a new active");
    }
  }
  for (int i = 0; i < trials; ++i) {
    const double t = swact_at[i];
    const std::string holder = holder_before(q, t);
    const auto d = first_answer_from_new_active(q, t, holder, t + kSimSwactSpacing - 0.2);
    if (d) out.swact.values.push_back(*d);
    else {
      ++out.swact.failed;
      std::string answer = "no probe.swact answer";
      for (const auto& r : q.all("probe.swact", lab_names::kProbe))
        if (TraceQuery::seconds(r) >= t) {
          answer = "probe.swact ok=" + std::string(TraceQuery::flag(r, "ok") ? "true" : "false") + " " +
                   TraceQuery::text(r, "error");
          break;
        }
      std::fprintf(stderr, "sim: swact %d at %.3f s (active %s): activity did not move (%s)\n", i, t, holder.c_str(),
                   answer.c_str());
    }
  }
  return out;
}

// ---- real ---------------------------------------------------------------------------------------------

using Clock = steady_clock;
double since(Clock::time_point t) { return duration<double>(Clock::now() - t).count(); }

// Polls `target` at the floating OAM address every 10 ms from `t0` until `accept` takes an answer or `limit`.
template <class Accept>
std::optional<double> poll_floating(const std::string& address, std::uint16_t port, const std::string& target,
                                    Clock::time_point t0, double limit, Accept accept) {
  backends::BlockingHttpClient http(backends::HttpUrl{address, port, ""}, core::milliseconds(500));
  while (since(t0) < limit) {
    const auto tick = Clock::now();
    const auto r = http.get(target);
    if (r.status == 200 && accept(r.body)) return since(t0);
    std::this_thread::sleep_until(tick + milliseconds(10));
  }
  return std::nullopt;
}

Figures real_figures(int trials, std::uint64_t seed) {
  testing::SmRealLab lab;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> phase_ms(0, 200);
  Figures out;
  for (int i = 0; i < trials; ++i) {
    const std::string active = lab.wait_pair_ready();
    std::this_thread::sleep_for(milliseconds(phase_ms(rng)));
    const auto t0 = Clock::now();
    lab.lab.kill(testing::sm_lab_process(active));
    const auto d = poll_floating(lab.floating_oam, lab_names::kFmRestPort, "/v1/alarms?limit=1", t0, 5.0,
                                 [](const std::string&) { return true; });
    if (d) out.failover.values.push_back(*d);
    else {
      ++out.failover.failed;
      std::fprintf(stderr, "real: kill %d of %s: no answer at the floating FM REST API within 5 s\n", i, active.c_str());
    }
    lab.lab.start(testing::sm_lab_process(active));
    if ((i + 1) % 5 == 0) std::fprintf(stderr, "real: %d/%d failovers\n", i + 1, trials);
  }
  for (int i = 0; i < trials; ++i) {
    const std::string active = lab.wait_pair_ready();
    const std::string peer = testing::sm_lab_peer(active);
    std::this_thread::sleep_for(milliseconds(phase_ms(rng)));
    backends::BlockingHttpClient http(backends::HttpUrl{lab.floating_oam, lab_names::kSmRestPort, ""}, core::seconds(3));
    // The active's status may say in sync a hello period before the standby's own hellos do (the swact
    // checks both): a refusal then is retried, and the time counts from the accepted request.
    const auto first = Clock::now();
    auto t0 = first;
    auto r = http.request("PATCH", "/v1/servicenode/" + active, R"({"action": "swact"})");
    while (r.status == 409 && since(first) < 3.0) {
      std::this_thread::sleep_for(milliseconds(20));
      t0 = Clock::now();
      r = http.request("PATCH", "/v1/servicenode/" + active, R"({"action": "swact"})");
    }
    std::optional<double> d;
    if (r.status == 200)
      d = poll_floating(lab.floating_oam, lab_names::kSmRestPort, "/v1/sm/status", t0, 3.0, [&](const std::string& body) {
        const auto s = nlohmann::json::parse(body, nullptr, false);
        return !s.is_discarded() && s.value("node", "") == peer && s.value("role", "") == "active";
      });
    if (d) out.swact.values.push_back(*d);
    else {
      ++out.swact.failed;
      std::fprintf(stderr, "real: swact %d of %s: %s\n", i, active.c_str(),
                   r.status == 200 ? "the floating endpoint did not name the peer active within 3 s"
                                   : (std::to_string(r.status) + " " + backends::describe_failure(r) + " " + r.body).c_str());
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Controller failover and swact times at the floating endpoint, on both runtimes"};
  std::string runtime = "both";
  int trials = 20;
  std::uint64_t seed = 1;
  app.add_option("--runtime", runtime, "sim, real or both")->check(CLI::IsMember({"sim", "real", "both"}));
  app.add_option("--trials", trials, "trials per runtime and measure")->check(CLI::Range(1, 10000));
  app.add_option("--seed", seed, "seed of the simulation and of the fault phases");
  CLI11_PARSE(app, argc, argv);
  const bool sim = runtime != "real", real = runtime != "sim";
  try {
    std::optional<Figures> s, r;
    if (sim) s = sim_figures(trials, seed);
    if (real) r = real_figures(trials, seed);
    std::printf("hello 200 ms, dead 800 ms, fail-pending 600 ms; aim: failover p99 <= 2.0 s, swact p99 <= 1 s\n");
    if (s) print_row("failover", "sim", s->failover);
    if (r) print_row("failover", "real", r->failover);
    if (s) print_row("swact", "sim", s->swact);
    if (r) print_row("swact", "real", r->swact);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sm_failover_bench: %s\n", e.what());
    return 3;
  }
  return 0;
}
