#include "backends/node_hardware.h"

#include <boost/asio/io_context.hpp>

#include "backends/os_inventory.h"

namespace roost::backends {

namespace {

// Hands the node's completions to the guard of the incarnation that started each operation.
class GuardedBmc final : public core::Bmc {
 public:
  GuardedBmc(std::shared_ptr<core::Bmc> inner, NodeHardware::GuardFactory guard)
      : inner_(std::move(inner)), guard_(std::move(guard)) {}

  const core::BmcEndpoint& endpoint() const override { return inner_->endpoint(); }
  void power_status(core::BmcDone<core::PowerState> done) override { inner_->power_status(wrap(std::move(done))); }
  void power(core::PowerAction action, core::BmcDone<void> done) override {
    inner_->power(action, wrap(std::move(done)));
  }
  void read_sensors(core::BmcDone<std::vector<core::SensorReading>> done) override {
    inner_->read_sensors(wrap(std::move(done)));
  }

 private:
  template <class T>
  core::BmcDone<T> wrap(core::BmcDone<T> done) {
    return [guard = guard_(), done = std::move(done)](core::BmcResult<T> r) mutable {
      guard([&] { done(std::move(r)); });
    };
  }

  std::shared_ptr<core::Bmc> inner_;
  NodeHardware::GuardFactory guard_;
};

class GuardedProcesses final : public core::ProcessControl {
 public:
  GuardedProcesses(core::ProcessControl& inner, NodeHardware::GuardFactory guard)
      : inner_(inner), guard_(std::move(guard)) {}

  void start(const core::ProcessSpec& spec, std::function<void(core::ProcessId, std::string)> started,
             std::function<void(core::ProcessExit)> exited) override {
    const auto guard = guard_();
    inner_.start(
        spec,
        [guard, started = std::move(started), inner = &inner_](core::ProcessId id, std::string error) mutable {
          bool delivered = false;
          guard([&] {
            delivered = true;
            if (started) started(id, std::move(error));
          });
          if (!delivered && id != 0) inner->stop(id);
        },
        [guard, exited = std::move(exited)](core::ProcessExit e) mutable {
          guard([&] {
            if (exited) exited(e);
          });
        });
  }
  void stop(core::ProcessId id) override { inner_.stop(id); }

 private:
  core::ProcessControl& inner_;
  NodeHardware::GuardFactory guard_;
};

}  // namespace

NodeHardware::NodeHardware(boost::asio::io_context& io, GuardFactory guard, ipmi::IpmiOptions options,
                           ipmi::IpmiBmc::Observer observer)
    : io_(io),
      guard_(std::move(guard)),
      options_(std::move(options)),
      observer_(std::move(observer)),
      runner_(io),
      process_control_(io),
      guarded_processes_(std::make_unique<GuardedProcesses>(process_control_, guard_)) {}

NodeHardware::~NodeHardware() = default;

std::shared_ptr<core::Bmc> NodeHardware::bmc(const core::BmcEndpoint& endpoint) {
  return std::make_shared<GuardedBmc>(ipmi::make_bmc(io_, runner_, endpoint, options_, observer_), guard_);
}

core::ProcessControl& NodeHardware::processes() { return *guarded_processes_; }

std::variant<core::MachineInventory, std::string> NodeHardware::machine_inventory() { return read_os_inventory("/"); }

}  // namespace roost::backends
