#include "backends/node_hardware.h"

#include <boost/asio/io_context.hpp>

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

}  // namespace

NodeHardware::NodeHardware(boost::asio::io_context& io, GuardFactory guard, ipmi::IpmiOptions options,
                           ipmi::IpmiBmc::Observer observer)
    : io_(io), guard_(std::move(guard)), options_(std::move(options)), observer_(std::move(observer)), runner_(io) {}

NodeHardware::~NodeHardware() = default;

std::shared_ptr<core::Bmc> NodeHardware::bmc(const core::BmcEndpoint& endpoint) {
  return std::make_shared<GuardedBmc>(ipmi::make_bmc(io_, runner_, endpoint, options_, observer_), guard_);
}

}  // namespace roost::backends
