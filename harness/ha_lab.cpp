#include "harness/ha_lab.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "harness/expectation.h"
#include "harness/fault_kinds.h"
#include "platform/sm/ha_probe.h"

namespace roost::harness {

using nlohmann::json;
using namespace ha_lab;

namespace {

// Milliseconds as JSON: an integer when whole (what the generator makes), so files read naturally.
json ms_json(core::Duration d) {
  const double ms = core::to_millis(d);
  if (ms == std::floor(ms)) return static_cast<std::int64_t>(ms);
  return ms;
}
json seconds_json(core::TimePoint t) {
  const auto ns = t.time_since_epoch().count();
  if (ns % 1'000'000 == 0) return static_cast<double>(ns / 1'000'000) / 1e3;  // exact to the millisecond
  return core::to_seconds(t);
}

std::string ms_text(core::Duration d) { return ms_json(d).dump() + " ms"; }

const std::vector<std::string>& lab_nodes() {
  static const std::vector<std::string> nodes{kController0, kController1, kStorage, kWorker0, kWorker1, kProbe};
  return nodes;
}

json controller_config(const HaSchedule& s, const std::string& peer) {
  const json hosts = json::array(
      {{{"hostname", kStorage}, {"personality", "storage"}, {"administrative", "unlocked"}},
       {{"hostname", kWorker0}, {"personality", "worker"}, {"administrative", "unlocked"}},
       {{"hostname", kWorker1}, {"personality", "worker"}, {"administrative", "unlocked"}}});
  return {{"peer", peer},
          {"floating", kFloating},
          {"networks", {"mgmt", "cluster-host", "oam"}},
          {"hello_ms", ms_json(s.hello)},
          {"dead_ms", ms_json(s.dead)},
          {"fail_pending_ms", ms_json(s.fail_pending)},
          {"initial_wait_ms", ms_json(kInitialWait)},
          {"auth_keys", {{"mgmt", "ha-lab-mgmt"}, {"cluster-host", "ha-lab-cluster-host"}, {"oam", "ha-lab-oam"}}},
          {"witnesses", {kStorage, kWorker0, kWorker1}},
          {"storage_witness", kStorage},
          {"services",
           {{"fm", {{"rest_port", 0}}},
            {"mtce",
             {{"fm_node", kFloating},
              {"system", {{"name", "ha-lab"}, {"system_mode", "duplex"}}},
              {"hosts", hosts},
              {"rest_port", 0}}}}}};
}

json probe_config(const HaSchedule& s) {
  json swacts = json::array();
  for (const auto& w : s.swacts) swacts.push_back({{"at_ms", ms_json(w.at)}, {"force", w.force}});
  return {{"target", kFloating},
          {"write_period_ms", ms_json(kWritePeriod)},
          {"write_timeout_ms", ms_json(kWriteTimeout)},
          {"alarm_id", kProbeAlarm},
          {"verify_at_ms", ms_json(kVerifyAt)},
          {"swacts", swacts}};
}

const sim::SimNodeSpec* find_node(const sim::SimConfig& c, const std::string& name) {
  for (const auto& site : c.sites)
    for (const auto& n : site.nodes)
      if (n.node.name == name) return &n;
  return nullptr;
}

core::Duration millis_of(const json& cfg, const char* key, const std::string& node) {
  if (!cfg.is_object() || !cfg.contains(key) || !cfg.at(key).is_number())
    throw std::invalid_argument("not an HA lab scenario: " + node + " config has no number \"" + key + "\"");
  return core::from_seconds(cfg.at(key).get<double>() / 1e3);
}

}  // namespace

void validate_schedule(const HaSchedule& s) {
  auto fail = [](const std::string& why) { throw std::invalid_argument("HA schedule: " + why); };
  if (s.hello < kHelloMin || s.hello > kHelloMax)
    fail("hello " + ms_text(s.hello) + " is outside [" + ms_text(kHelloMin) + ", " + ms_text(kHelloMax) + "]");
  if (s.dead < kDeadHellosMin * s.hello || s.dead > kDeadHellosMax * s.hello)
    fail("dead " + ms_text(s.dead) + " is not " + std::to_string(kDeadHellosMin) + " to " +
         std::to_string(kDeadHellosMax) + " hellos of " + ms_text(s.hello));
  if (s.fail_pending < kFailPendingMin || s.fail_pending > kFailPendingMax)
    fail("fail_pending " + ms_text(s.fail_pending) + " is outside [" + ms_text(kFailPendingMin) + ", " +
         ms_text(kFailPendingMax) + "]");
  const core::TimePoint from(kFaultsFrom), until(kFaultsUntil), end(kDuration);
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    const auto& f = s.faults[i];
    const std::string what = "fault " + std::to_string(i) + " (" + describe_fault(f) + ")";
    if (f.at < from || f.at >= until) fail(what + " starts outside [10 s, 60 s)");
    if (f.until && (*f.until <= f.at || *f.until > end)) fail(what + " ends before it starts or after the run");
    for (const auto& n : f.nodes)
      if (!std::count(lab_nodes().begin(), lab_nodes().end(), n)) fail(what + " names \"" + n + "\", not a lab node");
    for (const auto& g : f.groups)
      for (const auto& n : g)
        if (!std::count(lab_nodes().begin(), lab_nodes().end(), n)) fail(what + " names \"" + n + "\", not a lab node");
    const bool instant = f.kind == sim::FaultKind::HostRestart;
    if (s.mode == HaMode::Liveness && !instant && (!f.until || *f.until > until))
      fail(what + " does not heal by 60 s, as liveness mode needs");
  }
  for (const auto& w : s.swacts)
    if (w.at < kFaultsFrom || w.at >= kFaultsUntil) fail("a swact at " + ms_text(w.at) + " is outside [10 s, 60 s)");
}

