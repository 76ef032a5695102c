// Controller failover and swact times, as a client of the floating name sees them, on both runtimes
// (tests/support/sm_lab.h: controller-0/1 with fm + mtce, worker-0 as witness, the floating "controller").
//   failover: the active dies -> the first successful answer on the floating endpoint.
//     real: kill -9 of the active's roostd, then every 10 ms GET /v1/alarms on the floating OAM address (the
//           first answer) and, on a second client, POST /v1/alarms (the first acknowledged write: the new
//           active acknowledges alone only once the witnesses prove the old one down);
//     sim:  a host-crash of the active; the simulation has no HTTP, so the answer is the first probe.ack (a
//           write acknowledged through the floating name; the probe writes every 10 ms with a 100 ms
//           timeout) at or after the new active's floating.claim.
//   swact: the swact request -> the first successful answer from the new active on the floating endpoint.
//     real: PATCH /v1/servicenode/<active> {"action": "swact"} on the floating address (the accepted one: a
//           refusal while the peer's hellos do not yet say "in sync" is retried), then every 10 ms GET
//           /v1/sm/status there until it names the new active, and POST /v1/alarms until one is acknowledged;
//     sim:  the probe's swact request; the first probe.ack at or after the new active's floating.claim.
// Each trial starts from a ready pair (an active, its standby in sync in both views) at a random phase of
// the 200 ms hello period. The aim: failover p99 <= 2.0 s, swact p99 <= 1 s.
//
//   sm_failover_bench                        # 20 trials each, both runtimes
//   sm_failover_bench --runtime sim --trials 200
#include <algorithm>
#include <atomic>
#include <future>
#include <cstdio>
#include <optional>
#include <random>
#include <type_traits>
#include <variant>
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

// Per measure: the first answer (real: a read; the simulation's probe only writes) and the first
// acknowledged write through the floating name.
struct Figures {
  Samples failover, failover_write, swact, swact_write;
};

void print_row(const char* metric, const char* runtime, const char* what, const Samples& s) {
  if (s.values.empty())
    return void(std::printf("%-9s %-5s %-26s no samples (%d failed trials)\n", metric, runtime, what, s.failed));
  auto v = s.values;
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) { return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))]; };
  std::printf("%-9s %-5s %-26s trials %3zu  p50 %.3f s  p99 %.3f s  min %.3f s  max %.3f s", metric, runtime, what,
              v.size(), pct(0.5), pct(0.99), v.front(), v.back());
  if (s.failed) std::printf("  (%d failed trials)", s.failed);
  std::printf("\n");
}

// ---- simulation ---------------------------------------------------------------------------------------

constexpr double kSimStart = 5;           // the pair has settled (name-tie at ~0.4 s, in sync)
constexpr double kSimCrashSpacing = 8;    // crash, takeover (~1 s), restart after 2 s, resync, margin
constexpr double kSimCrashDown = 2;
constexpr double kSimSwactSpacing = 3;    // swact, the new standby in sync again, margin
// Fault and swact times are doubles here and nanoseconds in the trace: a record of the fault's own instant
// may read a hair below it.
constexpr double kSameInstant = 1e-6;

// The node holding the floating name just before `t` ("" if none), from the trace's claims and releases.
std::string holder_before(const TraceQuery& q, double t) {
  std::string holder;
  for (const auto& r : q.records()) {
    if (TraceQuery::seconds(r) >= t - kSameInstant) break;
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
    if (rt < t - kSameInstant) continue;
    if (rt > limit) break;
    if (!claimed && r.event == "floating.claim" && TraceQuery::text(r, "node") != old_holder) claimed = rt;
    if (claimed && r.event == "probe.ack" && rt >= *claimed) return rt - t;
  }
  return std::nullopt;
}

// Writes the trace's pair records (sm.*, floating.*, node.*, probe.swact/ack/write_failed) to `path`, one line
// each, for a look at a trial that did not measure.
void write_pair_trace(const TraceQuery& q, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + path);
  for (const auto& r : q.records()) {
    const bool pair = r.event.rfind("sm.", 0) == 0 || r.event.rfind("floating.", 0) == 0 ||
                      r.event.rfind("node.", 0) == 0 || r.event == "probe.swact" || r.event == "probe.ack" ||
                      r.event == "probe.write_failed";
    if (!pair) continue;
    std::string fields;
    for (const auto& fld : r.fields) {
      fields += " " + fld.key + "=";
      std::visit([&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) fields += v;
        else if constexpr (std::is_same_v<T, bool>) fields += v ? "true" : "false";
        else if constexpr (std::is_arithmetic_v<T>) fields += std::to_string(v);
        else fields += "?";
      }, fld.value);
    }
    std::fprintf(f, "%.4f %-13s %-22s%s\n", TraceQuery::seconds(r), r.node.c_str(), r.event.c_str(), fields.c_str());
  }
  std::fclose(f);
}

