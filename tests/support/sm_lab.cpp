#include "tests/support/sm_lab.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "backends/blocking_http.h"

namespace roost::testing {

std::string sm_lab_process(const std::string& node) {
  if (node == sm_lab::kController0) return "c0";
  if (node == sm_lab::kController1) return "c1";
  if (node == sm_lab::kWorker) return "w0";
  throw std::invalid_argument("sm lab: no node " + node);
}

std::string sm_lab_peer(const std::string& controller) {
  if (controller == sm_lab::kController0) return sm_lab::kController1;
  if (controller == sm_lab::kController1) return sm_lab::kController0;
  throw std::invalid_argument("sm lab: " + controller + " is not a controller");
}

nlohmann::json sm_controller_config(const SmLabSpec& spec, const std::string& self) {
  const nlohmann::json mtce = {
      {"fm_node", sm_lab::kFloating},
      {"system", {{"name", "lab"}, {"system_mode", "duplex"}}},
      {"hosts",
       {{{"hostname", sm_lab::kWorker},
         {"personality", "worker"},
         {"administrative", "unlocked"},
         {"mgmt_mac", "52:54:00:00:00:10"}}}}};
  return {{"peer", sm_lab_peer(self)},
          {"floating", sm_lab::kFloating},
          {"hello_ms", spec.hello_ms},
          {"dead_ms", spec.dead_ms},
          {"fail_pending_ms", spec.fail_pending_ms},
          {"initial_wait_ms", spec.initial_wait_ms},
          {"witnesses", {sm_lab::kWorker}},
          {"auth_keys", {{"mgmt", "mgmt-secret"}, {"cluster-host", "ch-secret"}, {"oam", "oam-secret"}}},
          {"services", {{"fm", {{"rest_port", sm_lab::kFmRestPort}}}, {"mtce", mtce}}},
          {"rest_port", sm_lab::kSmRestPort}};
}

nlohmann::json sm_worker_config(const SmLabSpec& spec) {
  return {{"controllers", {sm_lab::kFloating}}, {"mtcalive_period_ms", spec.mtcalive_period_ms}};
}

std::vector<LabNode> sm_lab_nodes(const SmLabSpec& spec) {
  std::vector<LabNode> nodes;
  for (const auto& c : {sm_lab::kController0, sm_lab::kController1})
    nodes.push_back({c, "sm-controller", sm_lab_process(c), sm_controller_config(spec, c)});
  // On all three networks: the witness the controllers ping on each of theirs.
  nodes.push_back({sm_lab::kWorker, "host-agent", sm_lab_process(sm_lab::kWorker), sm_worker_config(spec)});
  return nodes;
}

LabFloating sm_lab_floating() { return {sm_lab::kFloating}; }

namespace {

RealLab::Options with_floating(RealLab::Options o) {
  o.floating.push_back(sm_lab_floating());
  return o;
}

core::Duration to_core(std::chrono::milliseconds d) { return core::milliseconds(d.count()); }

}  // namespace

SmRealLab::SmRealLab(const SmLabSpec& spec, RealLab::Options options)
    : lab(sm_lab_nodes(spec), with_floating(std::move(options))),
      floating_oam(lab.floating_address(sm_lab::kFloating, core::Network::Oam)) {
  lab.start();
}

namespace {

std::optional<nlohmann::json> status_at(const std::string& address, std::chrono::milliseconds timeout) {
  backends::BlockingHttpClient http(backends::HttpUrl{address, sm_lab::kSmRestPort, ""}, to_core(timeout));
  const auto r = http.get("/v1/sm/status");
  if (r.status != 200) return std::nullopt;
  return nlohmann::json::parse(r.body);
}

}  // namespace

std::optional<nlohmann::json> SmRealLab::status(std::chrono::milliseconds timeout) {
  return status_at(floating_oam, timeout);
}

std::optional<nlohmann::json> SmRealLab::status_of(const std::string& controller, std::chrono::milliseconds timeout) {
  return status_at(lab.address(controller, core::Network::Oam), timeout);
}

bool SmRealLab::fm_answers(std::chrono::milliseconds timeout) {
  backends::BlockingHttpClient http(backends::HttpUrl{floating_oam, sm_lab::kFmRestPort, ""}, to_core(timeout));
  return http.get("/v1/alarms?limit=1").status == 200;
}

std::string SmRealLab::wait_pair_ready(std::chrono::milliseconds limit) {
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + limit;
  std::string last = "nothing answered";
  while (Clock::now() < end) {
    if (auto s = status()) {
      last = "active " + s->dump();
      if ((*s)["role"] == "active" && (*s)["peer"]["role"] == "standby" && (*s)["sync"]["state"] == "in-sync") {
        // The standby's own view too: it learns it is in sync from the active's next hello, and until then
        // it would not take over (a standby not in sync goes outdated when it loses the active).
        const std::string active = (*s)["node"].get<std::string>();
        const auto peer = status_of(sm_lab_peer(active));
        if (peer) last += "; standby " + peer->dump();
        if (peer && (*peer)["role"] == "standby" && (*peer)["sync"]["state"] == "in-sync" && fm_answers())
          return active;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("sm lab: the pair is not ready (an active, its standby in sync in both views) within " +
                           std::to_string(limit.count()) + " ms; last status at " + floating_oam + ": " + last +
                           "; lab dir " + lab.dir().string());
}

std::vector<nlohmann::json> SmRealLab::alarms() {
  backends::BlockingHttpClient http(backends::HttpUrl{floating_oam, sm_lab::kFmRestPort, ""}, core::seconds(3));
  const auto r = http.get("/v1/alarms?limit=10000");
  if (r.status != 200)
    throw std::runtime_error("sm lab: GET /v1/alarms at " + floating_oam + ": " + std::to_string(r.status) + " " +
                             backends::describe_failure(r) + " " + r.body);
  return nlohmann::json::parse(r.body).at("alarms").get<std::vector<nlohmann::json>>();
}

std::vector<std::pair<double, double>> SmRealLab::unheld_windows() {
  auto moves = lab.find({.event = "floating.release", .fields = {{"name", sm_lab::kFloating}}});
  for (auto& c : lab.find({.event = "floating.claim", .fields = {{"name", sm_lab::kFloating}}})) moves.push_back(c);
  std::sort(moves.begin(), moves.end(), [](const LabRecord& a, const LabRecord& b) { return a.wall < b.wall; });
  std::vector<std::pair<double, double>> out;
  for (std::size_t i = 0; i + 1 < moves.size(); ++i)
    if (moves[i].event == "floating.release" && moves[i + 1].event == "floating.claim")
      out.emplace_back(moves[i].wall, moves[i + 1].wall);
  return out;
}

double HelloArrivals::at_or_before(double t) const {
  return last + std::floor((t - last) / period) * period;
}

HelloArrivals SmRealLab::hello_arrivals(const std::string& observer, std::chrono::milliseconds hello, int rounds,
                                        std::chrono::milliseconds limit) {
  if (rounds < 2) throw std::invalid_argument("sm lab: hello_arrivals needs at least 2 rounds");
  const double period = std::chrono::duration<double>(hello).count();
  constexpr double kSameRound = 0.010;  // one round's hellos (one per network) arrive within this
  constexpr double kRegular = 0.005;    // a periodic round is this close to one period after the last
  const std::string address = lab.address(observer, core::Network::Oam);
  backends::BlockingHttpClient http(backends::HttpUrl{address, sm_lab::kSmRestPort, ""}, core::milliseconds(500));
  // One poll: the counter and when the observer read it (between sending and receiving: the middle).
  const auto poll = [&](double& at) -> std::uint64_t {
    const double sent = RealLab::wall_now();
    const auto r = http.get("/v1/sm/status");
    const double received = RealLab::wall_now();
    if (r.status != 200)
      throw std::runtime_error("sm lab: GET /v1/sm/status at " + address + ": " +
                               (r.status ? std::to_string(r.status) : backends::describe_failure(r)));
    at = (sent + received) / 2;
    return nlohmann::json::parse(r.body).at("peer").at("hellos").at("accepted").get<std::uint64_t>();
  };
  struct Round {
    double at, error;
  };
  std::vector<Round> seen;  // the current run of regular rounds
  double prev_at = 0;
  std::uint64_t prev = poll(prev_at);
  const double end = RealLab::wall_now() + std::chrono::duration<double>(limit).count();
  while (RealLab::wall_now() < end) {
    double at = 0;
    const std::uint64_t count = poll(at);
    if (count > prev) {
      const Round r{(prev_at + at) / 2, (at - prev_at) / 2};
      if (seen.empty() || r.at - seen.back().at > kSameRound) {
        if (!seen.empty() && std::abs(r.at - seen.back().at - period) > kRegular) seen.clear();
        seen.push_back(r);
        if (static_cast<int>(seen.size()) == rounds) {
          HelloArrivals out;
          out.last = seen.back().at;
          out.period = (seen.back().at - seen.front().at) / (rounds - 1);
          for (const auto& s : seen) out.error = std::max(out.error, s.error);
          out.rounds = rounds;
          return out;
        }
      }
    }
    prev = count;
    prev_at = at;
  }
  throw std::runtime_error("sm lab: " + observer + " did not see " + std::to_string(rounds) + " rounds of " +
                           sm_lab_peer(observer) + "'s hellos one period apart within " +
                           std::to_string(limit.count()) + " ms");
}

sim::SimConfig sm_lab_sim(const SmLabSpec& spec, const nlohmann::json& probe_config, std::uint64_t seed,
                          core::Duration duration) {
  sim::SimConfig cfg;
  cfg.seed = seed;
  cfg.duration = duration;
  sim::SiteSpec site;
  site.name = "lab";
  site.lan.latency = core::microseconds(100);
  site.floating = {sm_lab::kFloating};
  for (const auto& n : sm_lab_nodes(spec)) site.nodes.push_back({{n.name, n.role, site.name, n.config}});
  site.nodes.push_back({{sm_lab::kProbe, "ha-probe", site.name, probe_config}});
  cfg.sites.push_back(site);
  return cfg;
}

}  // namespace roost::testing
