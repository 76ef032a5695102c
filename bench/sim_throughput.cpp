// How fast the simulated runtime goes on a large fleet (not a test: it measures).
//
//   bench_sim_throughput [--sites N] [--duration S] [--phase lan|wan|all] [--period-ms P]
//                        [--wan-interval-ms I] [--pad-bytes B] [--lan-mode local|simgrid]
//
// Phase "lan": every site runs a pulse controller and 2 pulse hosts at P ms (default 100): the per-site
// event queues' throughput (timers and LAN deliveries per wall second).
// Phase "wan": a hub in a core site calls one agent per site every I ms (staggered) and every agent sends
// the hub a report datagram at the same rate: SimGrid WAN messages per wall second.
// Each phase runs in its own forked process (SimGrid 3.32: one engine per process) and reports its own
// peak RSS (getrusage).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "platform/core/node.h"
#include "platform/roles.h"
#include "sim/simulation.h"

namespace {

using namespace roost;
using nlohmann::json;

// Bench-only messages (the tests' 0x7fxx band).
struct Probe {
  static constexpr core::MessageTypeId kType = 0x7f21;
  static constexpr std::string_view kName = "bench.probe";
  std::uint64_t n = 0;
  std::string pad;
  template <class V>
  void visit(V& v) { v("n", n); v("pad", pad); }
  struct Response;
};
struct Probe::Response {
  static constexpr core::MessageTypeId kType = 0x7f22;
  static constexpr std::string_view kName = "bench.probe_reply";
  std::uint64_t n = 0;
  template <class V>
  void visit(V& v) { v("n", n); }
};
struct Report {
  static constexpr core::MessageTypeId kType = 0x7f23;
  static constexpr std::string_view kName = "bench.report";
  std::uint64_t n = 0;
  template <class V>
  void visit(V& v) { v("n", n); }
};

// Calls every agent once per interval, spread evenly over the interval.
class Hub : public core::Node {
 public:
  Hub(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
    const auto& c = this->spec().config;
    agents_ = c.at("agents").get<std::vector<std::string>>();
    interval_ = core::from_seconds(c.at("interval_ms").get<double>() / 1000);
    pad_ = std::string(c.value("pad_bytes", std::size_t{0}), 'x');
    on<Report>([this](const core::Peer&, const Report&) { ++reports_; });
  }
  void start() override {
    for (std::size_t i = 0; i < agents_.size(); ++i)
      after(interval_ * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(agents_.size()), [this, i] { probe(i); });
  }

 private:
  void probe(std::size_t i) {
    call<Probe>(agents_[i], core::Network::Wan, Probe{++sent_, pad_}, interval_, [this](core::Result<Probe::Response> r) {
      if (!r.ok()) ++failures_;
    });
    after(interval_, [this, i] { probe(i); });
  }
  std::vector<std::string> agents_;
  core::Duration interval_{};
  std::string pad_;
  std::uint64_t sent_ = 0, reports_ = 0, failures_ = 0;
};

// Answers the hub's probes and reports to it once per interval.
class Agent : public core::Node {
 public:
  Agent(core::Env& env, core::NodeSpec spec) : Node(env, std::move(spec)) {
    interval_ = core::from_seconds(this->spec().config.at("interval_ms").get<double>() / 1000);
    hub_ = this->spec().config.at("hub").get<std::string>();
    on_call<Probe>([](const core::Peer&, const Probe& p, core::Responder<Probe::Response> reply) {
      reply(Probe::Response{p.n});
    });
  }
  void start() override { after(interval_ / 2, [this] { report(); }); }

