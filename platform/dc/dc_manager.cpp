#include "platform/dc/dc_manager.h"

#include <algorithm>
#include <stdexcept>

#include "platform/core/config_reader.h"
#include "platform/dc/rest_api.h"

namespace roost::dc {

namespace {

constexpr const char* kOfflineAlarm = "280.001";
constexpr const char* kSyncAlarm = "280.002";

std::string entity_of(const Subcloud& s) { return "subcloud=" + s.name; }
std::string entity_of(const Subcloud& s, std::size_t endpoint) {
  return "subcloud=" + s.name + ".resource=" + std::string(kEndpointTypes[endpoint]);
}

std::string_view phase_name(DeployPhase p) {
  switch (p) {
    case DeployPhase::Install: return "install";
    case DeployPhase::Bootstrap: return "bootstrap";
    case DeployPhase::Config: return "config";
  }
  return "?";
}

}  // namespace

DcManagerConfig DcManagerConfig::from_json(const nlohmann::json& j) {
  core::ConfigReader r("dc-manager config", j);
  DcManagerConfig c;
  nlohmann::json fm = r.has("fm_client") ? r.raw("fm_client") : nlohmann::json::object();
  if (!fm.is_object()) r.fail("fm_client", "must be an object");
  if (!r.has("fm_node")) r.fail("fm_node", "required: the FM node that keeps the subcloud alarms");
  fm["fm_node"] = r.string("fm_node", "");
  try {
    c.fm = fm::FmClientConfig::from_json(fm);
  } catch (const std::invalid_argument& e) {
    r.fail("fm_client", e.what());
  }
  c.rest_port = static_cast<std::uint16_t>(r.integer("rest_port", c.rest_port, 0, 65535));
  const auto net = r.string("rest_network", "oam");
  const auto parsed = core::parse_network(net);
  if (!parsed) r.fail("rest_network", "'" + net + "' is not one of mgmt, cluster-host, oam, wan");
  c.rest_network = *parsed;
  c.audit_interval = r.millis("audit_interval_ms", c.audit_interval, 10, 86400000);
  c.audit_timeout = r.millis("audit_timeout_ms", c.audit_interval, 1, 86400000);
  c.offline_after = static_cast<std::uint32_t>(r.integer("offline_after", 2, 1, 100));
  c.sync_timeout = r.millis("sync_timeout_ms", c.sync_timeout, 1, 86400000);
  c.deploy_phase_timeout = r.seconds("deploy_phase_timeout_s", c.deploy_phase_timeout, 1, 7 * 86400);

  // Groups and subclouds are checked together in a scratch registry, so a duplicate name, an overlapping
  // subnet or an unknown group is a config error naming the entry, not a failed start.
  SubcloudRegistry scratch;
  if (r.has("groups")) {
    const auto& gs = r.raw("groups");
    if (!gs.is_array()) r.fail("groups", "must be an array of subcloud groups");
    for (std::size_t i = 0; i < gs.size(); ++i) {
      const std::string at = "groups[" + std::to_string(i) + "]";
      GroupInput g;
      try {
        g = group_input_from_json(gs[i], true);
      } catch (const std::invalid_argument& e) {
        r.fail(at, e.what());
      }
      auto added = g.name == "Default" ? scratch.update_group("Default", g, 0) : scratch.add_group(g, 0);
      if (!added) r.fail(at, added.error().message);
      c.groups.push_back(std::move(g));
    }
  }
  if (r.has("subclouds")) {
    const auto& ss = r.raw("subclouds");
    if (!ss.is_array()) r.fail("subclouds", "must be an array of subclouds");
    c.subclouds.reserve(ss.size());
    for (std::size_t i = 0; i < ss.size(); ++i) {
      const std::string at = "subclouds[" + std::to_string(i) + "]";
      SubcloudInput in;
      try {
        in = subcloud_input_from_json(ss[i]);
      } catch (const std::invalid_argument& e) {
        r.fail(at, e.what());
      }
      auto added = scratch.add(in, 0);
      if (!added) r.fail(at + " (" + in.name + ")", added.error().message);
      c.subclouds.push_back(std::move(in));
    }
  }
  if (r.has("revision_bumps")) {
    const auto& bs = r.raw("revision_bumps");
    if (!bs.is_array()) r.fail("revision_bumps", "must be an array of {\"at_ms\", \"endpoint\"}");
    for (std::size_t i = 0; i < bs.size(); ++i) {
      const std::string at = "revision_bumps[" + std::to_string(i) + "]";
      core::ConfigReader b("dc-manager config: " + at, bs[i]);
      RevisionBump bump;
      if (!b.has("at_ms")) b.fail("at_ms", "required: when (ms after the manager starts)");
      bump.at = b.millis("at_ms", {}, 0, 1e12);
      const std::string ep = b.string("endpoint", "");
      const auto idx = endpoint_index(ep);
      if (!idx) b.fail("endpoint", "'" + ep + "' is not an endpoint type (platform, identity, dc-cert, firmware, kubernetes, kube-rootca, software)");
      bump.endpoint = *idx;
      b.finish();
      c.revision_bumps.push_back(bump);
    }
  }
  // Room for a change of every endpoint of every subcloud (a revision bump raises 280.002 on all of them at
  // once), so a burst while the FM is slow is not dropped; an explicit fm_client.queue_capacity wins.
  if (!fm.contains("queue_capacity"))
    c.fm.queue_capacity = std::max<std::size_t>(c.fm.queue_capacity, 2 * (kEndpointCount + 1) * c.subclouds.size());
  r.finish();
  return c;
}

DcManager::DcManager(core::Env& env, const core::NodeSpec& spec)
    : Node(env, spec), config_(DcManagerConfig::from_json(spec.config)), slots_(config_.audit_interval) {
  revisions_.fill(1);  // a deployed subcloud starts with what the system controller has
}

DcManager::~DcManager() { rest_.reset(); }

void DcManager::start() {
  fm_ = std::make_unique<fm::FmClient>(*this, config_.fm);
  epoch_ = now();
  std::vector<std::uint64_t> to_deploy;
  const std::vector<std::uint64_t> ids = load_registry(to_deploy);
  trackers_.reserve(ids.size());
  slots_.place_evenly(ids);
  for (std::uint64_t id : ids) track(*registry_.by_id(id), slots_.offset(id));
  for (std::uint64_t id : to_deploy) start_deploy(id);
  adopt_alarms(kOfflineAlarm);
  adopt_alarms(kSyncAlarm);
  for (const auto& b : config_.revision_bumps)
    after(b.at, [this, ep = b.endpoint] { bump_revision(kEndpointTypes[ep]); });
  if (config_.rest_port != 0) {
    rest_ = std::make_shared<DcRestApi>(*this);
    router_ = std::make_shared<core::HttpRouter>();
    rest_->add_routes(*router_);
    env().serve_http(config_.rest_network, config_.rest_port, router_);
  }
  started_ = true;
  log().info("dc.ready", {{"subclouds", static_cast<std::int64_t>(registry_.size())},
                          {"audit_interval_ms", static_cast<std::int64_t>(core::to_millis(config_.audit_interval))},
                          {"rest_port", config_.rest_port}});
}

std::vector<std::uint64_t> DcManager::load_registry(std::vector<std::uint64_t>& to_deploy) {
  store_ = env().resource<SubcloudStore>();
  if (!store_)
    log().warn("dc.no_store", {{"detail", "this runtime keeps no subcloud store: changes are lost on restart"}});
  std::vector<std::uint64_t> ids;
  try {
    const std::vector<SubcloudGroup> groups = store_ ? store_->load_groups() : std::vector<SubcloudGroup>{};
    const std::vector<Subcloud> subclouds = store_ ? store_->load_subclouds() : std::vector<Subcloud>{};
    if (!groups.empty() || !subclouds.empty()) {
      try {
        registry_.restore(groups, subclouds);
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("dc-manager: the subcloud store holds contradicting records: ") + e.what());
      }
      for (const Subcloud* s : registry_.subclouds()) {
        ids.push_back(s->id);
        // A deploy this manager was running died with it: fail it where it stood (redeploy to go on).
        if (deploy_in_progress(s->deploy_status)) {
          Subcloud& m = *registry_.mutable_by_id(s->id);
          m.error_description = std::string(to_string(m.deploy_status)) + " interrupted: the system controller restarted";
          set_deploy(m, deploy_interrupted(m.deploy_status));
        }
      }
      log().info("dc.restored", {{"subclouds", static_cast<std::int64_t>(subclouds.size())},
                                 {"groups", static_cast<std::int64_t>(groups.size())}});
      return ids;
    }
    for (const auto& g : config_.groups) {
      auto added = g.name == "Default" ? registry_.update_group("Default", g, wall_us()) : registry_.add_group(g, wall_us());
      if (!added) throw std::invalid_argument("dc-manager config: groups: " + added.error().message);
    }
    ids.reserve(config_.subclouds.size());
    for (const auto& in : config_.subclouds) {
      auto added = registry_.add(in, wall_us());
      if (!added) throw std::invalid_argument("dc-manager config: subclouds: " + in.name + ": " + added.error().message);
      ids.push_back(added.value()->id);
      if (in.deploy) to_deploy.push_back(added.value()->id);
    }
    if (store_) {
      for (const SubcloudGroup* g : registry_.groups()) store_->put_group(*g);
      for (const Subcloud* s : registry_.subclouds()) store_->put_subcloud(*s);
    }
  } catch (const StoreError& e) {
    throw std::runtime_error(std::string("dc-manager: the subcloud store: ") + e.what());
  }
  return ids;
}

