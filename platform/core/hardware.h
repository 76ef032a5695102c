// Hardware as management logic sees it: asynchronous interfaces to the machines under management.
// The first is the BMC (baseboard management controller): chassis power and sensors, reached over the
// BMC network. The real runtime drives a real BMC (IPMI over LAN, backends/ipmi); the simulation drives
// a twin with the same behaviour (sim/). A BMC operation takes from milliseconds to seconds, so every
// operation takes a completion instead of returning a value.
//
// Completions follow Env's rules (see env.h): each runs exactly once, later (never inside the call that
// started it), on the node's thread, and never after the node is gone. They also never run after the
// Bmc object they were started on is destroyed: dropping the last reference abandons its operations.
// One Bmc object runs its operations one at a time, in the order they were started (a BMC serves few
// sessions at once); keep one per endpoint.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "platform/core/machine.h"
#include "platform/core/process.h"

namespace roost::core {

// Where a host's BMC is and how to log in to it.
struct BmcEndpoint {
  std::string host;          // the managed host's name (the simulation finds its twin by it)
  std::string address;       // the BMC's address on the BMC network (IP or DNS name)
  std::uint16_t port = 623;  // RMCP/IPMI-over-LAN port
  std::string user;
  std::string password;
  std::string protocol = "ipmi";  // "ipmi" (IPMI 2.0 over LAN); "redfish" later
  friend bool operator==(const BmcEndpoint&, const BmcEndpoint&) = default;
};

enum class PowerState : std::uint8_t { On, Off, Unknown };
std::string_view to_string(PowerState s);

enum class PowerAction : std::uint8_t { On, Off, Reset, Cycle };
std::string_view to_string(PowerAction a);  // "power-on", "power-off", "reset", "power-cycle"

// Sensor groups, as StarlingX's hardware monitor groups them.
enum class SensorType : std::uint8_t { Temperature, Fan, Voltage, Current, Power, Other };
std::string_view to_string(SensorType t);  // "temperature", "fan", ...
std::optional<SensorType> parse_sensor_type(std::string_view s);

// The BMC's verdict on a reading: which threshold band it is in (IPMI's threshold states).
enum class SensorStatus : std::uint8_t { Ok, NonCritical, Critical, NonRecoverable, Unavailable };
std::string_view to_string(SensorStatus s);  // "ok", "non-critical", "critical", "non-recoverable", "unavailable"
std::optional<SensorStatus> parse_sensor_status(std::string_view s);

// A threshold sensor's limits, where the BMC has them. Upper ones are crossed at value >= limit,
// lower ones at value <= limit (IPMI's "going high" / "going low" assertions).
struct SensorThresholds {
  std::optional<double> lower_non_recoverable, lower_critical, lower_non_critical;
  std::optional<double> upper_non_critical, upper_critical, upper_non_recoverable;

  // The band `value` falls in (Ok when no threshold is crossed).
  SensorStatus classify(double value) const;
  bool empty() const;
  friend bool operator==(const SensorThresholds&, const SensorThresholds&) = default;
};

struct SensorReading {
  std::string name;                // as the BMC names it, e.g. "CPU Temp"
  SensorType type = SensorType::Other;
  std::optional<double> value;     // none when the BMC has no reading (status Unavailable)
  std::string unit;                // "degrees C", "RPM", "Volts", "Amps", "Watts", ...
  SensorStatus status = SensorStatus::Unavailable;
  SensorThresholds thresholds;
  friend bool operator==(const SensorReading&, const SensorReading&) = default;
};

enum class BmcErrorCode : std::uint8_t {
  Unreachable,  // no answer from the BMC (down, wrong address, network cut)
  Auth,         // the BMC answered but refused the credentials (or their privilege)
  Timeout,      // the operation did not finish in time (the runtime gave up on it)
  Protocol,     // the BMC answered something unexpected, or refused the command
  Unsupported,  // this runtime or this BMC cannot do it (no hardware access, unknown protocol)
};
std::string_view to_string(BmcErrorCode c);

struct BmcError {
  BmcErrorCode code = BmcErrorCode::Protocol;
  std::string detail;  // for operators: what the tool or the twin said
};

// The outcome of a BMC operation: a value or a BmcError.
template <class T>
class BmcResult {
 public:
  BmcResult(T v) : v_(std::move(v)) {}
  BmcResult(BmcError e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const BmcError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, BmcError> v_;
};

// The outcome of an action (power on/off/reset/cycle): accepted by the BMC, or a BmcError.
template <>
class BmcResult<void> {
 public:
  BmcResult() = default;
  BmcResult(BmcError e) : error_(std::move(e)) {}
  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  const BmcError& error() const { return *error_; }

 private:
  std::optional<BmcError> error_;
};

template <class T>
using BmcDone = std::function<void(BmcResult<T>)>;

class Bmc {
 public:
  virtual ~Bmc() = default;

  virtual const BmcEndpoint& endpoint() const = 0;

  virtual void power_status(BmcDone<PowerState> done) = 0;
  // Accepted means the BMC took the command; the host's power changes after it (a reset or a power-on
  // is followed by the host's boot, which takes its own time).
  virtual void power(PowerAction action, BmcDone<void> done) = 0;
  virtual void read_sensors(BmcDone<std::vector<SensorReading>> done) = 0;

  void power_on(BmcDone<void> done) { power(PowerAction::On, std::move(done)); }
  void power_off(BmcDone<void> done) { power(PowerAction::Off, std::move(done)); }
  void power_reset(BmcDone<void> done) { power(PowerAction::Reset, std::move(done)); }
  void power_cycle(BmcDone<void> done) { power(PowerAction::Cycle, std::move(done)); }
};

// What hardware a node can reach. Env::hardware() hands it out.
class HardwareAccess {
 public:
  virtual ~HardwareAccess() = default;
  // A handle on the BMC at `endpoint`. Never null: an endpoint this runtime cannot serve gives a Bmc
  // whose every operation fails (Unsupported for an unknown protocol, Unreachable for an unknown host).
  virtual std::shared_ptr<Bmc> bmc(const BmcEndpoint& endpoint) = 0;

  // This machine's own hardware (what the host's agent reports to inventory), or why it cannot be read.
  // Real runtime: /proc and /sys (backends/os_inventory); simulation: the scenario's "inventory" for the
  // node. Default: the error "this runtime has no hardware access".
  virtual std::variant<MachineInventory, std::string> machine_inventory();

  // Processes on this machine (process.h). Env's default hardware (a runtime without hardware) fails
  // every start, later, with "this runtime cannot run processes".
  virtual ProcessControl& processes() = 0;
};

// A Bmc that fails every operation with one error; `defer` runs its argument later, on the node's
// thread (e.g. through Env::after(0, ...)), so that completions never run inside the call.
class FailingBmc final : public Bmc {
 public:
  using Defer = std::function<void(std::function<void()>)>;
  FailingBmc(BmcEndpoint endpoint, BmcError error, Defer defer);

  const BmcEndpoint& endpoint() const override { return endpoint_; }
  void power_status(BmcDone<PowerState> done) override;
  void power(PowerAction action, BmcDone<void> done) override;
  void read_sensors(BmcDone<std::vector<SensorReading>> done) override;

 private:
  template <class T>
  void fail(BmcDone<T> done);

  BmcEndpoint endpoint_;
  BmcError error_;
  Defer defer_;
  std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
};

}  // namespace roost::core
