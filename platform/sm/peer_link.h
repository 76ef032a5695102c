// PeerLink: the controller-to-controller heartbeat of a service manager (StarlingX's SM "ALIVE").
//
// Every hello period it sends a Hello on each configured network; a network is lost when no valid hello
// came over it for dead_ms, and back at the first valid one. A hello is valid when it is from the
// configured peer, its HMAC-SHA512 verifies under the network's key (when that network has one), and its
// (instance, seq) is new: an instance we have retired (the peer restarted since) or a seq at or below the
// last one accepted on that network is a replay and is dropped. Each rejection kind is counted and logged
// once per network (sm.auth_failed / sm.replay) so a flood cannot flood the log.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/core/network.h"
#include "platform/core/node.h"
#include "platform/sm/messages.h"

namespace roost::sm {

struct PeerLinkConfig {
  std::string peer;
  std::vector<core::Network> networks{core::Network::Management, core::Network::ClusterHost, core::Network::Oam};
  core::Duration hello = core::milliseconds(200);
  core::Duration dead = core::milliseconds(800);
  std::map<core::Network, std::string> keys;  // per network; none: unauthenticated
};

class PeerLink {
 public:
  struct Listener {
    std::function<void(const Hello&, core::Network)> on_hello;      // every accepted hello
    std::function<void(core::Network, bool up)> on_interface;      // a network to the peer lost / back
    std::function<Hello()> fill;                                   // our state for the next hello
  };

  PeerLink(core::Node& node, PeerLinkConfig config, Listener listener);
  ~PeerLink();
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  void start();
  // Sends one hello on every network now (a role change should not wait for the next period).
  void send_now();

  const PeerLinkConfig& config() const { return config_; }
  // The peer's hellos arrive on `n` (within dead_ms).
  bool up(core::Network n) const;
  bool any_up() const;
  std::uint32_t networks_up_mask() const;
  // When the last valid hello arrived (any network); nullopt: never.
  std::optional<core::TimePoint> last_heard() const { return last_any_; }
  // The newest accepted hello (any network; a late one from an older round does not replace it).
  const std::optional<Hello>& last_hello() const { return last_; }

  struct Counters {
    std::uint64_t sent = 0, accepted = 0, auth_failed = 0, replayed = 0, foreign = 0;
  };
  const Counters& counters() const { return counters_; }

  // The authentication vector of `h` under `key` (h.auth is ignored): what receivers check.
  static std::string sign(const core::Crypto& crypto, const std::string& key, Hello h);

 private:
  struct PerNetwork {
    std::optional<core::TimePoint> last;
    bool up = false;
    std::uint64_t next_seq = 1;        // ours
    std::uint64_t peer_instance = 0;   // the peer's instance we accept on this network
    std::uint64_t peer_seq = 0;        // the last seq of it we accepted
    bool warned_auth = false, warned_replay = false;
  };
  void tick();
  void on_hello(const core::Peer& from, const Hello& h);
  void check_dead();
  void arm_dead_check();
  PerNetwork& net(core::Network n) { return nets_[static_cast<std::size_t>(n)]; }
  const PerNetwork& net(core::Network n) const { return nets_[static_cast<std::size_t>(n)]; }

  core::Node& node_;
  PeerLinkConfig config_;
  Listener listener_;
  std::uint64_t instance_ = 0;
  std::uint64_t round_ = 0;
  std::array<PerNetwork, core::kNetworkCount> nets_{};
  std::deque<std::uint64_t> retired_;  // peer instances seen before the current one (bounded)
  std::optional<core::TimePoint> last_any_;
  std::optional<Hello> last_;
  Counters counters_;
  core::TimerId timer_ = 0;
  core::TimerId dead_timer_ = 0;
  std::optional<core::TimePoint> dead_at_;
  bool started_ = false;
};

}  // namespace roost::sm
