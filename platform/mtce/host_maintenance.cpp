#include "platform/mtce/host_maintenance.h"

#include <algorithm>
#include <stdexcept>

#include "platform/core/config_reader.h"

namespace roost::mtce {

using inv::AdminState;
using inv::AvailState;
using inv::HostAction;
using inv::OperState;

MaintenanceConfig MaintenanceConfig::from_json(const nlohmann::json& j) {
  core::ConfigReader r("maintenance config", j);
  MaintenanceConfig c;
  c.graceful_recovery = r.seconds("graceful_recovery_s", c.graceful_recovery, 0, 600);
  c.bmc_reset_delay = r.seconds("bmc_reset_delay_s", c.bmc_reset_delay, 0, 86400);
  c.soak = r.seconds("soak_s", c.soak, 0, 600);
  c.offline_after = r.seconds("offline_after_s", c.offline_after, 1, 3600);
  c.command_timeout = r.millis("command_timeout_ms", c.command_timeout, 10, 600000);
  c.max_fast_enables = r.integer("max_fast_enables", c.max_fast_enables, 0, 1000);
  c.max_bmc_resets = r.integer("max_bmc_resets", c.max_bmc_resets, 0, 1000);
  c.max_recovery_attempts = r.integer("max_recovery_attempts", c.max_recovery_attempts, 1, 1000000);
  r.has("heartbeat");  // read by the controller (HeartbeatConfig)
  r.finish();
  return c;
}

enum class HostMaintenance::Phase : std::uint8_t {
  Idle,      // locked, or unlocked and not yet heard (offline)
  Enabling,  // intest: go-enabled checks and heartbeat soak
  Enabled,   // in service (available or degraded)
  Failed,    // out of service, being recovered
};

struct HostMaintenance::Tracked {
  Phase phase = Phase::Idle;
  // What the agent last said.
  bool heard = false;
  std::uint64_t boot_id = 0;
  core::TimePoint last_alive{};
  bool goenabled = false;
  ProcessImpact impact = ProcessImpact::None;
  std::vector<std::string> failed_processes;
  std::uint64_t inventory_boot = 0;  // the boot whose inventory was stored
  bool inventory_pending = false;
  // Heartbeat, while monitored.
  bool monitored = false;
  HeartbeatHealth mgmt = HeartbeatHealth::Ok;
  HeartbeatHealth cluster = HeartbeatHealth::Ok;
  bool mgmt_alarm = false;     // 200.005 major raised for a degrade
  bool cluster_alarm = false;  // 200.009 major raised
  // Failure and recovery.
  core::TimePoint failed_at{};
  std::uint64_t failed_boot = 0;
  core::TimePoint reboot_requested_at{};
  bool reboot_requested = false;
  int fast_enables = 0;
  int bmc_resets = 0;
  int recovery_attempts = 0;
  bool auto_recovery = true;
  // graceful_timer runs while the graceful recovery window is open.
  core::TimerId graceful_timer = 0, bmc_timer = 0, soak_timer = 0;
  // A locked host's action in progress ("Rebooting", "Resetting", ...).
  std::string action_task;
  core::TimePoint action_started{};
};

HostMaintenance::HostMaintenance(core::Node& node, inv::Inventory& inventory, fm::FmClient& fm,
                                 MaintenanceConfig config, HeartbeatConfig heartbeat)
    : node_(node),
      inventory_(inventory),
      fm_(fm),
      config_(config),
      heartbeat_(node, std::move(heartbeat),
                 HeartbeatMonitor::Listener{[this](const HeartbeatChange& c) { on_health(c); }, {}}) {
  node_.on<MtcAlive>([this](const core::Peer&, const MtcAlive& m) { on_alive(m); });
}

HostMaintenance::~HostMaintenance() {
  *alive_ = false;
  for (auto& [_, t] : hosts_) cancel_timers(*t);
}

HostMaintenance::Tracked& HostMaintenance::track(const std::string& host) {
  auto& t = hosts_[host];
  if (!t) t = std::make_unique<Tracked>();
  return *t;
}

HostMaintenance::Tracked* HostMaintenance::tracked(const std::string& host) {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? nullptr : it->second.get();
}

void HostMaintenance::start() {
  started_ = true;
  for (const inv::Host* h : inventory_.hosts()) host_added(*h);
  heartbeat_.start();
  node_.after(config_.audit_period, [this] { audit(); });
}

// A host new to maintenance: added by an operator, or found in inventory after the controller's start.
void HostMaintenance::host_added(const inv::Host& h) {
  if (!started_) return;  // start() takes every host over
  Tracked& t = track(h.hostname);
  if (h.administrative == AdminState::Locked) {
    raise("200.001", h.hostname, fm::Severity::Warning);
    return;
  }
  if (h.operational == OperState::Enabled) {  // in service when the controller (re)started
    t.phase = Phase::Enabled;
    monitor(h.hostname, true);
    return;
  }
  if (h.availability == AvailState::Failed || h.availability == AvailState::Intest) {
    // Recovery was under way: start it again (an mtcAlive re-enables; else reboot and BMC).
    t.phase = Phase::Failed;
    t.failed_at = node_.now();
    t.graceful_timer = node_.after(config_.graceful_recovery, [this, host = h.hostname] { graceful_window_over(host); });
    set_states(h.hostname, AdminState::Unlocked, OperState::Disabled, AvailState::Failed, "Graceful Recovery Wait");
    return;
  }
  t.phase = Phase::Idle;  // unlocked, waiting to hear the agent, then enabled
}

void HostMaintenance::host_removed(const inv::Host& h) {
  if (auto* t = tracked(h.hostname)) {
    cancel_timers(*t);
    if (t->monitored) heartbeat_.remove_host(h.hostname);
  }
  hosts_.erase(h.hostname);
  bmcs_.erase(h.hostname);
  fm_.clear("", "host=" + h.hostname);  // every alarm of the host goes with it
}

void HostMaintenance::cancel_timers(Tracked& t) {
  for (auto* id : {&t.graceful_timer, &t.bmc_timer, &t.soak_timer}) {
    if (*id) node_.cancel(*id);
    *id = 0;
  }
}

void HostMaintenance::monitor(const std::string& host, bool on) {
  Tracked& t = track(host);
  if (on == t.monitored) {
    if (on) {  // restart from a clean slate
      heartbeat_.remove_host(host);
      heartbeat_.add_host(host);
    }
  } else if (on) {
    heartbeat_.add_host(host);
  } else {
    heartbeat_.remove_host(host);
  }
  t.monitored = on;
  t.mgmt = t.cluster = HeartbeatHealth::Ok;
}

void HostMaintenance::on_alive(const MtcAlive& m) {
  const inv::Host* h = host(m.host);
  if (!h) return;  // not (or no longer) in inventory
  Tracked& t = track(m.host);
  // A boot this controller saw before, replaced: the host rebooted. (After the controller's own restart it
  // knows no boot yet: the first mtcAlive it hears is not news of a reboot.)
  const bool new_boot = t.boot_id != 0 && m.boot_id != t.boot_id;
  const bool impact_changed = m.process_impact != t.impact || m.failed_processes != t.failed_processes;
  t.heard = true;
  t.boot_id = m.boot_id;
  t.last_alive = node_.now();
  t.goenabled = m.goenabled;
  t.impact = m.process_impact;
  t.failed_processes = m.failed_processes;
  inventory_.set_uptime(m.host, m.uptime_ms / 1000);
  if (t.inventory_boot != m.boot_id) request_inventory(m.host, m.boot_id);

  if (h->administrative == AdminState::Locked) {
    if (new_boot || h->availability == AvailState::Offline || h->availability == AvailState::PowerOff) {
      t.action_task.clear();
      set_states(m.host, AdminState::Locked, OperState::Disabled, AvailState::Online, "");
    }
    return;
  }
  switch (t.phase) {
    case Phase::Idle:
      begin_enable(m.host, true);
      break;
    case Phase::Enabled:
      if (new_boot) {
        fail(m.host, "the host rebooted unexpectedly", false);
        on_alive(m);  // it is back already: enable it
      } else if (impact_changed) {
        if (t.impact == ProcessImpact::Critical)
          fail(m.host, "critical process failed: " + (t.failed_processes.empty() ? "?" : t.failed_processes.front()), false);
        else
          recompute_availability(m.host);
      }
      break;
    case Phase::Enabling:
      if (t.impact == ProcessImpact::Critical) fail(m.host, "critical process failed while enabling", false);
      break;
    case Phase::Failed:
      if (!t.auto_recovery) break;
      if (m.boot_id != t.failed_boot) {
        begin_enable(m.host, true);
      } else if (t.graceful_timer != 0 && t.fast_enables < config_.max_fast_enables) {
        node_.log().info("mtce.recovery", {{"host", m.host}, {"step", "graceful-recovery"}});
        begin_enable(m.host, false);
      } else if (t.reboot_requested && node_.now() - t.reboot_requested_at > 2 * config_.command_timeout) {
        reboot_request(m.host, "still up after a reboot request");  // the request or its answer was lost
      }
      break;
  }
}

void HostMaintenance::on_health(const HeartbeatChange& c) {
  Tracked* t = tracked(c.host);
  if (!t || !t->monitored) return;
  const bool mgmt = c.network == core::Network::Management;
  (mgmt ? t->mgmt : t->cluster) = c.to;
  if (t->phase == Phase::Enabling) {
    if (mgmt && c.to >= HeartbeatHealth::Degraded)
      fail(c.host, "heartbeat degraded on mgmt during the enable soak", c.to == HeartbeatHealth::Failed);
    return;
  }
  if (t->phase != Phase::Enabled) return;
  if (mgmt && c.to == HeartbeatHealth::Failed) return fail(c.host, "heartbeat loss on mgmt", true);
  bool& alarmed = mgmt ? t->mgmt_alarm : t->cluster_alarm;
  const char* id = mgmt ? "200.005" : "200.009";
  if (c.to >= HeartbeatHealth::Degraded && !alarmed) {
    alarmed = true;
    raise(id, c.host, fm::Severity::Major);
  } else if (c.to < HeartbeatHealth::Degraded && alarmed) {
    alarmed = false;
    clear(id, c.host);
  }
  recompute_availability(c.host);
}

void HostMaintenance::recompute_availability(const std::string& host) {
  Tracked* t = tracked(host);
  if (!t || t->phase != Phase::Enabled) return;
  const bool degraded = t->mgmt >= HeartbeatHealth::Degraded || t->cluster >= HeartbeatHealth::Degraded ||
                        t->impact == ProcessImpact::Major || (extra_degrade_ && extra_degrade_(host));
  set_states(host, AdminState::Unlocked, OperState::Enabled, degraded ? AvailState::Degraded : AvailState::Available, "");
}

void HostMaintenance::fail(const std::string& host, const std::string& reason, bool heartbeat_loss) {
  Tracked& t = track(host);
  const bool already = t.phase == Phase::Failed;
  cancel_timers(t);
  if (t.monitored) monitor(host, false);
  t.phase = Phase::Failed;
  t.failed_at = node_.now();
  t.failed_boot = t.boot_id;
  t.reboot_requested = false;
  t.bmc_resets = 0;
  ++t.recovery_attempts;
  node_.log().warn("mtce.failed", {{"host", host}, {"reason", reason}, {"attempt", t.recovery_attempts}});
  if (!already) raise("200.004", host, fm::Severity::Critical);
  if (heartbeat_loss) {
    t.mgmt_alarm = true;
    raise("200.005", host, fm::Severity::Critical);
  }
  if (t.recovery_attempts > config_.max_recovery_attempts) {
    t.auto_recovery = false;
    node_.log().error("mtce.auto_recovery_disabled", {{"host", host}, {"attempts", t.recovery_attempts - 1}});
    set_states(host, AdminState::Unlocked, OperState::Disabled, AvailState::Failed, "Auto recovery disabled");
    return;
  }
  set_states(host, AdminState::Unlocked, OperState::Disabled, AvailState::Failed, "Graceful Recovery Wait");
  // A reboot is due at once when fast enables ran out, or when the host itself is broken (a critical
  // process that cannot be restarted, failed go-enabled checks): waiting for it to come back gains nothing.
  if (t.fast_enables >= config_.max_fast_enables || t.impact == ProcessImpact::Critical || !t.goenabled)
    return graceful_window_over(host);
  t.graceful_timer = node_.after(config_.graceful_recovery, [this, host] { graceful_window_over(host); });
}

void HostMaintenance::graceful_window_over(const std::string& host) {
  Tracked* t = tracked(host);
  if (!t || t->phase != Phase::Failed) return;
  t->graceful_timer = 0;
  reboot_request(host, "recovery of a failed host");
  const inv::Host* h = this->host(host);
  if (h && h->has_bmc()) bmc_recovery(host);
}

void HostMaintenance::reboot_request(const std::string& host, const std::string& reason) {
  Tracked& t = track(host);
  t.reboot_requested = true;
  t.reboot_requested_at = node_.now();
  const inv::Host* h = this->host(host);
  if (h && h->administrative == AdminState::Unlocked && t.phase == Phase::Failed)
    set_states(host, AdminState::Unlocked, OperState::Disabled, AvailState::Failed, "Rebooting");
  node_.log().info("mtce.recovery", {{"host", host}, {"step", "reboot-request"}, {"reason", reason}});
  node_.call(host, core::Network::Management, HostCommand{HostCommandKind::Reboot, reason}, config_.command_timeout,
             [this, host, alive = std::weak_ptr(alive_)](core::Result<HostCommandReply> r) {
               if (alive.expired()) return;
               core::LogFields f{{"host", host}, {"step", "reboot-request-answer"}, {"ok", r.ok()}};
               if (!r.ok()) f.emplace_back("error", r.failure().detail);
               node_.log().info("mtce.recovery", std::move(f));
             });
}

std::shared_ptr<core::Bmc> HostMaintenance::bmc(const inv::Host& h) {
  auto& b = bmcs_[h.hostname];
  const auto want = inv::bmc_endpoint(h);
  if (!b || !(b->endpoint() == want)) b = node_.env().hardware().bmc(want);  // new or changed BMC settings
  return b;
}

void HostMaintenance::bmc_recovery(const std::string& host) {
  const inv::Host* h = this->host(host);
  Tracked* t = tracked(host);
  if (!h || !t) return;
  bmc(*h)->power_status([this, host, alive = std::weak_ptr(alive_)](core::BmcResult<core::PowerState> r) {
    if (alive.expired()) return;
    Tracked* t = tracked(host);
    const inv::Host* h = this->host(host);
    if (!t || !h || t->phase != Phase::Failed) return;
    if (!r.ok()) {
      node_.log().warn("mtce.recovery", {{"host", host}, {"step", "power-query"}, {"error", r.error().detail}});
      return;
    }
    node_.log().info("mtce.recovery", {{"host", host}, {"step", "power-query"},
                                       {"power", std::string(core::to_string(r.value()))}});
    if (r.value() == core::PowerState::Off) {
      set_states(host, AdminState::Unlocked, OperState::Disabled, AvailState::Failed, "Powering-on");
      bmc(*h)->power_on([this, host, alive = std::weak_ptr(alive_)](core::BmcResult<void> r) {
        if (alive.expired()) return;
        core::LogFields f{{"host", host}, {"step", "power-on"}, {"ok", r.ok()}};
        if (!r.ok()) f.emplace_back("error", r.error().detail);
        node_.log().info("mtce.recovery", std::move(f));
      });
    }
  });
  t->bmc_timer = node_.after(config_.bmc_reset_delay, [this, host] { bmc_reset(host); });
}

void HostMaintenance::bmc_reset(const std::string& host) {
  Tracked* t = tracked(host);
  const inv::Host* h = this->host(host);
  if (!t || !h || t->phase != Phase::Failed) return;
  t->bmc_timer = 0;
  if (t->bmc_resets >= config_.max_bmc_resets) {
    node_.log().error("mtce.recovery", {{"host", host}, {"step", "bmc-reset"}, {"error", "BMC reset limit reached"}});
    return;
  }
  ++t->bmc_resets;
  set_states(host, AdminState::Unlocked, OperState::Disabled, AvailState::Failed, "Resetting");
  node_.log().warn("mtce.recovery", {{"host", host}, {"step", "bmc-reset"}, {"attempt", t->bmc_resets}});
  bmc(*h)->power_reset([this, host, alive = std::weak_ptr(alive_)](core::BmcResult<void> r) {
    if (alive.expired()) return;
    core::LogFields f{{"host", host}, {"step", "bmc-reset-answer"}, {"ok", r.ok()}};
    if (!r.ok()) f.emplace_back("error", r.error().detail);
    node_.log().info("mtce.recovery", std::move(f));
  });
  t->bmc_timer = node_.after(config_.bmc_reset_delay, [this, host] { bmc_reset(host); });
}

void HostMaintenance::begin_enable(const std::string& host, bool rebooted) {
  Tracked& t = track(host);
  cancel_timers(t);
  if (rebooted)
    t.fast_enables = 0;
  else
    ++t.fast_enables;
  t.phase = Phase::Enabling;
  set_states(host, AdminState::Unlocked, OperState::Disabled, AvailState::Intest, "Enabling");
  node_.log().info("mtce.recovery", {{"host", host}, {"step", rebooted ? "enable" : "fast-enable"}});
  if (!t.goenabled) return fail(host, "the host's go-enabled checks failed", false);
  monitor(host, true);
  t.soak_timer = node_.after(config_.soak, [this, host] { soak_over(host); });
}

void HostMaintenance::soak_over(const std::string& host) {
  Tracked* t = tracked(host);
  if (!t || t->phase != Phase::Enabling) return;
  t->soak_timer = 0;
  enabled(host);
}

void HostMaintenance::enabled(const std::string& host) {
  Tracked& t = track(host);
  const bool was_failed = t.recovery_attempts > 0;
  t.phase = Phase::Enabled;
  t.recovery_attempts = 0;
  if (was_failed) clear("200.004", host);
  // The heartbeat started afresh for the enable and has been clean through the soak.
  if (t.mgmt_alarm) clear("200.005", host);
  if (t.cluster_alarm) clear("200.009", host);
  t.mgmt_alarm = t.cluster_alarm = false;
  core::LogFields f{{"host", host}};
  if (was_failed) f.emplace_back("after_s", core::to_seconds(node_.now() - t.failed_at));
  node_.log().info("mtce.enabled", std::move(f));
  recompute_availability(host);
}

void HostMaintenance::request_inventory(const std::string& host, std::uint64_t boot_id) {
  Tracked& t = track(host);
  if (t.inventory_pending) return;
  t.inventory_pending = true;
  node_.call(host, core::Network::Management, GetInventory{}, config_.command_timeout,
             [this, host, boot_id, alive = std::weak_ptr(alive_)](core::Result<InventoryReply> r) {
               if (alive.expired()) return;
               Tracked* t = tracked(host);
               if (!t) return;
               t->inventory_pending = false;
               if (!r.ok() || !r->ok) {
                 node_.log().warn("mtce.inventory", {{"host", host}, {"error", r.ok() ? r->error : r.failure().detail}});
                 return;  // asked again on the next mtcAlive
               }
               t->inventory_boot = boot_id;
               inventory_.set_machine_inventory(host, r->inventory);
             });
}

void HostMaintenance::audit() {
  const auto now = node_.now();
  for (auto& [name, t] : hosts_) {
    const inv::Host* h = host(name);
    if (!h) continue;
    if (t->heard && now - t->last_alive > config_.offline_after) {
      t->heard = false;
      if (h->administrative == AdminState::Locked && h->availability == AvailState::Online)
        set_states(name, AdminState::Locked, OperState::Disabled, AvailState::Offline, h->task);
    }
    // A locked host's action that never completed (the host never came back) stops showing as running.
    if (!t->action_task.empty() && now - t->action_started > core::seconds(600)) {
      t->action_task.clear();
      if (h->administrative == AdminState::Locked) inventory_.set_task(name, "");
    }
  }
  node_.after(config_.audit_period, [this] { audit(); });
}

// ---- operator actions

inv::Outcome<inv::Host> HostMaintenance::perform(std::string_view ref, HostAction action) {
  const inv::Host* h = inventory_.find(ref);
  if (!h) return inv::InvError{404, "host '" + std::string(ref) + "' not found"};
  inv::LifecycleContext ctx{inventory_.system(), inventory_.hosts(), node_.name()};
  if (auto refused = inv::check_action(*h, action, ctx)) return *refused;
  const std::string name = h->hostname;
  node_.log().info("mtce.action", {{"host", name}, {"action", std::string(inv::to_string(action))}});
  switch (action) {
    case HostAction::Lock: do_lock(*h, false); break;
    case HostAction::ForceLock: do_lock(*h, true); break;
    case HostAction::Unlock: do_unlock(*h); break;
    case HostAction::Reboot: {
      Tracked& t = track(name);
      t.action_task = "Rebooting";
      t.action_started = node_.now();
      inventory_.set_task(name, "Rebooting");
      reboot_request(name, "operator reboot");
      break;
    }
    case HostAction::Reset: do_bmc(*h, core::PowerAction::Reset, "Resetting"); break;
    case HostAction::PowerCycle: do_bmc(*h, core::PowerAction::Cycle, "Power-Cycling"); break;
    case HostAction::PowerOn: do_bmc(*h, core::PowerAction::On, "Powering-on"); break;
    case HostAction::PowerOff: do_bmc(*h, core::PowerAction::Off, "Powering-off"); break;
    case HostAction::Delete: {
      auto removed = inventory_.remove(name);  // the listener forgets the host and clears its alarms
      return removed;
    }
  }
  const inv::Host* after = inventory_.find(name);
  if (!after) return inv::InvError{404, "host '" + name + "' not found"};
  return *after;
}

void HostMaintenance::do_lock(const inv::Host& h, bool force) {
  const std::string name = h.hostname;
  Tracked& t = track(name);
  cancel_timers(t);
  if (t.monitored) monitor(name, false);
  t.phase = Phase::Idle;
  t.auto_recovery = true;
  t.recovery_attempts = 0;
  t.fast_enables = 0;
  t.mgmt_alarm = t.cluster_alarm = false;
  set_states(name, AdminState::Locked, OperState::Disabled, t.heard ? AvailState::Online : AvailState::Offline, "");
  raise("200.001", name, fm::Severity::Warning);
  for (const char* id : {"200.004", "200.005", "200.009"}) clear(id, name);
  if (force && t.heard) {  // StarlingX: a force-lock reboots the host to take it out of service at once
    t.action_task = "Rebooting";
    t.action_started = node_.now();
    inventory_.set_task(name, "Rebooting");
    reboot_request(name, "force-lock");
  }
}

void HostMaintenance::do_unlock(const inv::Host& h) {
  clear("200.001", h.hostname);
  Tracked& t = track(h.hostname);
  t.action_task.clear();
  t.recovery_attempts = 0;
  begin_enable(h.hostname, true);
}

void HostMaintenance::do_bmc(const inv::Host& h, core::PowerAction a, std::string task) {
  const std::string name = h.hostname;
  Tracked& t = track(name);
  t.action_task = task;
  t.action_started = node_.now();
  inventory_.set_task(name, task);
  bmc(h)->power(a, [this, name, a, alive = std::weak_ptr(alive_)](core::BmcResult<void> r) {
    if (alive.expired()) return;
    Tracked* t = tracked(name);
    const inv::Host* h = host(name);
    if (!t || !h) return;
    core::LogFields f{{"host", name}, {"action", std::string(core::to_string(a))}, {"ok", r.ok()}};
    if (!r.ok()) f.emplace_back("error", r.error().detail);
    node_.log().info("mtce.bmc_action", std::move(f));
    if (!r.ok() || a == core::PowerAction::Off) {
      t->action_task.clear();
      if (h->administrative == AdminState::Locked)
        set_states(name, AdminState::Locked, OperState::Disabled,
                   r.ok() ? AvailState::PowerOff : h->availability, r.ok() ? "" : "BMC action failed");
      if (r.ok()) t->heard = false;
    }
  });
}

// ---- alarms and states

void HostMaintenance::raise(const std::string& alarm_id, const std::string& host, fm::Severity sev, std::string reason) {
  fm::Alarm a;
  a.alarm_id = alarm_id;
  a.entity_type_id = "host";
  a.entity_instance_id = "host=" + host;
  a.severity = sev;
  a.reason_text = std::move(reason);
  active_.insert(alarm_id + "|" + host);
  node_.log().info("mtce.alarm", {{"host", host}, {"alarm_id", alarm_id}, {"severity", std::string(fm::to_string(sev))}});
  fm_.raise(std::move(a));
}

// The FM is told of every clear (a clear of an inactive alarm is a no-op there, and it also clears what
// an earlier incarnation of this controller raised); the log shows only clears of what this one raised.
void HostMaintenance::clear(const std::string& alarm_id, const std::string& host) {
  if (active_.erase(alarm_id + "|" + host))
    node_.log().info("mtce.alarm", {{"host", host}, {"alarm_id", alarm_id}, {"severity", "clear"}});
  fm_.clear(alarm_id, "host=" + host);
}

void HostMaintenance::set_states(const std::string& host, AdminState a, OperState o, AvailState v, std::string task) {
  inventory_.set_states(host, a, o, v, std::move(task));
}

}  // namespace roost::mtce