Figures sim_figures(int trials, std::uint64_t seed, const std::string& trace_path) {
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
    // Whole milliseconds: the probe's at_ms is the swact's exact time.
    const auto at_ms = static_cast<std::int64_t>((swacts_from + kSimSwactSpacing * i + phase(rng)) * 1000);
    swact_at.push_back(static_cast<double>(at_ms) / 1000);
    swacts.push_back({{"at_ms", at_ms}});
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
  if (!trace_path.empty()) write_pair_trace(q, trace_path);

  Figures out;
  for (int i = 0; i < trials; ++i) {
    const double t = crash_at[i];
    const std::string crashed = faults[i].nodes[0];
    const std::string holder = holder_before(q, t);
    std::optional<double> d;
    if (holder == crashed) d = first_answer_from_new_active(q, t, crashed, t + kSimCrashSpacing - 0.5);
    if (d) out.failover_write.values.push_back(*d);
    else {
      ++out.failover_write.failed;
      std::fprintf(stderr, "sim: crash %d of %s at %.3f s: %s\n", i, crashed.c_str(), t,
                   holder != crashed ? ("the floating name was held by '" + holder + "'").c_str()
                                     : "no answer from a new active");
    }
  }
  for (int i = 0; i < trials; ++i) {
    const double t = swact_at[i];
    const std::string holder = holder_before(q, t);
    const auto d = first_answer_from_new_active(q, t, holder, t + kSimSwactSpacing - 0.2);
    if (d) out.swact_write.values.push_back(*d);
    else {
      ++out.swact_write.failed;
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

// Sends `request` (a fresh attempt every 10 ms, one keep-alive client) from `t0` until `accept` takes an
// answer or `limit` s have passed; the time from t0 to the accepted answer.
template <class Request, class Accept>
std::optional<double> first_success(const std::string& address, std::uint16_t port, Clock::time_point t0, double limit,
                                    Request request, Accept accept) {
  backends::BlockingHttpClient http(backends::HttpUrl{address, port, ""}, core::milliseconds(500));
  while (since(t0) < limit) {
    const auto tick = Clock::now();
    const auto r = request(http);
    if (accept(r)) return since(t0);
    std::this_thread::sleep_until(tick + milliseconds(10));
  }
  return std::nullopt;
}

// The first acknowledged (2xx) POST /v1/alarms at the floating FM REST API from t0, on its own thread.
std::future<std::optional<double>> first_write(const std::string& address, Clock::time_point t0, double limit) {
  return std::async(std::launch::async, [address, t0, limit] {
    static std::atomic<std::uint64_t> n{0};
    return first_success(
        address, lab_names::kFmRestPort, t0, limit,
        [](backends::BlockingHttpClient& http) {
          const nlohmann::json body = {{"alarm_id", lab_names::kProbeAlarm},
                                       {"entity_instance_id", "probe=bench.write=" + std::to_string(n++)},
                                       {"severity", "major"}};
          return http.request("POST", "/v1/alarms", body.dump());
        },
        [](const backends::HttpClientResult& r) { return r.status >= 200 && r.status < 300; });
  });
}

void record(Samples& s, const std::optional<double>& d, const std::string& what) {
  if (d) return s.values.push_back(*d);
  ++s.failed;
  std::fprintf(stderr, "real: %s\n", what.c_str());
}

Figures real_figures(int trials, std::uint64_t seed) {
  testing::SmRealLab lab;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> phase_ms(0, 200);
  const auto get_ok = [](const backends::HttpClientResult& r) { return r.status == 200; };
  Figures out;
  for (int i = 0; i < trials; ++i) {
    const std::string active = lab.wait_pair_ready();
    std::this_thread::sleep_for(milliseconds(phase_ms(rng)));
    const auto t0 = Clock::now();
    lab.lab.kill(testing::sm_lab_process(active));
    auto write = first_write(lab.floating_oam, t0, 5.0);
    const auto read = first_success(
        lab.floating_oam, lab_names::kFmRestPort, t0, 5.0,
        [](backends::BlockingHttpClient& http) { return http.get("/v1/alarms?limit=1"); }, get_ok);
    const std::string trial = "kill " + std::to_string(i) + " of " + active + ": ";
    record(out.failover, read, trial + "no answer at the floating FM REST API within 5 s");
    record(out.failover_write, write.get(), trial + "no write acknowledged at the floating FM REST API within 5 s");
    lab.lab.start(testing::sm_lab_process(active));
    if ((i + 1) % 5 == 0) std::fprintf(stderr, "real: %d/%d failovers\n", i + 1, trials);
  }
  for (int i = 0; i < trials; ++i) {
    const std::string active = lab.wait_pair_ready();
    const std::string peer = testing::sm_lab_peer(active);
    std::this_thread::sleep_for(milliseconds(phase_ms(rng)));
    backends::BlockingHttpClient http(backends::HttpUrl{lab.floating_oam, lab_names::kSmRestPort, ""},
                                      core::seconds(3));
    // The active accepts a swact once its peer's hellos say "in sync", up to a hello period after both
    // statuses do: a refusal then is retried, and the time counts from the accepted request.
    const auto first = Clock::now();
    auto t0 = first;
    auto r = http.request("PATCH", "/v1/servicenode/" + active, R"({"action": "swact"})");
    while (r.status == 409 && since(first) < 3.0) {
      std::this_thread::sleep_for(milliseconds(20));
      t0 = Clock::now();
      r = http.request("PATCH", "/v1/servicenode/" + active, R"({"action": "swact"})");
    }
    const std::string trial = "swact " + std::to_string(i) + " of " + active + ": ";
    if (r.status != 200) {
      const std::string why = trial + std::to_string(r.status) + " " + backends::describe_failure(r) + " " + r.body;
      record(out.swact, std::nullopt, why);
      record(out.swact_write, std::nullopt, why);
      continue;
    }
    auto write = first_write(lab.floating_oam, t0, 3.0);
    const auto named = first_success(
        lab.floating_oam, lab_names::kSmRestPort, t0, 3.0,
        [](backends::BlockingHttpClient& c) { return c.get("/v1/sm/status"); },
        [&](const backends::HttpClientResult& res) {
          if (res.status != 200) return false;
          const auto st = nlohmann::json::parse(res.body, nullptr, false);
          return !st.is_discarded() && st.value("node", "") == peer && st.value("role", "") == "active";
        });
    record(out.swact, named, trial + "the floating endpoint did not name " + peer + " active within 3 s");
    record(out.swact_write, write.get(), trial + "no write acknowledged at the floating FM REST API within 3 s");
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Controller failover and swact times at the floating endpoint, on both runtimes"};
  std::string runtime = "both";
  int trials = 20;
  std::uint64_t seed = 1;
  std::string sim_trace;
  app.add_option("--sim-trace", sim_trace, "write the simulation's pair records (sm.*, floating.*) to this file");
  app.add_option("--runtime", runtime, "sim, real or both")->check(CLI::IsMember({"sim", "real", "both"}));
  app.add_option("--trials", trials, "trials per runtime and measure")->check(CLI::Range(1, 10000));
  app.add_option("--seed", seed, "seed of the simulation and of the fault phases");
  CLI11_PARSE(app, argc, argv);
  const bool sim = runtime != "real", real = runtime != "sim";
  try {
    std::optional<Figures> s, r;
    if (sim) s = sim_figures(trials, seed, sim_trace);
    if (real) r = real_figures(trials, seed);
    std::printf("hello 200 ms, dead 800 ms, fail-pending 600 ms; aim: failover p99 <= 2.0 s, swact p99 <= 1 s\n");
    if (s) print_row("failover", "sim", "first acknowledged write", s->failover_write);
    if (r) print_row("failover", "real", "first answer (GET alarms)", r->failover);
    if (r) print_row("failover", "real", "first acknowledged write", r->failover_write);
    if (s) print_row("swact", "sim", "first acknowledged write", s->swact_write);
    if (r) print_row("swact", "real", "first answer (GET status)", r->swact);
    if (r) print_row("swact", "real", "first acknowledged write", r->swact_write);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sm_failover_bench: %s\n", e.what());
    return 3;
  }
  return 0;
}