std::optional<DcError> DcManager::store_change(std::string_view kind, const std::string& name, bool removal,
                                               const std::function<void(SubcloudStore&)>& write) {
  if (!store_) return std::nullopt;
  try {
    write(*store_);
    return std::nullopt;
  } catch (const StoreError& e) {
    log().error("dc.store_failed", {{std::string(kind == "subcloud" ? "subcloud" : "group"), name}, {"error", e.what()}});
    return DcError{500, std::string(kind) + " '" + name + "' could not be " +
                            (removal ? "removed from" : "written to") + " the subcloud store (" + e.what() +
                            "); nothing was changed"};
  }
}

std::optional<DcError> DcManager::stored(const Subcloud& s) {
  return store_change("subcloud", s.name, false, [&](SubcloudStore& st) { st.put_subcloud(s); });
}

std::optional<DcError> DcManager::stored(const SubcloudGroup& g) {
  return store_change("subcloud group", g.name, false, [&](SubcloudStore& st) { st.put_group(g); });
}

std::optional<DcError> DcManager::stored_removal(bool group, const std::string& name, std::uint64_t id) {
  return store_change(group ? "subcloud group" : "subcloud", name, true, [&](SubcloudStore& st) {
    if (group) st.remove_group(id);
    else st.remove_subcloud(id);
  });
}