json fault_json(const sim::FaultSpec& f) {
  json j{{"kind", fault_kind_name(f.kind)}, {"at_s", seconds_json(f.at)}};
  if (f.until) j["until_s"] = seconds_json(*f.until);
  if (!f.label.empty()) j["label"] = f.label;
  switch (f.kind) {
    case sim::FaultKind::HostCrash:
    case sim::FaultKind::HostRestart:
    case sim::FaultKind::NetworkDown:
    case sim::FaultKind::MessageLoss:
    case sim::FaultKind::MessageDelay:
      if (!f.nodes.empty()) j["nodes"] = f.nodes;
      if (f.network) j["network"] = core::to_string(*f.network);
      if (f.kind == sim::FaultKind::MessageLoss || f.kind == sim::FaultKind::MessageDelay) j["fraction"] = f.fraction;
      if (f.kind == sim::FaultKind::MessageDelay) j["delay_ms"] = ms_json(f.delay);
      break;
    case sim::FaultKind::Partition:
      j["groups"] = f.groups;
      break;
    case sim::FaultKind::SiteWanDown:
      j["site"] = f.site;
      break;
    case sim::FaultKind::ProcessKill:
      if (!f.nodes.empty()) j["node"] = f.nodes.front();
      j["process"] = f.process;
      if (f.crash_loop) j["crash_loop"] = true;
      break;
  }
  return j;
}

std::string describe(const HaSchedule& s) {
  std::string out = "seed " + std::to_string(s.seed) + ", " + std::string(to_string(s.mode)) + ", hello " +
                    ms_text(s.hello) + ", dead " + ms_text(s.dead) + ", fail_pending " + ms_text(s.fail_pending);
  out += "; faults:";
  if (s.faults.empty()) out += " none";
  for (std::size_t i = 0; i < s.faults.size(); ++i) out += (i ? "; " : " ") + describe_fault(s.faults[i]);
  out += "; swacts:";
  if (s.swacts.empty()) out += " none";
  for (std::size_t i = 0; i < s.swacts.size(); ++i)
    out += std::string(i ? ", " : " ") + (s.swacts[i].force ? "force " : "") + "at " +
           json(core::to_seconds(s.swacts[i].at)).dump() + " s";
  return out;
}

json ha_scenario_json(const HaSchedule& s, const std::string& name) {
  validate_schedule(s);
  json nodes = json::array();
  for (const auto& [self, peer] : {std::pair{kController0, kController1}, std::pair{kController1, kController0}})
    nodes.push_back({{"name", self},
                     {"role", std::string(kControllerRole)},
                     {"config", controller_config(s, peer)},
                     {"boot_s", core::to_seconds(kControllerBoot)}});
  // The witnesses are managed hosts too: the active's maintenance heartbeats them and they report to
  // whoever holds the floating name.
  for (const auto& host : {kStorage, kWorker0, kWorker1})
    nodes.push_back({{"name", host},
                     {"role", "host-agent"},
                     {"config", {{"controllers", {kFloating}}}},
                     {"networks", {"mgmt", "cluster-host"}}});
  nodes.push_back({{"name", kProbe},
                   {"role", std::string(kProbeRole)},
                   {"config", probe_config(s)},
                   {"networks", {"mgmt"}}});
  json faults = json::array();
  for (const auto& f : s.faults) faults.push_back(fault_json(f));
  return {{"roost_scenario", kScenarioFormatVersion},
          {"name", name},
          {"description", "HA lab schedule: " + describe(s)},
          {"seed", s.seed},
          {"duration_s", core::to_seconds(kDuration)},
          {"lan_mode", "local-queue"},
          {"trace_level", "info"},
          {"defaults", {{"lan", {{"latency_ms", 0.2}, {"jitter_ms", 0.1}, {"bandwidth_mbps", 1000}, {"loss", 0.0}}}}},
          {"sites", {{{"name", kSite}, {"floating", {kFloating}}, {"nodes", nodes}}}},
          {"faults", faults},
          {"ha_check", {{"mode", to_string(s.mode)}}}};
}

Scenario ha_lab_scenario(const HaSchedule& s, const core::RoleRegistry& roles, const std::string& name) {
  const auto loaded = parse_scenario(ha_scenario_json(s, name).dump(), name + ".json", roles);
  if (!loaded.ok()) {
    std::string why;
    for (const auto& m : loaded.messages()) why += (why.empty() ? "" : "; ") + m;
    throw std::invalid_argument("HA lab scenario does not validate: " + why);
  }
  return *loaded.scenario;
}

HaSchedule ha_schedule_from_scenario(const Scenario& s) {
  if (!s.ha_check) throw std::invalid_argument("not an HA lab scenario: it has no \"ha_check\"");
  for (const auto& n : lab_nodes())
    if (!find_node(s.config, n)) throw std::invalid_argument("not an HA lab scenario: no node \"" + n + "\"");
  HaSchedule out;
  out.seed = s.config.seed;
  out.mode = *s.ha_check;
  const json& c0 = find_node(s.config, kController0)->node.config;
  out.hello = millis_of(c0, "hello_ms", kController0);
  out.dead = millis_of(c0, "dead_ms", kController0);
  out.fail_pending = millis_of(c0, "fail_pending_ms", kController0);
  out.faults = s.config.faults;
  for (const auto& w : sm::HaProbeConfig::from_json(find_node(s.config, kProbe)->node.config).swacts)
    out.swacts.push_back({w.at, w.force});
  validate_schedule(out);
  return out;
}

}  // namespace roost::harness
