// Roost's own services inside a controller's service manager: a nested node.
//
// The controller services (FM, inventory/maintenance, later the distributed-cloud manager) are ordinary
// roles (fm, controller, ...). While the controller is active, its service manager runs each of them as a
// nested Node: built through the same RoleRegistry, under the controller's name, with a NestedEnv that
// forwards to the controller's Env but keeps the Env's promises for the nested node's shorter life: when the
// service stops (go-standby, swact), its timers, call replies, hardware completions and HTTP APIs go with it
// and nothing reaches the destroyed node. Traffic for message types the nested node handles reaches it
// through the controller node (ControllerNode routes what it does not handle itself).
//
// Durable resources: a nested node asking for a resource gets the controller's override for that type when
// there is one (the replicated FM alarm store, the replicated host store), else the controller's own.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <typeindex>
#include <utility>
#include <vector>

#include "platform/core/env.h"
#include "platform/core/node.h"
#include "platform/sm/service_group.h"

namespace roost::sm {

class NestedEnv final : public core::Env {
 public:
  NestedEnv(core::Env& outer, std::map<std::type_index, std::shared_ptr<void>> overrides);
  ~NestedEnv() override;  // cancels what the nested node left behind

  const std::string& node_name() const override { return outer_.node_name(); }
  core::TimePoint now() const override { return outer_.now(); }
  core::TimerId after(core::Duration d, std::function<void()> fn) override;
  void cancel(core::TimerId id) override;
  void send(const std::string& to, core::Network net, core::Envelope msg) override { outer_.send(to, net, std::move(msg)); }
  void call(const std::string& to, core::Network net, core::Envelope request, core::Duration timeout,
            std::function<void(core::CallOutcome)> done) override;
  core::Rng& rng() override { return outer_.rng(); }
  core::Logger& log() override { return outer_.log(); }
  core::HardwareAccess& hardware() override;
  std::int64_t wall_time_us() const override { return outer_.wall_time_us(); }
  std::shared_ptr<void> resource(std::type_index type) override;
  bool reboot(std::string_view reason) override { return outer_.reboot(reason); }
  void serve_http(core::Network net, std::uint16_t port, std::shared_ptr<const core::HttpRouter> router) override;
  void stop_http(core::Network net, std::uint16_t port) override;
  bool claim_floating(const std::string& name) override { return outer_.claim_floating(name); }
  void release_floating(const std::string& name) override { outer_.release_floating(name); }
  const core::Crypto& crypto() const override { return outer_.crypto(); }

 private:
  class GuardedHardware;
  core::Env& outer_;
  std::map<std::type_index, std::shared_ptr<void>> overrides_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::set<core::TimerId> timers_;
  std::set<std::pair<core::Network, std::uint16_t>> http_;
  std::unique_ptr<GuardedHardware> hardware_;
};

// How a controller builds a nested node of `role` from `spec` (the RoleRegistry lives above platform/sm).
using NodeFactory = std::function<std::unique_ptr<core::Node>(core::Env&, const core::NodeSpec&)>;

// The "internal" ServiceActions: start builds and starts the nested node (a role that throws fails the
// start, with its message), stop destroys it, audit checks that it still lives.
class NestedNodeActions final : public ServiceActions {
 public:
  struct Host {
    core::Node& node;                 // the controller node (its Env, name, site)
    NodeFactory factory;
    std::map<std::type_index, std::shared_ptr<void>> overrides;
    // Tells the controller which nested node now runs for this service (nullptr: none).
    std::function<void(const std::string& service, core::Node*)> attach;
  };
  NestedNodeActions(Host host, std::string service, std::string role, nlohmann::json config);
  ~NestedNodeActions() override;

  std::string_view kind() const override { return "internal"; }
  void start(ActionDone done) override;
  void stop(ActionDone done) override;
  void audit(ActionDone done) override;

 private:
  void later(std::function<void()> fn);
  void teardown();

  Host host_;
  std::string service_, role_;
  nlohmann::json config_;
  std::unique_ptr<NestedEnv> env_;
  std::unique_ptr<core::Node> node_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace roost::sm