// ---- audit schedule: one timer per subcloud, at epoch + offset + k * interval

void DcManager::track(const Subcloud& s, core::Duration offset) {
  Tracker& t = trackers_[s.id];
  // The first slot at or after now (a subcloud added later joins the schedule where its slot comes next).
  const auto interval = config_.audit_interval;
  auto first = epoch_ + offset;
  if (first < now()) first += interval * ((now() - first + interval - core::Duration(1)) / interval);
  t.next_audit = first;
  schedule_audit(s.id);
}

void DcManager::schedule_audit(std::uint64_t id) {
  Tracker& t = trackers_.at(id);
  t.timer = after(t.next_audit - now(), [this, id] {
    Tracker& tr = trackers_.at(id);
    tr.next_audit += config_.audit_interval;  // from the slot, not from now: no drift on a late timer
    schedule_audit(id);
    audit(id);
  });
}

void DcManager::audit(std::uint64_t id) {
  const Subcloud* s = registry_.by_id(id);
  // A subcloud being deployed (or whose deploy failed) is not audited: its controller is not up yet.
  if (!s || s->deploy_status != DeployStatus::Complete) return;
  Tracker& t = trackers_.at(id);
  const std::uint64_t seq = ++t.seq_sent;
  ++in_flight_;
  call<AuditRequest>(s->agent, core::Network::Wan, AuditRequest{s->name}, config_.audit_timeout,
                     [this, id, seq](core::Result<AuditReply> r) {
                       --in_flight_;
                       audit_done(id, seq, std::move(r));
                     });
}

