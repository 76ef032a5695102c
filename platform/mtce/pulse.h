// The first pair of nodes, proving the seam: a controller pulses N hosts every period over one
// network and declares a host lost after K consecutive unanswered pulses; hosts answer each pulse.
// Issue 4's HeartbeatMonitor grows from this (two networks, minor/degrade/fail thresholds, MNFA).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "platform/core/node.h"

namespace roost::mtce {

struct Pulse {
  static constexpr core::MessageTypeId kType = 0x0201;
  static constexpr std::string_view kName = "mtce.pulse";
  std::uint64_t seq = 0;
  template <class V>
  void visit(V& v) { v("seq", seq); }
};

struct PulseReply {
  static constexpr core::MessageTypeId kType = 0x0202;
  static constexpr std::string_view kName = "mtce.pulse_reply";
  std::uint64_t seq = 0;
  template <class V>
  void visit(V& v) { v("seq", seq); }
};

struct PulseConfig {
  std::vector<std::string> hosts;
  core::Duration period = core::milliseconds(100);
  int miss_threshold = 10;
  core::Network network = core::Network::Management;

  // Throws std::invalid_argument naming the bad key.
  static PulseConfig from_json(const nlohmann::json& j);
};

// Role "pulse-controller". Logs pulse.host_lost / pulse.host_recovered.
class PulseMonitor : public core::Node {
 public:
  PulseMonitor(core::Env& env, core::NodeSpec spec);
  void start() override;

  struct HostState {
    bool awaiting = false;  // the last pulse is unanswered
    int misses = 0;         // consecutive unanswered pulses
    bool lost = false;
    core::TimePoint last_reply{};
  };
  const std::map<std::string, HostState>& hosts() const { return hosts_; }

 private:
  void tick();
  void on_reply(const core::Peer& from, const PulseReply& r);

  PulseConfig config_;
  std::map<std::string, HostState> hosts_;
  std::uint64_t seq_ = 0;
};

// Makes `node` answer every pulse on the network it came from (what every host's agent does).
void answer_pulses(core::Node& node);

// Role "pulse-host": answers every pulse on the network it came from.
class PulseResponder : public core::Node {
 public:
  PulseResponder(core::Env& env, core::NodeSpec spec);
};

}  // namespace roost::mtce
