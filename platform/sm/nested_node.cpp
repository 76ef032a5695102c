#include "platform/sm/nested_node.h"

#include <stdexcept>

namespace roost::sm {

// Hands out BMC handles whose completions are dropped once the nested node is gone.
class NestedEnv::GuardedHardware final : public core::HardwareAccess {
 public:
  GuardedHardware(core::HardwareAccess& outer, std::weak_ptr<bool> alive) : outer_(outer), alive_(std::move(alive)) {}

  std::shared_ptr<core::Bmc> bmc(const core::BmcEndpoint& endpoint) override {
    return std::make_shared<GuardedBmc>(outer_.bmc(endpoint), alive_);
  }
  std::variant<core::MachineInventory, std::string> machine_inventory() override { return outer_.machine_inventory(); }
  // Nested controller services start no processes of their own; the controller's process control is
  // shared (a process a service started outlives the service only until the controller node ends).
  core::ProcessControl& processes() override { return outer_.processes(); }

 private:
  class GuardedBmc final : public core::Bmc {
   public:
    GuardedBmc(std::shared_ptr<core::Bmc> inner, std::weak_ptr<bool> alive) : inner_(std::move(inner)), alive_(std::move(alive)) {}
    const core::BmcEndpoint& endpoint() const override { return inner_->endpoint(); }
    void power_status(core::BmcDone<core::PowerState> done) override { inner_->power_status(guard(std::move(done))); }
    void power(core::PowerAction action, core::BmcDone<void> done) override { inner_->power(action, guard(std::move(done))); }
    void read_sensors(core::BmcDone<std::vector<core::SensorReading>> done) override {
      inner_->read_sensors(guard(std::move(done)));
    }

   private:
    template <class T>
    core::BmcDone<T> guard(core::BmcDone<T> done) {
      return [alive = alive_, done = std::move(done)](core::BmcResult<T> r) mutable {
        if (!alive.expired()) done(std::move(r));
      };
    }
    std::shared_ptr<core::Bmc> inner_;
    std::weak_ptr<bool> alive_;
  };

  core::HardwareAccess& outer_;
  std::weak_ptr<bool> alive_;
};

NestedEnv::NestedEnv(core::Env& outer, std::map<std::type_index, std::shared_ptr<void>> overrides)
    : outer_(outer), overrides_(std::move(overrides)) {}

NestedEnv::~NestedEnv() {
  *alive_ = false;
  for (auto id : timers_) outer_.cancel(id);
  for (const auto& [net, port] : http_) outer_.stop_http(net, port);
}

core::TimerId NestedEnv::after(core::Duration d, std::function<void()> fn) {
  auto id = std::make_shared<core::TimerId>(0);
  *id = outer_.after(d, [this, alive = std::weak_ptr<bool>(alive_), id, fn = std::move(fn)] {
    if (alive.expired()) return;
    timers_.erase(*id);
    fn();
  });
  timers_.insert(*id);
  return *id;
}

void NestedEnv::cancel(core::TimerId id) {
  timers_.erase(id);
  outer_.cancel(id);
}

void NestedEnv::call(const std::string& to, core::Network net, core::Envelope request, core::Duration timeout,
                     std::function<void(core::CallOutcome)> done) {
  outer_.call(to, net, std::move(request), timeout, [alive = std::weak_ptr<bool>(alive_), done = std::move(done)](core::CallOutcome o) {
    if (!alive.expired()) done(std::move(o));
  });
}

core::HardwareAccess& NestedEnv::hardware() {
  if (!hardware_) hardware_ = std::make_unique<GuardedHardware>(outer_.hardware(), alive_);
  return *hardware_;
}

std::shared_ptr<void> NestedEnv::resource(std::type_index type) {
  if (auto it = overrides_.find(type); it != overrides_.end()) return it->second;
  return outer_.resource(type);
}

void NestedEnv::serve_http(core::Network net, std::uint16_t port, std::shared_ptr<const core::HttpRouter> router) {
  http_.insert({net, port});
  outer_.serve_http(net, port, std::move(router));
}

void NestedEnv::stop_http(core::Network net, std::uint16_t port) {
  http_.erase({net, port});
  outer_.stop_http(net, port);
}

// ---- NestedNodeActions ------------------------------------------------------------------------------

NestedNodeActions::NestedNodeActions(Host host, std::string service, std::string role, nlohmann::json config)
    : host_(std::move(host)), service_(std::move(service)), role_(std::move(role)), config_(std::move(config)) {}

NestedNodeActions::~NestedNodeActions() {
  *alive_ = false;
  teardown();
}

void NestedNodeActions::later(std::function<void()> fn) {
  host_.node.after(core::Duration::zero(), [alive = std::weak_ptr<bool>(alive_), fn = std::move(fn)] {
    if (!alive.expired()) fn();
  });
}

void NestedNodeActions::teardown() {
  if (host_.attach) host_.attach(service_, nullptr);
  node_.reset();  // the node first: its destructor may still use its Env
  env_.reset();
}

void NestedNodeActions::start(ActionDone done) {
  later([this, done = std::move(done)]() mutable {
    if (node_) return done({});
    core::NodeSpec spec{host_.node.name(), role_, host_.node.spec().site, config_};
    try {
      env_ = std::make_unique<NestedEnv>(host_.node.env(), host_.overrides);
      node_ = host_.factory(*env_, spec);
      if (host_.attach) host_.attach(service_, node_.get());
      node_->start();
    } catch (const std::exception& e) {
      teardown();
      return done({false, "start " + role_ + ": " + e.what()});
    }
    done({});
  });
}

void NestedNodeActions::stop(ActionDone done) {
  later([this, done = std::move(done)]() mutable {
    teardown();
    done({});
  });
}

void NestedNodeActions::audit(ActionDone done) {
  later([this, done = std::move(done)]() mutable {
    if (!node_) return done({false, "audit: the " + role_ + " service is not running"});
    done({});
  });
}

}  // namespace roost::sm
