#include "platform/core/hardware.h"

#include <stdexcept>
#include <array>

#include "platform/core/env.h"

namespace roost::core {

std::string_view to_string(PowerState s) {
  switch (s) {
    case PowerState::On: return "on";
    case PowerState::Off: return "off";
    case PowerState::Unknown: return "unknown";
  }
  return "?";
}

std::string_view to_string(PowerAction a) {
  switch (a) {
    case PowerAction::On: return "power-on";
    case PowerAction::Off: return "power-off";
    case PowerAction::Reset: return "reset";
    case PowerAction::Cycle: return "power-cycle";
  }
  return "?";
}

namespace {
constexpr std::array kSensorTypes{SensorType::Temperature, SensorType::Fan,   SensorType::Voltage,
                                  SensorType::Current,     SensorType::Power, SensorType::Other};
constexpr std::array kSensorStatuses{SensorStatus::Ok, SensorStatus::NonCritical, SensorStatus::Critical,
                                     SensorStatus::NonRecoverable, SensorStatus::Unavailable};
}  // namespace

std::string_view to_string(SensorType t) {
  switch (t) {
    case SensorType::Temperature: return "temperature";
    case SensorType::Fan: return "fan";
    case SensorType::Voltage: return "voltage";
    case SensorType::Current: return "current";
    case SensorType::Power: return "power";
    case SensorType::Other: return "other";
  }
  return "?";
}

std::optional<SensorType> parse_sensor_type(std::string_view s) {
  for (auto t : kSensorTypes)
    if (to_string(t) == s) return t;
  return std::nullopt;
}

std::string_view to_string(SensorStatus s) {
  switch (s) {
    case SensorStatus::Ok: return "ok";
    case SensorStatus::NonCritical: return "non-critical";
    case SensorStatus::Critical: return "critical";
    case SensorStatus::NonRecoverable: return "non-recoverable";
    case SensorStatus::Unavailable: return "unavailable";
  }
  return "?";
}

std::optional<SensorStatus> parse_sensor_status(std::string_view s) {
  for (auto st : kSensorStatuses)
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::string_view to_string(BmcErrorCode c) {
  switch (c) {
    case BmcErrorCode::Unreachable: return "unreachable";
    case BmcErrorCode::Auth: return "auth";
    case BmcErrorCode::Timeout: return "timeout";
    case BmcErrorCode::Protocol: return "protocol";
    case BmcErrorCode::Unsupported: return "unsupported";
  }
  return "?";
}

SensorStatus SensorThresholds::classify(double v) const {
  auto at_or_above = [v](const std::optional<double>& t) { return t && v >= *t; };
  auto at_or_below = [v](const std::optional<double>& t) { return t && v <= *t; };
  if (at_or_above(upper_non_recoverable) || at_or_below(lower_non_recoverable)) return SensorStatus::NonRecoverable;
  if (at_or_above(upper_critical) || at_or_below(lower_critical)) return SensorStatus::Critical;
  if (at_or_above(upper_non_critical) || at_or_below(lower_non_critical)) return SensorStatus::NonCritical;
  return SensorStatus::Ok;
}

bool SensorThresholds::empty() const {
  return !lower_non_recoverable && !lower_critical && !lower_non_critical && !upper_non_critical &&
         !upper_critical && !upper_non_recoverable;
}

FailingBmc::FailingBmc(BmcEndpoint endpoint, BmcError error, Defer defer)
    : endpoint_(std::move(endpoint)), error_(std::move(error)), defer_(std::move(defer)) {}

template <class T>
void FailingBmc::fail(BmcDone<T> done) {
  defer_([alive = std::weak_ptr(alive_), error = error_, done = std::move(done)] {
    if (!alive.expired() && done) done(error);
  });
}

void FailingBmc::power_status(BmcDone<PowerState> done) { fail(std::move(done)); }
void FailingBmc::power(PowerAction, BmcDone<void> done) { fail(std::move(done)); }
void FailingBmc::read_sensors(BmcDone<std::vector<SensorReading>> done) { fail(std::move(done)); }

// Env's default: a runtime that gives nodes no hardware. Every BMC fails, after the current callback.
namespace {
class NoProcesses final : public ProcessControl {
 public:
  explicit NoProcesses(Env& env) : env_(env) {}
  void start(const ProcessSpec& spec, std::function<void(ProcessId, std::string)> started,
             std::function<void(ProcessExit)>) override {
    env_.after(Duration::zero(), [name = spec.name, started = std::move(started)] {
      if (started) started(0, "cannot start '" + name + "': this runtime cannot run processes");
    });
  }
  void stop(ProcessId) override {}

 private:
  Env& env_;
};

class NoHardware final : public HardwareAccess {
 public:
  explicit NoHardware(Env& env) : env_(env), processes_(env) {}
  ProcessControl& processes() override { return processes_; }
  std::shared_ptr<Bmc> bmc(const BmcEndpoint& endpoint) override {
    return std::make_shared<FailingBmc>(
        endpoint, BmcError{BmcErrorCode::Unsupported, "this runtime has no hardware access"},
        [&env = env_](std::function<void()> fn) { env.after(Duration::zero(), std::move(fn)); });
  }

 private:
  Env& env_;
  NoProcesses processes_;
};
}  // namespace

std::variant<MachineInventory, std::string> HardwareAccess::machine_inventory() {
  return std::string("this runtime has no hardware access");
}

HardwareAccess& Env::hardware() {
  if (!no_hardware_) no_hardware_ = std::make_unique<NoHardware>(*this);
  return *no_hardware_;
}

}  // namespace roost::core

namespace roost::core {

const Crypto& Env::crypto() const {
  throw std::logic_error("node " + node_name() + ": this runtime provides no crypto (Env::crypto())");
}

}  // namespace roost::core
