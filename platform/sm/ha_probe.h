// Role "ha-probe": a client of the controller pair for HA tests (the property test, `roost sim replay`).
// It plays what every other client does — address the active through the floating name — and records
// what the active promised, so a checker (harness/ha_check.h) can hold the pair to it:
// - every write period it raises one alarm (fm::SetFaults to `target` on mgmt), entity
//   "probe=<node>.write=<n>"; at most one write is in flight (a slow active slows the probe down
//   instead of piling up calls); an acknowledged write is logged probe.ack, a failed one
//   probe.write_failed;
// - at verify_at it stops writing, waits for the write in flight, and asks the active for every alarm
//   of `alarm_id` (fm::GetFaults), retrying every 500 ms for up to 10 s while that fails; it logs
//   probe.verify {acked, present, missing, missing_keys, unacked_present} or {skipped: "no active", error};
// - at each swact time it asks the active to swact (sm::SwactRequest) and logs the answer probe.swact.
//
// Config (ConfigReader style, unknown keys rejected):
//   {"target": "controller", "write_period_ms": 250, "write_timeout_ms": 1500, "alarm_id": "100.114",
//    "verify_at_ms": 85000, "swact_timeout_ms": 5000, "swacts": [{"at_ms": 30000, "force": false}]}
// Every key is optional. No verify_at_ms: the probe never verifies. The alarm id must be one the
// catalogue lets carry arbitrary entity instances and that nothing masks: the default 100.114 (NTP,
// not suppressible, affects neither maintenance nor degrade).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/network.h"
#include "platform/core/node.h"
#include "platform/core/time.h"

namespace roost::sm {

struct ProbeSwact {
  core::Duration at{};  // since the probe started
  bool force = false;
};

struct HaProbeConfig {
  std::string target = "controller";
  core::Network network = core::Network::Management;
  core::Duration write_period = core::milliseconds(250);
  core::Duration write_timeout = core::milliseconds(1500);
  std::string alarm_id = "100.114";
  std::optional<core::Duration> verify_at;  // since the probe started
  core::Duration swact_timeout = core::seconds(5);
  std::vector<ProbeSwact> swacts;

  // Throws std::invalid_argument naming the bad key ("ha-probe config: swacts[1].at_ms: ...").
  static HaProbeConfig from_json(const nlohmann::json& j);
};

class HaProbe final : public core::Node {
 public:
  // How often, and for how long, verify retries a GetFaults that failed (no active, a timeout).
  static constexpr core::Duration kVerifyRetry = core::milliseconds(500);
  static constexpr core::Duration kVerifyWindow = core::seconds(10);
  // missing_keys lists at most this many keys (the count is in "missing"), so one bad run cannot
  // flood the trace.
  static constexpr std::size_t kMaxMissingKeysLogged = 20;

  HaProbe(core::Env& env, const core::NodeSpec& spec);
  void start() override;

  const HaProbeConfig& config() const { return config_; }
  const std::vector<std::string>& acked() const { return acked_; }
  std::uint64_t writes() const { return writes_; }
  bool verified() const { return verified_; }

 private:
  void tick();
  void write();
  void begin_verify();
  void verify_attempt();
  void swact(const ProbeSwact& s);
  std::string key(std::uint64_t n) const;

  HaProbeConfig config_;
  core::TimePoint started_{};
  std::uint64_t writes_ = 0;       // writes issued (the last one's number)
  bool in_flight_ = false;
  bool stopped_ = false;           // verify_at passed: no new writes
  bool verify_waiting_ = false;    // verify starts when the write in flight ends
  bool verified_ = false;          // probe.verify logged
  core::TimePoint verify_started_{};
  std::vector<std::string> acked_;  // keys the active acknowledged, in order
};

}  // namespace roost::sm
