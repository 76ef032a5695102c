// The standard ServiceActions plugins (service_group.h) and the factory that builds them from a member's
// spec:
//
// - "simulated" (SimulatedServiceActions): no process; start and stop take durations drawn from the
//   node's Rng (triangular, in ms) and fail at the configured rates, so a seeded simulation repeats.
//     {"start_ms": {"min": 100, "mode": 200, "max": 500}, "stop_ms": {"min": 50, "mode": 100, "max": 200},
//      "start_failure_rate": 0.0, "audit_failure_rate": 0.0}
//   A duration may also be a single number (fixed). Every key is optional (defaults above).
// - "process" (ProcessServiceActions): a real program through core::ProcessControl
//   (env.hardware().processes()). start spawns it; stop ends it (SIGTERM, then the runtime's SIGKILL);
//   audit passes while it runs.
//     {"command": ["/usr/bin/sleep", "600"], "restart_grace_ms": 200}
//   restart_grace_ms: a (re)started process must stay up this long before its start succeeds, so a
//   command that dies at once fails its start (with its exit status) instead of passing and then failing
//   the first audit a whole audit period later. 0: the start succeeds as soon as it is spawned.
//
// "internal" (Roost's own services as nested nodes) lives with the controller (nested_node.h); a caller
// adds it through make_actions_factory's `extra` map.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/node.h"
#include "platform/core/process.h"
#include "platform/sm/service_group.h"

namespace roost::sm {

// A triangular distribution of milliseconds (core::Rng::triangular).
struct TriangularMs {
  double min = 0, mode = 0, max = 0;
};

class SimulatedServiceActions final : public ServiceActions {
 public:
  struct Config {
    TriangularMs start_ms{100, 200, 500};
    TriangularMs stop_ms{50, 100, 200};
    double start_failure_rate = 0;
    double audit_failure_rate = 0;
  };
  // Throws std::invalid_argument "<what>: start_ms.mode: ..." naming the key.
  static Config parse_config(const nlohmann::json& j, const std::string& what);

  SimulatedServiceActions(core::Node& node, std::string service, Config config);
  ~SimulatedServiceActions() override;

  std::string_view kind() const override { return "simulated"; }
  void start(ActionDone done) override;
  void stop(ActionDone done) override;
  // Passes while started, unless it draws a failure (audit_failure_rate); after the current callback.
  void audit(ActionDone done) override;

  bool running() const { return running_; }

 private:
  void later(core::Duration d, std::function<void()> fn);
  core::Duration draw(const TriangularMs& t);

  core::Node& node_;
  std::string service_;
  Config config_;
  bool running_ = false;
  // Bumped by each start/stop: only the newest decides running_ (an older one completing late must not).
  std::uint64_t generation_ = 0;
  std::set<core::TimerId> timers_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class ProcessServiceActions final : public ServiceActions {
 public:
  struct Config {
    std::vector<std::string> command;  // argv; argv[0] looked up in PATH by the real runtime
    core::Duration restart_grace = core::milliseconds(200);
  };
  // Throws std::invalid_argument "<what>: command: ..." naming the key.
  static Config parse_config(const nlohmann::json& j, const std::string& what);

  // `service` names the process for ProcessControl (its ProcessSpec::name) and in errors.
  ProcessServiceActions(core::Node& node, std::string service, Config config);
  // Stops the process it started (a service must not outlive the group that runs it).
  ~ProcessServiceActions() override;

  std::string_view kind() const override { return "process"; }
  void start(ActionDone done) override;
  void stop(ActionDone done) override;
  void audit(ActionDone done) override;

  // The running process (or the one being started/stopped), if any.
  std::optional<core::ProcessId> pid() const { return id_ ? std::optional<core::ProcessId>(id_) : std::nullopt; }

 private:
  enum class Phase : std::uint8_t { Idle, Spawning, Grace, Running, Stopping };

  void spawn();
  void on_started(core::ProcessId id, const std::string& error);
  void on_exited(const core::ProcessExit& exit);
  void begin_stop();
  // Runs each waiter with `r` after the current callback (never inside a start/stop/audit call, and
  // never while this object is in the middle of a change: a waiter may call back into it).
  void finish(std::vector<ActionDone>& waiters, const ActionResult& r);
  void later(core::Duration d, std::function<void()> fn);
  std::string describe() const;  // "sleep 600"

  core::Node& node_;
  std::string service_;
  Config config_;
  Phase phase_ = Phase::Idle;
  core::ProcessId id_ = 0;
  bool stop_after_spawn_ = false;   // stop() came while the spawn was under way
  bool start_after_stop_ = false;   // start() came while stopping: spawn again once it exited
  std::vector<ActionDone> start_waiters_;
  std::vector<ActionDone> stop_waiters_;
  std::string last_exit_;  // "exited with status 3", "killed by signal 9"
  core::TimerId grace_timer_ = 0;
  std::set<core::TimerId> timers_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The plugin for spec.actions "simulated" or "process"; nullptr for any other kind (a caller tries its
// own kinds first or after). Throws std::invalid_argument naming what is wrong in spec.config.
std::unique_ptr<ServiceActions> make_standard_actions(core::Node& node, const ServiceSpec& spec);

// An ActionsFactory for ServiceGroup: `extra` kinds first (e.g. "internal"), then the standard ones; an
// unknown kind throws std::invalid_argument naming the service, the kind and the known kinds.
ActionsFactory make_actions_factory(core::Node& node, std::map<std::string, ActionsFactory> extra = {});

}  // namespace roost::sm
