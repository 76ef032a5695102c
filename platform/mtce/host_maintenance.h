// HostMaintenance: the controller's maintenance of every host in inventory (StarlingX's mtcAgent with
// the heartbeat agent inside). It owns the hosts' administrative / operational / availability states
// (persisted through inv::Inventory), takes the lifecycle actions operators ask for (inv::HostActions,
// checked against inv/lifecycle.h's rules), and keeps unlocked hosts in service:
//
//  heartbeat  every unlocked host that is enabled (or enabling) is pulsed on mgmt and cluster-host by a
//             HeartbeatMonitor. Degraded on mgmt -> 200.005 major, on cluster-host -> 200.009 major,
//             availability degraded; back to Ok -> cleared. Failed on mgmt (never on cluster-host; never
//             during multi-node failure avoidance) -> the host fails.
//  failure    unlocked-disabled-failed, 200.004 critical (and 200.005 critical for a heartbeat loss).
//             Graceful recovery: for `graceful_recovery` (5 s) an mtcAlive from the same boot re-enables the
//             host without a reboot (at most `max_fast_enables` times in a row). Then: reboot request over
//             the network; BMC power query (power on if off); BMC reset after `bmc_reset_delay` (300 s) if
//             the host is still not back, repeated up to `max_bmc_resets`.
//  enable     when the failed host is back (an mtcAlive, normally from a new boot): intest; its go-enabled
//             checks must pass, then a heartbeat soak of `soak` (11 s) without a degrade; then
//             unlocked-enabled-available and 200.004 / 200.005 are cleared. A failed enable fails the host
//             again; after `max_recovery_attempts` failed recoveries in a row auto-recovery stops
//             (task "Auto recovery disabled"; lock and unlock to retry).
//  processes  the agent's process impact (MtcAlive): critical -> failure (reboot), major -> degraded.
//  locked     200.001 warning; not heartbeated; online while its mtcAlive is heard, offline after
//             `offline_after` (10 s) of silence.
//
// Logs: mtce.failed {host, reason}, mtce.recovery {host, step}, mtce.enabled {host, after_s},
// mtce.action {host, action}, mtce.auto_recovery_disabled {host}; heartbeat's hbs.* records; and the
// inventory's host.state on every state change.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "platform/core/node.h"
#include "platform/fm/fm_client.h"
#include "platform/inv/host_actions.h"
#include "platform/inv/inventory.h"
#include "platform/mtce/heartbeat_monitor.h"
#include "platform/mtce/messages.h"

namespace roost::mtce {

struct MaintenanceConfig {
  core::Duration graceful_recovery = core::seconds(5);
  core::Duration bmc_reset_delay = core::seconds(300);
  core::Duration soak = core::seconds(11);
  core::Duration offline_after = core::seconds(10);
  core::Duration command_timeout = core::seconds(2);
  core::Duration audit_period = core::seconds(1);   // offline detection, timers' backstop
  int max_fast_enables = 5;
  int max_bmc_resets = 3;
  int max_recovery_attempts = 5;
  // Keys: graceful_recovery_s, bmc_reset_delay_s, soak_s, offline_after_s, command_timeout_ms,
  // max_fast_enables, max_bmc_resets, max_recovery_attempts, plus "heartbeat": {HeartbeatConfig keys}.
  static MaintenanceConfig from_json(const nlohmann::json& j);
};

class HostMaintenance final : public inv::HostActions {
 public:
  // Registers the MtcAlive handler on `node` and the heartbeat monitor's pulse handlers.
  HostMaintenance(core::Node& node, inv::Inventory& inventory, fm::FmClient& fm, MaintenanceConfig config,
                  HeartbeatConfig heartbeat);
  ~HostMaintenance() override;

  // Takes over every host in inventory (after the controller's (re)start) and starts the heartbeat.
  void start();
  // Inventory's listener.
  void host_added(const inv::Host& h);
  void host_removed(const inv::Host& h);

  inv::Outcome<inv::Host> perform(std::string_view ref, inv::HostAction action) override;

  // Something besides heartbeat and processes that degrades a host (the hardware monitor's sensors);
  // call availability_inputs_changed(host) when its answer changes.
  void set_degrade_source(std::function<bool(const std::string& host)> degrades) { extra_degrade_ = std::move(degrades); }
  void availability_inputs_changed(const std::string& host) { recompute_availability(host); }

  const HeartbeatMonitor& heartbeat() const { return heartbeat_; }
  const MaintenanceConfig& config() const { return config_; }

 private:
  struct Tracked;
  enum class Phase : std::uint8_t;

  Tracked& track(const std::string& host);
  Tracked* tracked(const std::string& host);
  const inv::Host* host(const std::string& name) const { return inventory_.find(name); }

  void on_alive(const MtcAlive& m);
  void on_health(const HeartbeatChange& c);
  void audit();

  void fail(const std::string& host, const std::string& reason, bool heartbeat_loss);
  void graceful_window_over(const std::string& host);
  void reboot_request(const std::string& host, const std::string& reason);
  void bmc_recovery(const std::string& host);
  void bmc_reset(const std::string& host);
  void begin_enable(const std::string& host, bool rebooted);
  void soak_over(const std::string& host);
  void enabled(const std::string& host);
  void recompute_availability(const std::string& host);
  void request_inventory(const std::string& host, std::uint64_t boot_id);
  void monitor(const std::string& host, bool on);
  void cancel_timers(Tracked& t);

  void do_lock(const inv::Host& h, bool force);
  void do_unlock(const inv::Host& h);
  void do_bmc(const inv::Host& h, core::PowerAction a, std::string task);

  void raise(const std::string& alarm_id, const std::string& host, fm::Severity sev, std::string reason = "");
  void clear(const std::string& alarm_id, const std::string& host);
  void set_states(const std::string& host, inv::AdminState a, inv::OperState o, inv::AvailState v, std::string task);
  std::shared_ptr<core::Bmc> bmc(const inv::Host& h);

  core::Node& node_;
  inv::Inventory& inventory_;
  fm::FmClient& fm_;
  MaintenanceConfig config_;
  HeartbeatMonitor heartbeat_;
  std::map<std::string, std::unique_ptr<Tracked>> hosts_;
  std::map<std::string, std::shared_ptr<core::Bmc>> bmcs_;  // one handle per host's BMC
  std::function<bool(const std::string&)> extra_degrade_;
  std::set<std::string> active_;  // "alarm_id|host" raised by this incarnation and not cleared since
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool started_ = false;
};

}  // namespace roost::mtce
