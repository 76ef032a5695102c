#include "sim/sim_hardware.h"

#include <deque>
#include <functional>
#include <optional>

#include "sim/default_inventory.h"
#include "sim/node_env.h"
#include "sim/sim_processes.h"
#include "sim/simulated_bmc.h"
#include "sim/site_runtime.h"
#include "sim/world.h"

namespace roost::sim {

namespace {

// A node's handle on one BMC twin. Operations run one at a time, in order, like the real IpmiBmc's.
class SimBmcClient final : public core::Bmc, public std::enable_shared_from_this<SimBmcClient> {
 public:
  SimBmcClient(NodeEnv& env, SiteRuntime& site, NodeId caller, core::BmcEndpoint endpoint)
      : env_(env), site_(site), world_(site.world()), caller_(caller), endpoint_(std::move(endpoint)) {}

  const core::BmcEndpoint& endpoint() const override { return endpoint_; }

  void power_status(core::BmcDone<core::PowerState> done) override {
    enqueue([this, done = std::move(done)]() mutable {
      const Admission a = admit();
      if (a.error) return answer(a.delay, std::move(done), core::BmcResult<core::PowerState>(*a.error));
      at_bmc<core::PowerState>(a, std::move(done), [this, target = a.target] {
        return world_.bmcs[target]->powered() ? core::PowerState::On : core::PowerState::Off;
      });
    });
  }

  void power(core::PowerAction action, core::BmcDone<void> done) override {
    enqueue([this, action, done = std::move(done)]() mutable {
      const Admission a = admit();
      if (a.error) return answer(a.delay, std::move(done), core::BmcResult<void>(*a.error));
      // The action takes effect when the request reaches the BMC, whatever becomes of the caller.
      Event e;
      e.t = site_.now() + (a.delay / 2).count();
      e.kind = Event::Kind::BmcPower;
      e.node = a.target;
      e.id = static_cast<std::uint64_t>(action);
      e.by = caller_;
      site_.schedule(std::move(e));
      answer(a.delay, std::move(done), core::BmcResult<void>());
    });
  }

  void read_sensors(core::BmcDone<std::vector<core::SensorReading>> done) override {
    enqueue([this, done = std::move(done)]() mutable {
      const Admission a = admit();
      using Readings = std::vector<core::SensorReading>;
      if (a.error) return answer(a.delay, std::move(done), core::BmcResult<Readings>(*a.error));
      at_bmc<Readings>(a, std::move(done), [this, target = a.target] { return world_.bmcs[target]->readings(); });
    });
  }

 private:
  struct Admission {
    NodeId target = 0;
    std::optional<core::BmcError> error;
    core::Duration delay{};
  };

  Admission admit() const {
    using core::BmcErrorCode;
    const std::string& host = endpoint_.host;
    if (endpoint_.protocol != "ipmi")
      return {0, core::BmcError{BmcErrorCode::Unsupported, "BMC protocol \"" + endpoint_.protocol + "\" of host " +
                                                               host + " is not supported (the twin speaks ipmi)"},
              core::Duration::zero()};
    const auto target = world_.fleet.find_node(host);
    if (!target || !world_.bmcs[*target])
      return {0, core::BmcError{BmcErrorCode::Unreachable, "no BMC answers for host " + host + " (" +
                                                               (target ? "the scenario gives it no BMC" : "no such node") + ")"},
              kNoBmcUnreachableAfter};
    if (world_.fleet.node(*target).site != world_.fleet.node(caller_).site)
      return {0, core::BmcError{BmcErrorCode::Unreachable, "the BMC of " + host + " is on another site's BMC network"},
              kNoBmcUnreachableAfter};
    const SimulatedBmc& bmc = *world_.bmcs[*target];
    if (!bmc.reachable(site_.now()))
      return {0, core::BmcError{BmcErrorCode::Unreachable, "the BMC of " + host + " does not answer"},
              bmc.spec().unreachable_after};
    if (!bmc.accepts(endpoint_))
      return {0, core::BmcError{BmcErrorCode::Auth, "the BMC of " + host + " refused user \"" + endpoint_.user +
                                                        "\" (wrong user or password)"},
              bmc.spec().latency};
    return {*target, std::nullopt, bmc.spec().latency};
  }

  void enqueue(std::function<void()> start) {
    queue_.push_back(std::move(start));
    if (!busy_) start_next();
  }

  void start_next() {
    if (queue_.empty()) return;
    busy_ = true;
    auto start = std::move(queue_.front());
    queue_.pop_front();
    start();
  }

  // Takes the reading when the request reaches the BMC (half the latency), answers at the full latency.
  template <class T, class Read>
  void at_bmc(const Admission& a, core::BmcDone<T> done, Read read) {
    const core::Duration there = a.delay / 2, back = a.delay - there;
    env_.after(there, [weak = weak_from_this(), back, done = std::move(done), read = std::move(read)]() mutable {
      if (auto self = weak.lock()) self->answer(back, std::move(done), core::BmcResult<T>(read()));
    });
  }

  // Answers `done` with `result` after `delay`, through the caller's timers: a crashed caller never hears.
  template <class T>
  void answer(core::Duration delay, core::BmcDone<T> done, core::BmcResult<T> result) {
    env_.after(delay, [weak = weak_from_this(), done = std::move(done), result = std::move(result)]() mutable {
      auto self = weak.lock();
      if (!self) return;  // the handle was dropped: its operations are abandoned
      self->busy_ = false;
      self.reset();  // the completion may drop the last reference
      if (done) done(std::move(result));
      if (auto again = weak.lock()) again->start_next();
    });
  }

  NodeEnv& env_;
  SiteRuntime& site_;
  World& world_;
  NodeId caller_;
  core::BmcEndpoint endpoint_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false;
};

}  // namespace

std::shared_ptr<core::Bmc> SimHardware::bmc(const core::BmcEndpoint& endpoint) {
  return std::make_shared<SimBmcClient>(env_, site_, self_, endpoint);
}

core::ProcessControl& SimHardware::processes() { return site_.processes(self_); }

std::variant<core::MachineInventory, std::string> SimHardware::machine_inventory() {
  return machine_inventory_of(*site_.world().fleet.node(self_).spec);
}

}  // namespace roost::sim
