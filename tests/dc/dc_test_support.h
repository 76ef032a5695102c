// A dc-manager driven by hand (ManualEnv): the test plays every agent and the FM node, answering the
// manager's calls as time moves in small steps.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/dc/dc_manager.h"
#include "platform/fm/messages.h"
#include "tests/unit/manual_env.h"

namespace roost::testing {

class ManagerRig {
 public:
  // Subclouds sc1..scN (agent "scK.controller-0", subnet 10.K.0.0/24) plus `extra` config keys.
  // `before`: alarms the FM already holds (an earlier manager incarnation raised them). `store`: the
  // subcloud store the runtime hands out (a rig made later with the same store is the manager restarted).
  explicit ManagerRig(int subclouds, nlohmann::json extra = nlohmann::json::object(),
                      std::map<std::string, fm::Severity> before = {},
                      std::shared_ptr<dc::SubcloudStore> store = nullptr)
      : env("system-controller.controller-0"), active(std::move(before)) {
    if (store) env.resources[typeid(dc::SubcloudStore)] = store;
    nlohmann::json cfg = {{"fm_node", "system-controller.controller-0"}, {"audit_interval_ms", 1000}};
    nlohmann::json list = nlohmann::json::array();
    for (int i = 1; i <= subclouds; ++i)
      list.push_back({{"name", "sc" + std::to_string(i)},
                      {"management_subnet", "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24"}});
    cfg["subclouds"] = list;
    for (const auto& [k, v] : extra.items()) cfg[k] = v;
    manager = std::make_unique<dc::DcManager>(env, core::NodeSpec{"system-controller.controller-0", "dc-manager", "system-controller", cfg});
    manager->start();
  }

  // Moves time `d` in `step`s, answering every call after each step.
  void run(core::Duration d, core::Duration step = core::milliseconds(1)) {
    const auto until = env.now() + d;
    env.advance(core::Duration(0));  // what is due now runs now
    pump();
    while (env.now() < until) {
      env.advance(std::min(step, until - env.now()));
      pump();
    }
  }

  void pump() {
    while (!env.calls.empty()) {
      auto calls = std::move(env.calls);
      env.calls.clear();
      for (auto& c : calls) answer(c);
    }
  }

  void answer(ManualEnv::Call& c) {
    using namespace dc;
    if (c.request.type == fm::SetFaults::kType) {
      fm::SetFaults m;
      core::decode(c.request.body, m);
      for (const auto& a : m.alarms) active[a.alarm_id + " " + a.entity_instance_id] = a.severity;
      return c.done(core::envelope(fm::FmReply{}));
    }
    if (c.request.type == fm::ClearFault::kType) {
      fm::ClearFault m;
      core::decode(c.request.body, m);
      for (auto it = active.begin(); it != active.end();) {
        const bool id_ok = m.alarm_id.empty() || it->first.rfind(m.alarm_id + " ", 0) == 0;
        const bool ent_ok = it->first.find(" " + m.entity_instance_id) != std::string::npos;
        it = id_ok && ent_ok ? active.erase(it) : std::next(it);
      }
      return c.done(core::envelope(fm::FmReply{}));
    }
    if (c.request.type == fm::GetFaults::kType) {
      fm::GetFaults m;
      core::decode(c.request.body, m);
      fm::GetFaults::Response r;
      for (const auto& [key, sev] : active)
        if (key.rfind(m.alarm_id + " ", 0) == 0) {
          fm::Alarm a;
          a.alarm_id = m.alarm_id;
          a.entity_instance_id = key.substr(m.alarm_id.size() + 1);
          a.severity = sev;
          r.alarms.push_back(a);
        }
      return c.done(core::envelope(r));
    }
    if (c.request.type == AuditRequest::kType) {
      audits.push_back({env.now(), c.to});
      if (down.count(c.to)) return c.done(core::CallFailure{core::CallError::Unreachable, "link down"});
      AuditReply r;
      r.agent_instance = 7;
      for (std::size_t i = 0; i < kEndpointCount; ++i) r.revisions[std::string(kEndpointTypes[i])] = revision(c.to, i);
      r.alarms = alarms[c.to];
      r.alarms_known = true;
      return c.done(core::envelope(r));
    }
    if (c.request.type == SyncRequest::kType) {
      SyncRequest m;
      core::decode(c.request.body, m);
      syncs.push_back({env.now(), c.to + " " + m.endpoint});
      if (down.count(c.to)) return c.done(core::CallFailure{core::CallError::Unreachable, "link down"});
      held[c.to][*endpoint_index(m.endpoint)] = m.revision;
      return c.done(core::envelope(SyncReply{m.endpoint, m.revision, 7}));
    }
    if (c.request.type == DeployPhaseRequest::kType) {
      DeployPhaseRequest m;
      core::decode(c.request.body, m);
      phases.push_back(c.to + " " + std::to_string(static_cast<int>(m.phase)));
      const bool ok = fail_phase != static_cast<int>(m.phase);
      return c.done(core::envelope(DeployPhaseReply{ok, ok ? "" : "simulated", 1.0}));
    }
    ADD_FAILURE() << "unexpected call type " << c.request.type << " to " << c.to;
  }

  std::uint64_t revision(const std::string& agent, std::size_t i) {
    auto& h = held[agent];
    if (h.empty()) h.assign(dc::kEndpointCount, 1);
    return h[i];
  }

  bool has_alarm(const std::string& id, const std::string& entity) const { return active.count(id + " " + entity) != 0; }

  std::vector<CapturingLogger::Record> events(const std::string& event) const { return env.logger.with_event(event); }
  static std::string field(const CapturingLogger::Record& r, const std::string& key) {
    for (const auto& f : r.fields)
      if (f.key == key) {
        if (auto* s = std::get_if<std::string>(&f.value)) return *s;
        if (auto* i = std::get_if<std::int64_t>(&f.value)) return std::to_string(*i);
      }
    return "";
  }

  ManualEnv env;
  std::map<std::string, fm::Severity> active;                   // "alarm_id entity" -> severity (the FM)
  std::unique_ptr<dc::DcManager> manager;
  std::set<std::string> down;                                   // agents that fail (unreachable)
  std::map<std::string, std::vector<std::uint64_t>> held;       // agent -> revision per endpoint
  std::map<std::string, dc::AlarmSummary> alarms;               // agent -> its alarm summary
  std::vector<std::pair<core::TimePoint, std::string>> audits;  // when, to whom
  std::vector<std::pair<core::TimePoint, std::string>> syncs;   // when, "agent endpoint"
  std::vector<std::string> phases;                              // "agent phase"
  int fail_phase = 0;                                           // the DeployPhase value that fails (0: none)
};

}  // namespace roost::testing