void DcManager::audit_done(std::uint64_t id, std::uint64_t seq, core::Result<AuditReply> r) {
  Subcloud* s = registry_.mutable_by_id(id);
  auto it = trackers_.find(id);
  if (!s || it == trackers_.end()) return;  // deleted meanwhile
  Tracker& t = it->second;
  if (seq <= t.seq_done) return;  // a newer audit already counted
  t.seq_done = seq;
  if (!r) return audit_failed(*s, t, std::string(core::to_string(r.failure().code)) + ": " + r.failure().detail);
  if (r->availability != "online")
    return audit_failed(*s, t, "the subcloud reports itself " + r->availability + (r->detail.empty() ? "" : ": " + r->detail));
  audit_ok(*s, t, seq, r.value());
}

void DcManager::audit_failed(Subcloud& s, Tracker& t, const std::string& error) {
  ++s.audit_fail_count;
  log().debug("dc.audit_failed", {{"subcloud", s.name}, {"fails", s.audit_fail_count}, {"error", error}});
  if (s.availability == Availability::Online && s.audit_fail_count >= config_.offline_after)
    set_availability(s, t, Availability::Offline);
}

void DcManager::audit_ok(Subcloud& s, Tracker& t, std::uint64_t seq, const AuditReply& r) {
  s.audit_fail_count = 0;
  if (r.alarms_known && !(r.alarms == s.alarms)) s.alarms = r.alarms;
  // Revisions: a new agent incarnation starts over; within one, an audit sent before the last sync ack of
  // an endpoint says nothing new about it (the ack is newer).
  const bool new_instance = r.agent_instance != t.agent_instance;
  if (new_instance) t.agent_instance = r.agent_instance;
  for (std::size_t i = 0; i < kEndpointCount; ++i) {
    if (!new_instance && seq <= t.synced_seq[i]) continue;
    auto it = r.revisions.find(std::string(kEndpointTypes[i]));
    t.held[i] = it == r.revisions.end() ? 0 : it->second;
  }
  if (s.availability == Availability::Offline) set_availability(s, t, Availability::Online);
  update_sync(s, t);
}

void DcManager::set_availability(Subcloud& s, Tracker& t, Availability a) {
  s.availability = a;
  s.updated_at_us = wall_us();
  log().info("dc.availability", {{"subcloud", s.name}, {"availability", std::string(to_string(a))}, {"fails", s.audit_fail_count}});
  if (a == Availability::Offline) {
    t.offline_alarm = true;
    raise(s, kOfflineAlarm, entity_of(s), fm::Severity::Critical, "Subcloud " + s.name + " is offline");
  } else if (t.offline_alarm) {
    t.offline_alarm = false;
    clear(s, kOfflineAlarm, entity_of(s));
  }
  update_sync(s, t);
}

// An earlier incarnation (before a crash or a swact) may have raised alarms this one must clear: the FM keeps
// them. Asking once at start (and until the FM answers) is cheaper than clearing every subcloud blindly.
void DcManager::adopt_alarms(const std::string& alarm_id) {
  fm::GetFaults q;
  q.alarm_id = alarm_id;
  call<fm::GetFaults>(config_.fm.fm_node, config_.fm.network, q, config_.fm.call_timeout,
                      [this, alarm_id](core::Result<fm::GetFaults::Response> r) {
                        if (!r || r->error_code != 0) {
                          log().debug("dc.adopt_alarms_failed", {{"alarm_id", alarm_id}, {"error", r ? r->error : r.failure().detail}});
                          after(config_.fm.retry_interval * 10, [this, alarm_id] { adopt_alarms(alarm_id); });
                          return;
                        }
                        for (const fm::Alarm& a : r->alarms) adopt(a);
                      });
}

void DcManager::adopt(const fm::Alarm& a) {
  // "subcloud=<name>" (280.001) or "subcloud=<name>.resource=<endpoint>" (280.002).
  const std::string& e = a.entity_instance_id;
  if (e.rfind("subcloud=", 0) != 0) return;
  const auto dot = e.find(".resource=");
  const std::string name = e.substr(9, dot == std::string::npos ? std::string::npos : dot - 9);
  const Subcloud* found = registry_.find(name);
  if (!found || found->name != name) {  // a subcloud this configuration no longer has
    fm_->clear(a.alarm_id, e);
    return;
  }
  Subcloud& s = *registry_.mutable_by_id(found->id);
  Tracker& t = trackers_.at(s.id);
  if (a.alarm_id == kOfflineAlarm) {
    t.offline_alarm = true;
    if (s.availability == Availability::Online) {
      t.offline_alarm = false;
      clear(s, kOfflineAlarm, e);
    }
  } else if (a.alarm_id == kSyncAlarm && dot != std::string::npos) {
    const auto i = endpoint_index(e.substr(dot + 10));
    if (!i) return;
    t.sync_alarm |= 1u << *i;
    if (s.sync[*i] != SyncStatus::OutOfSync) {
      t.sync_alarm &= ~(1u << *i);
      clear(s, kSyncAlarm, e);
    }
  }
}