 private:
  void report() {
    send(hub_, core::Network::Wan, Report{++n_});
    after(interval_, [this] { report(); });
  }
  core::Duration interval_{};
  std::string hub_;
  std::uint64_t n_ = 0;
};

core::RoleRegistry bench_roles() {
  core::RoleRegistry r;
  r.add("bench-hub", [](core::Env& e, const core::NodeSpec& s) { return std::make_unique<Hub>(e, s); });
  r.add("bench-agent", [](core::Env& e, const core::NodeSpec& s) { return std::make_unique<Agent>(e, s); });
  for (const auto& name : platform::roles().roles())
    r.add(name, [](core::Env& e, const core::NodeSpec& s) { return platform::roles().make(e, s); });
  return r;
}

struct Options {
  int sites = 1000;
  double duration_s = 60;
  std::string phase = "all";
  double period_ms = 100;
  double wan_interval_ms = 1000;
  std::size_t pad_bytes = 200;
  std::string lan_mode = "local";
};

sim::SimNodeSpec node(std::string name, std::string role, json config, std::vector<core::Network> networks) {
  sim::SimNodeSpec n;
  n.node.name = std::move(name);
  n.node.role = std::move(role);
  n.node.config = std::move(config);
  n.networks = std::move(networks);
  return n;
}

sim::SimConfig fleet(const Options& o, bool lan) {
  using core::Network;
  sim::SimConfig c;
  c.seed = 1;
  c.duration = core::from_seconds(o.duration_s);
  c.lan_mode = o.lan_mode == "simgrid" ? sim::LanMode::SimGrid : sim::LanMode::LocalQueue;
  std::vector<std::string> agents;
  for (int s = 0; s < o.sites; ++s) {
    sim::SiteSpec site;
    site.name = "site-" + std::to_string(s);
    site.wan.latency = core::microseconds(5000 + 45 * (s % 1000));  // 5..50 ms access latencies
    site.wan.bandwidth_bps = 100e6;
    const std::string prefix = site.name + ".";
    if (lan) {
      const std::vector<std::string> hosts{prefix + "host-0", prefix + "host-1"};
      site.nodes.push_back(node(prefix + "controller", "pulse-controller",
                                {{"hosts", hosts}, {"period_ms", o.period_ms}, {"miss_threshold", 5}},
                                {Network::Management}));
      for (const auto& h : hosts) site.nodes.push_back(node(h, "pulse-host", json::object(), {Network::Management}));
    } else {
      agents.push_back(prefix + "agent");
      site.nodes.push_back(node(agents.back(), "bench-agent", {{"interval_ms", o.wan_interval_ms}, {"hub", "hub"}},
                                {Network::Management, Network::Wan}));
    }
    c.sites.push_back(std::move(site));
  }
  if (!lan) {
    sim::SiteSpec core_site;
    core_site.name = "core";
    core_site.wan = sim::LinkSpec{core::milliseconds(1), 10e9, 0, {}};
    core_site.nodes.push_back(node("hub", "bench-hub",
                                   {{"agents", agents}, {"interval_ms", o.wan_interval_ms}, {"pad_bytes", o.pad_bytes}},
                                   {Network::Management, Network::Wan}));
    c.sites.push_back(std::move(core_site));
  }
  return c;
}

// Runs one phase in this (forked) process and prints its figures.
int run_phase(const Options& o, bool lan) {
  const auto roles = bench_roles();
  sim::Simulation simulation(fleet(o, lan), roles);
  const sim::SimResult r = simulation.run();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const auto& s = r.stats;
  const double wall = s.wall_seconds;
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("phase %s: %d sites, %.0f s simulated in %.2f s wall (sim/real %.1fx), lan mode %s\n",
              lan ? "lan (pulse controller + 2 hosts per site)" : "wan (hub <-> one agent per site)", o.sites,
              s.sim_seconds, wall, s.sim_seconds / wall, o.lan_mode.c_str());
  std::printf("  events %llu (timers %llu, local messages %llu, SimGrid messages %llu, dropped %llu, calls %llu, failed %llu)\n",
              static_cast<unsigned long long>(s.events()), static_cast<unsigned long long>(s.timer_events),
              static_cast<unsigned long long>(s.local_messages), static_cast<unsigned long long>(s.simgrid_messages),
              static_cast<unsigned long long>(s.dropped_messages), static_cast<unsigned long long>(s.calls),
              static_cast<unsigned long long>(s.call_failures));
  std::printf("  local-queue events per wall second: %.0f\n",
              static_cast<double>(s.timer_events + s.local_messages) / wall);
  std::printf("  SimGrid messages per wall second:   %.0f (%.1f MB moved)\n",
              static_cast<double>(s.simgrid_messages) / wall, static_cast<double>(s.simgrid_bytes) / 1e6);
  std::printf("  all events per wall second:         %.0f\n", static_cast<double>(s.events()) / wall);
  std::printf("  CPU time: %.2f s (all events per CPU second: %.0f; differs from wall when the machine is busy)\n", cpu,
              static_cast<double>(s.events()) / cpu);
  std::printf("  peak RSS: %.1f MB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  std::printf("  trace hash: %s\n", r.trace_hash.c_str());
  std::fflush(stdout);
  return 0;
}

int run_forked(const Options& o, bool lan) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 1;
  }
  if (pid == 0) {
    int code = 1;
    try {
      code = run_phase(o, lan);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_sim_throughput: %s\n", e.what());
    }
    std::fflush(nullptr);
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Simulated runtime throughput on a large fleet"};
  app.add_option("--sites", o.sites, "number of sites")->check(CLI::PositiveNumber);
  app.add_option("--duration", o.duration_s, "simulated seconds per phase")->check(CLI::PositiveNumber);
  app.add_option("--phase", o.phase, "lan, wan or all")->check(CLI::IsMember({"lan", "wan", "all"}));
  app.add_option("--period-ms", o.period_ms, "pulse period (lan phase)")->check(CLI::PositiveNumber);
  app.add_option("--wan-interval-ms", o.wan_interval_ms, "hub probe and agent report interval (wan phase)")
      ->check(CLI::PositiveNumber);
  app.add_option("--pad-bytes", o.pad_bytes, "padding of each probe request (wan phase)");
  app.add_option("--lan-mode", o.lan_mode, "local or simgrid")->check(CLI::IsMember({"local", "simgrid"}));
  CLI11_PARSE(app, argc, argv);

  int rc = 0;
  if (o.phase == "lan" || o.phase == "all") rc |= run_forked(o, true);
  if (o.phase == "wan" || o.phase == "all") rc |= run_forked(o, false);
  return rc;
}
