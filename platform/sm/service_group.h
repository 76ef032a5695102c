// Services and service groups (StarlingX SM's model, reference "Service management").
//
// A service group is a set of member services that go active or standby together on one controller, with
// a redundancy model: OnePlusOne (N+M with N=1, M=1: active on the active controller, standby on the other)
// or N (active on every controller, e.g. per-host services). A member's failure has an impact: critical ->
// the group is failed, major -> degraded, minor -> warn. A failing member is restarted; a member that fails
// more than `max_failures` times within `failure_debounce` stays failed ("fatal") until the group is
// disabled and enabled again. Members are audited every `audit_period`; every action has a timeout.
//
// Actions go through a plugin (ServiceActions): a real one that starts/stops/audits a process
// (ProcessServiceActions over core::ProcessControl), one that runs Roost's own internal services in the
// controller's process (NestedNodeActions in nested_node.h), and a simulated one with durations and
// failure rates from the scenario (SimulatedServiceActions). The group never knows which it drives.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/node.h"
#include "platform/core/time.h"

namespace roost::sm {

enum class RedundancyModel : std::uint8_t { OnePlusOne, N };
enum class Impact : std::uint8_t { Minor, Major, Critical };

// Group states and status, named as StarlingX names them.
enum class GroupState : std::uint8_t { Initial, Unknown, Standby, GoStandby, GoActive, Active, Disabling, Disabled, Shutdown };
enum class GroupStatus : std::uint8_t { None, Warn, Degraded, Failed };
// A member's state: enabled-active / enabled-standby / enabling / disabling / disabled / failed.
enum class ServiceState : std::uint8_t { Initial, EnablingActive, EnabledActive, EnabledStandby, Disabling, Disabled, Failed };

std::string_view to_string(RedundancyModel m);
std::string_view to_string(Impact i);
std::string_view to_string(GroupState s);
std::string_view to_string(GroupStatus s);
std::string_view to_string(ServiceState s);
std::optional<RedundancyModel> parse_redundancy(std::string_view s);  // "1+1", "N"
std::optional<Impact> parse_impact(std::string_view s);

struct ActionResult {
  bool ok = true;
  std::string error;  // when !ok: what failed ("start: exit status 3", "audit: no such process")
};
using ActionDone = std::function<void(ActionResult)>;

// The plugin: how one member service is started, stopped and audited. Every `done` runs exactly once,
// later (never inside the call), on the node's thread, unless the ServiceActions is destroyed first
// (then never). The group applies its own timeouts: a `done` that comes after the timeout is ignored.
class ServiceActions {
 public:
  virtual ~ServiceActions() = default;
  virtual std::string_view kind() const = 0;  // "process", "internal", "simulated"
  virtual void start(ActionDone done) = 0;    // go active
  virtual void stop(ActionDone done) = 0;     // go standby / disable (must succeed on a stopped service)
  virtual void audit(ActionDone done) = 0;    // is it still healthy?
};

struct ServiceSpec {
  std::string name;
  Impact impact = Impact::Critical;
  std::string actions = "internal";    // which plugin: "internal", "process", "simulated"
  nlohmann::json config = nlohmann::json::object();  // the plugin's own settings
  core::Duration action_timeout = core::seconds(10);
  core::Duration audit_period = core::seconds(40);
  int max_failures = 3;
  core::Duration failure_debounce = core::seconds(300);
};

struct ServiceGroupSpec {
  std::string name;  // "controller-services"
  RedundancyModel model = RedundancyModel::OnePlusOne;
  std::vector<ServiceSpec> members;
};

// Parses a group from JSON ({"name", "redundancy": "1+1"|"N", "members": [{"name", "impact", "actions",
// "config", "action_timeout_ms", "audit_period_ms", "max_failures", "failure_debounce_ms"}]}); throws
// std::invalid_argument naming the key ("members[2].impact: ...").
ServiceGroupSpec parse_service_group(const nlohmann::json& j);

// Builds the plugin of a member; throws std::invalid_argument naming what is wrong in spec.config.
using ActionsFactory = std::function<std::unique_ptr<ServiceActions>(const ServiceSpec&)>;

struct ServiceView {
  std::string name;
  ServiceState state = ServiceState::Initial;
  Impact impact = Impact::Critical;
  std::string actions;
  int failures = 0;        // within the debounce window
  bool fatal = false;      // past max_failures: stays failed until the group is disabled
  std::string last_error;
};

class ServiceGroup {
 public:
  struct Listener {
    // The group's state or status changed (also logged as sm.group).
    std::function<void(GroupState state, GroupStatus status)> on_change;
  };

  ServiceGroup(core::Node& node, ServiceGroupSpec spec, ActionsFactory factory, Listener listener);
  ~ServiceGroup();
  ServiceGroup(const ServiceGroup&) = delete;
  ServiceGroup& operator=(const ServiceGroup&) = delete;

  // Desired state. go_active: start every member (in order); Active once all started (a member that
  // fails to start counts as a failure with its impact). go_standby: stop every member (reverse order);
  // Standby once all stopped. disable: as go_standby, ending Disabled. Calling one while another is in
  // progress re-targets the group (members already started are stopped again and vice versa).
  void go_active();
  void go_standby();
  void disable();

  const std::string& name() const;
  RedundancyModel model() const;
  GroupState state() const;
  GroupStatus status() const;
  // Stable: active or standby (or disabled) with nothing in progress.
  bool stable() const;
  std::vector<ServiceView> services() const;
  // sm-dump-like view: {"name", "redundancy", "state", "status", "services": [{name, state, impact, ...}]}.
  nlohmann::json to_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace roost::sm