// ---- sync

void DcManager::update_sync(Subcloud& s, Tracker& t) {
  const bool tracked = s.management_state == ManagementState::Managed && s.availability == Availability::Online;
  for (std::size_t i = 0; i < kEndpointCount; ++i) {
    SyncStatus st = SyncStatus::Unknown;
    if (tracked) st = t.held[i] == revisions_[i] ? SyncStatus::InSync : SyncStatus::OutOfSync;
    set_sync(s, t, i, st);
    if (st == SyncStatus::OutOfSync && !(t.sync_in_flight & (1u << i))) push_sync(s, t, i);
  }
}

void DcManager::set_sync(Subcloud& s, Tracker& t, std::size_t i, SyncStatus status) {
  const SyncStatus before = s.sync[i];
  if (before == status) return;
  s.sync[i] = status;
  const bool notable = before == SyncStatus::OutOfSync || status == SyncStatus::OutOfSync;
  core::LogFields f{{"subcloud", s.name}, {"endpoint", kEndpointTypes[i]}, {"sync_status", to_string(status)}};
  if (notable) log().info("dc.sync", std::move(f));
  else log().debug("dc.sync", std::move(f));
  const std::uint32_t bit = 1u << i;
  if (status == SyncStatus::OutOfSync) {
    t.sync_alarm |= bit;
    raise(s, kSyncAlarm, entity_of(s, i), fm::Severity::Major,
          "Subcloud " + s.name + " " + std::string(kEndpointTypes[i]) + " sync_status is out-of-sync");
  } else if (t.sync_alarm & bit) {
    t.sync_alarm &= ~bit;
    clear(s, kSyncAlarm, entity_of(s, i));
  }
}

void DcManager::push_sync(Subcloud& s, Tracker& t, std::size_t i) {
  const std::uint32_t bit = 1u << i;
  t.sync_in_flight |= bit;
  const std::uint64_t id = s.id, revision = revisions_[i];
  call<SyncRequest>(s.agent, core::Network::Wan, SyncRequest{s.name, std::string(kEndpointTypes[i]), revision},
                    config_.sync_timeout, [this, id, i, bit](core::Result<SyncReply> r) {
                      Subcloud* sc = registry_.mutable_by_id(id);
                      auto it = trackers_.find(id);
                      if (!sc || it == trackers_.end()) return;
                      Tracker& tr = it->second;
                      tr.sync_in_flight &= ~bit;
                      if (!r) {
                        log().debug("dc.sync_failed", {{"subcloud", sc->name}, {"endpoint", kEndpointTypes[i]},
                                                       {"error", std::string(core::to_string(r.failure().code)) + ": " + r.failure().detail}});
                        return;  // the next audit finds it still out-of-sync and pushes again
                      }
                      if (r->agent_instance == tr.agent_instance) {
                        tr.held[i] = r->revision;
                        tr.synced_seq[i] = tr.seq_sent;
                      }
                      update_sync(*sc, tr);
                    });
}

bool DcManager::bump_revision(std::string_view endpoint) {
  const auto i = endpoint_index(endpoint);
  if (!i) return false;
  ++revisions_[*i];
  log().info("dc.revision", {{"endpoint", endpoint}, {"revision", revisions_[*i]}});
  for (const Subcloud* s : registry_.subclouds())
    update_sync(*registry_.mutable_by_id(s->id), trackers_.at(s->id));
  return true;
}

// ---- deploy

void DcManager::start_deploy(std::uint64_t id) {
  Subcloud* s = registry_.mutable_by_id(id);
  if (!s) return;
  trackers_.at(id).deploying = true;
  set_deploy(*s, DeployStatus::PreInstall);
  after(core::Duration(0), [this, id] { run_phase(id, DeployPhase::Install); });
}

