// The Env of one incarnation of one simulated node. It lives exactly as long as that incarnation: a crash
// destroys it with the Node, and with it every timer and pending call of the dead incarnation, so nothing
// of the old life can reach the new one (site events also carry the incarnation and are checked).
#pragma once

#include <cstdint>
#include <functional>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "platform/core/env.h"
#include "sim/fleet_index.h"
#include "sim/message_path.h"
#include "sim/sim_hardware.h"

namespace roost::sim {

class SiteRuntime;
class World;

class NodeEnv final : public core::Env, private core::Logger {
 public:
  NodeEnv(SiteRuntime& site, NodeId id, std::uint32_t incarnation);

  const std::string& node_name() const override { return name_; }
  core::TimePoint now() const override;
  core::TimerId after(core::Duration d, std::function<void()> fn) override;
  void cancel(core::TimerId id) override;
  void send(const std::string& to, core::Network net, core::Envelope msg) override;
  void call(const std::string& to, core::Network net, core::Envelope request, core::Duration timeout,
            std::function<void(core::CallOutcome)> done) override;
  core::Rng& rng() override { return rng_; }
  core::Logger& log() override { return *this; }
  core::HardwareAccess& hardware() override { return hardware_; }
  std::int64_t wall_time_us() const override;
  // fm::AlarmStore / inv::HostStore: a MemoryAlarmStore / MemoryHostStore per node, kept in its NodeSlot
  // across crashes. Others: none.
  std::shared_ptr<void> resource(std::type_index type) override;
  // Down after the current callback; up again after the node's boot time (its BMC twin's, if it has one).
  bool reboot(std::string_view reason) override;
  // Floating names of the node's site (SiteSpec::floating): claim maps the name to this node (false if the
  // site has no such name or another node holds it), release unmaps it; the node going down (crash,
  // reboot, power off, restart) releases its claims. What is sent to the name reaches the holder as if
  // sent to it (World::claim_floating, MessagePath). Both record floating.claim / floating.release.
  bool claim_floating(const std::string& name) override;
  void release_floating(const std::string& name) override;
  // OpenSSL, as on the real runtime (backends/openssl_crypto.h).
  const core::Crypto& crypto() const override;

  // Runtime side.
  // Called just before the node is destroyed: from then on the Env sends nothing and schedules nothing.
  void retire() { retired_ = true; }
  void fire_timer(core::TimerId id);
  void complete_call(std::uint64_t call_id, core::CallOutcome outcome);
  std::uint32_t incarnation() const { return incarnation_; }

 private:
  bool enabled(core::LogLevel level) const override;
  void write(core::LogLevel level, std::string_view event, core::LogFields fields) override;

  // Why `to` cannot be reached over `net` now (counted as unroutable by the caller); nullopt with `to_id`
  // (the node now) and `floating` (kNoFloating unless `to` is a floating name) set otherwise.
  std::optional<std::string> route(const std::string& to, core::Network net, NodeId& to_id, FloatingId& floating);
  // What `to` means (remembered in known_names_), or nullptr if nothing.
  const MessagePath::Destination* destination(const std::string& to);

  struct PendingCall {
    std::function<void(core::CallOutcome)> done;
    core::TimerId deadline = 0;
  };

  bool retired_ = false;
  SiteRuntime& site_;
  World& world_;
  NodeId id_;
  std::uint32_t incarnation_;
  const std::string& name_;
  core::Rng rng_;
  // Pending timers in slots reused through a free list (a node sets and fires timers all the time; a
  // hash map cost a node allocation and a cache miss or two per timer). A TimerId is the slot's generation
  // (from 1, so never 0) << 32 | the slot: a fired or cancelled timer's id never matches a later timer.
  struct TimerSlot {
    std::uint32_t generation = 1;
    bool pending = false;  // false: the slot is free
    std::function<void()> fn;
  };
  // The pending timer `id` names, or nullptr (fired, cancelled, or not this Env's).
  TimerSlot* pending_timer(core::TimerId id);
  // Ends the slot's timer: the next one in the slot gets a new generation.
  void free_timer(TimerSlot& slot, std::uint32_t index);
  std::vector<TimerSlot> timer_slots_;
  std::vector<std::uint32_t> free_timer_slots_;
  core::TimerId retired_timer_ = 0;  // ids handed out after retire(): never pending
  std::uint64_t next_call_ = 1;
  std::unordered_map<std::uint64_t, PendingCall> calls_;
  SimHardware hardware_;  // the BMC twins of the node's site
  // The last few names this node sent to and what they mean (a node talks to a handful of peers; a name
  // keeps its meaning for the whole run): most sends resolve without hashing the name. A name of up to
  // kInlineName characters is kept here, so that recognising it reads no memory but this Env's.
  static constexpr std::size_t kInlineName = 38;
  static constexpr std::uint8_t kLongName = 0xff;
  struct KnownName {
    bool used = false;
    std::uint8_t length = kLongName;  // of the name if inline (<= kInlineName), else kLongName
    char inline_name[kInlineName];  // the name, if it fits
    MessagePath::Destination dest;
  };
  std::array<KnownName, 4> known_names_{};
  std::uint8_t next_known_ = 0;
};

}  // namespace roost::sim