void DcManager::run_phase(std::uint64_t id, DeployPhase phase) {
  Subcloud* s = registry_.mutable_by_id(id);
  if (!s) return;
  const DeployStatus running = phase == DeployPhase::Install     ? DeployStatus::Installing
                               : phase == DeployPhase::Bootstrap ? DeployStatus::Bootstrapping
                                                                 : DeployStatus::Configuring;
  set_deploy(*s, running);
  call<DeployPhaseRequest>(s->agent, core::Network::Wan, DeployPhaseRequest{s->name, phase}, config_.deploy_phase_timeout,
                           [this, id, phase](core::Result<DeployPhaseReply> r) {
                             Subcloud* sc = registry_.mutable_by_id(id);
                             if (!sc) return;
                             std::string error;
                             if (!r) error = std::string(core::to_string(r.failure().code)) + ": " + r.failure().detail;
                             else if (!r->ok) error = r->error;
                             if (!error.empty()) {
                               sc->error_description = std::string(phase_name(phase)) + " failed: " + error;
                               trackers_.at(id).deploying = false;
                               return set_deploy(*sc, phase == DeployPhase::Install     ? DeployStatus::InstallFailed
                                                      : phase == DeployPhase::Bootstrap ? DeployStatus::BootstrapFailed
                                                                                        : DeployStatus::ConfigFailed);
                             }
                             switch (phase) {
                               case DeployPhase::Install:
                                 set_deploy(*sc, DeployStatus::InstallComplete);
                                 return run_phase(id, DeployPhase::Bootstrap);
                               case DeployPhase::Bootstrap:
                                 set_deploy(*sc, DeployStatus::BootstrapComplete);
                                 return run_phase(id, DeployPhase::Config);
                               case DeployPhase::Config:
                                 sc->error_description.clear();
                                 trackers_.at(id).deploying = false;
                                 return set_deploy(*sc, DeployStatus::Complete);
                             }
                           });
}

void DcManager::set_deploy(Subcloud& s, DeployStatus d) {
  s.deploy_status = d;
  s.updated_at_us = wall_us();
  log().info("dc.deploy", {{"subcloud", s.name}, {"deploy_status", std::string(to_string(d))}});
  // The deploy goes on whatever the disk says (the agent is already at it); stored() logs a failure, and the
  // status is written again at the next phase.
  (void)stored(s);
}

// ---- alarms

void DcManager::raise(const Subcloud& s, const std::string& alarm_id, const std::string& entity, fm::Severity sev,
                      std::string reason) {
  fm::Alarm a;
  a.alarm_id = alarm_id;
  a.entity_type_id = "subcloud";
  a.entity_instance_id = entity;
  a.severity = sev;
  a.reason_text = std::move(reason);
  log().info("dc.alarm", {{"subcloud", s.name}, {"alarm_id", alarm_id}, {"entity", entity},
                          {"severity", std::string(fm::to_string(sev))}});
  fm_->raise(std::move(a));
}

void DcManager::clear(const Subcloud& s, const std::string& alarm_id, const std::string& entity) {
  log().info("dc.alarm", {{"subcloud", s.name}, {"alarm_id", alarm_id}, {"entity", entity}, {"severity", "clear"}});
  fm_->clear(alarm_id, entity);
}

// ---- operations

Outcome<const Subcloud*> DcManager::add_subcloud(const SubcloudInput& in) {
  // Before start() the store is not open yet and the registry not loaded: an addition then would be
  // lost, or clash with what the store restores.
  if (!started_) return DcError{503, "subcloud '" + in.name + "' cannot be added: the dc-manager has not started"};
  auto added = registry_.add(in, wall_us());
  if (!added) return added;
  const Subcloud& s = *added.value();
  if (auto e = stored(s)) {
    registry_.erase(s.id);
    return *e;
  }
  log().info("dc.subcloud_added", {{"subcloud", s.name}, {"id", s.id}, {"agent", s.agent}});
  track(s, slots_.place(s.id));
  if (in.deploy) start_deploy(s.id);
  return added;
}

Outcome<std::uint64_t> DcManager::delete_subcloud(std::string_view ref) {
  const Subcloud* s = registry_.find(ref);
  if (s && trackers_.count(s->id) && trackers_.at(s->id).deploying)
    return DcError{409, "subcloud '" + s->name + "' is being deployed (" + std::string(to_string(s->deploy_status)) + ")"};
  const std::string name = s ? s->name : "";
  const std::optional<Subcloud> before = s ? std::optional<Subcloud>(*s) : std::nullopt;
  auto removed = registry_.remove(ref);
  if (!removed) return removed;
  const std::uint64_t id = removed.value();
  if (auto e = stored_removal(false, name, id)) {
    registry_.put_back(*before);
    return *e;
  }
  if (auto it = trackers_.find(id); it != trackers_.end()) {
    cancel(it->second.timer);
    trackers_.erase(it);
  }
  slots_.remove(id);
  // Its alarms go with it (an offline subcloud keeps 280.001 until deleted).
  fm_->clear("", "subcloud=" + name);
  log().info("dc.subcloud_deleted", {{"subcloud", name}, {"id", id}});
  return removed;
}

Outcome<const Subcloud*> DcManager::set_management(std::string_view ref, ManagementState state) {
  const Subcloud* found = registry_.find(ref);
  if (!found) return DcError{404, "subcloud '" + std::string(ref) + "' not found (give a name or an id)"};
  Subcloud& s = *registry_.mutable_by_id(found->id);
  if (s.management_state == state) return &s;
  if (state == ManagementState::Managed) {
    if (s.deploy_status != DeployStatus::Complete)
      return DcError{409, "subcloud '" + s.name + "' cannot be managed: its deploy status is " + std::string(to_string(s.deploy_status)) + ", not complete"};
    if (s.availability != Availability::Online)
      return DcError{409, "subcloud '" + s.name + "' cannot be managed while it is offline"};
  }
  const Subcloud before = s;
  s.management_state = state;
  s.updated_at_us = wall_us();
  if (auto e = stored(s)) {
    registry_.put_back(before);
    return *e;
  }
  log().info("dc.management", {{"subcloud", s.name}, {"management_state", std::string(to_string(state))}});
  update_sync(s, trackers_.at(s.id));
  return &s;
}

Outcome<const Subcloud*> DcManager::set_group(std::string_view ref, std::string_view group) {
  const Subcloud* s = registry_.find(ref);
  if (!s) return DcError{404, "subcloud '" + std::string(ref) + "' not found (give a name or an id)"};
  Subcloud before = *s;  // copied before the change (argument order is unspecified)
  return kept(std::move(before), registry_.set_group(s->id, group, wall_us()));
}

Outcome<const Subcloud*> DcManager::set_text(std::string_view ref, const std::string& field, const std::string& value) {
  const Subcloud* s = registry_.find(ref);
  if (!s) return DcError{404, "subcloud '" + std::string(ref) + "' not found (give a name or an id)"};
  Subcloud before = *s;
  return kept(std::move(before), registry_.set_text(s->id, field, value, wall_us()));
}

Outcome<const Subcloud*> DcManager::kept(Subcloud before, Outcome<const Subcloud*> changed) {
  if (!changed) return changed;
  if (auto e = stored(*changed.value())) {
    registry_.put_back(before);
    return *e;
  }
  return changed;
}

Outcome<const SubcloudGroup*> DcManager::add_group(const GroupInput& in) {
  auto added = registry_.add_group(in, wall_us());
  if (!added) return added;
  if (auto e = stored(*added.value())) {
    registry_.erase_group(added.value()->id);
    return *e;
  }
  return added;
}

Outcome<const SubcloudGroup*> DcManager::update_group(std::string_view ref, const GroupInput& in) {
  const SubcloudGroup* found = registry_.find_group(ref);
  const std::optional<SubcloudGroup> before = found ? std::optional<SubcloudGroup>(*found) : std::nullopt;
  auto updated = registry_.update_group(ref, in, wall_us());
  if (!updated) return updated;
  if (auto e = stored(*updated.value())) {
    registry_.put_back(*before);
    return *e;
  }
  return updated;
}

Outcome<std::uint64_t> DcManager::delete_group(std::string_view ref) {
  const SubcloudGroup* found = registry_.find_group(ref);
  const std::optional<SubcloudGroup> before = found ? std::optional<SubcloudGroup>(*found) : std::nullopt;
  auto removed = registry_.remove_group(ref);
  if (!removed) return removed;
  if (auto e = stored_removal(true, before->name, removed.value())) {
    registry_.put_back(*before);
    return *e;
  }
  return removed;
}

}  // namespace roost::dc
