// HeartbeatMonitor: the active controller's side of host heartbeat (StarlingX's hbsAgent), grown from
// the pulse pair. Each monitored host is pulsed every period on each heartbeat network (management and
// cluster-host by default); per network it counts consecutive unanswered pulses:
//   minor_threshold (4)   -> Minor
//   degrade_threshold (6) -> Degraded
//   fail_threshold (10)   -> Failed, on networks that may fail a host (management); a network that may not
//                            (cluster-host) stays Degraded however long it is silent
// and recover_pulses (10) consecutive answers bring a network back to Ok.
//
// Multi-node failure avoidance (MNFA): when mnfa_threshold (2) or more hosts are at or past the degrade
// threshold on one network at once, that is taken as a switch or network failure, not host failures:
// the period is multiplied by mnfa_period_multiplier (4) and no host is failed on that network until
// fewer than mnfa_threshold hosts are still lost there.
//
// The monitor only observes; it owns no alarms. Whoever hosts it (the maintenance agent) turns health
// changes into alarms (200.005 / 200.009 / 200.004) and recovery actions through the listener.
#pragma once

#include <functional>
#include <string_view>
#include <string>
#include <vector>

#include "platform/core/node.h"
#include "platform/mtce/pulse.h"

namespace roost::mtce {

enum class HeartbeatHealth { Ok = 0, Minor = 1, Degraded = 2, Failed = 3 };
std::string_view to_string(HeartbeatHealth h);

struct HeartbeatConfig {
  core::Duration period = core::milliseconds(100);  // StarlingX heartbeat_period: 100..1000 ms
  int minor_threshold = 4;
  int degrade_threshold = 6;
  int fail_threshold = 10;
  int recover_pulses = 10;
  std::vector<core::Network> networks{core::Network::Management, core::Network::ClusterHost};
  std::vector<core::Network> failing_networks{core::Network::Management};
  int mnfa_threshold = 2;
  int mnfa_period_multiplier = 4;

  // Reads the keys present in `j` over the defaults; throws std::invalid_argument naming the bad key.
  static HeartbeatConfig from_json(const nlohmann::json& j);
  bool may_fail_host(core::Network n) const;
};

struct HeartbeatChange {
  std::string host;
  core::Network network;
  HeartbeatHealth from;
  HeartbeatHealth to;
  int misses;
};

struct MnfaChange {
  core::Network network;
  bool active;
  int lost_hosts;
};

class HeartbeatMonitor {
 public:
  struct Listener {
    std::function<void(const HeartbeatChange&)> on_health;
    std::function<void(const MnfaChange&)> on_mnfa;
  };

  // Registers the pulse-reply handler on `node`; call start() to begin pulsing.
  HeartbeatMonitor(core::Node& node, HeartbeatConfig config, Listener listener = {});
  ~HeartbeatMonitor();

  void start();
  // Hosts come and go with inventory (locked hosts are not monitored). A new host starts Ok.
  void add_host(const std::string& host);
  void remove_host(const std::string& host);

  HeartbeatHealth health(const std::string& host, core::Network net) const;
  // The worst health over the host's networks.
  HeartbeatHealth health(const std::string& host) const;
  int misses(const std::string& host, core::Network net) const;
  bool mnfa_active(core::Network net) const;
  core::Duration current_period() const;
  const HeartbeatConfig& config() const { return config_; }

 private:
  struct Path {  // one host on one network
    bool awaiting = false;
    int misses = 0;
    int good_streak = 0;
    HeartbeatHealth health = HeartbeatHealth::Ok;
  };
  // Hosts sorted by name, each with one path per network in nets_ order: pulses go out host by host in
  // name order and network by network. Flat and sorted rather than maps of maps: a fleet simulation
  // answers millions of pulses, and each reply looks its host up here.
  struct Host {
    std::string name;
    std::vector<Path> paths;  // parallel to nets_
  };

  void tick();
  void on_reply(const core::Peer& from, const PulseReply& r);
  void missed(const std::string& host, core::Network net, Path& p);
  void set_health(const std::string& host, core::Network net, Path& p, HeartbeatHealth h);
  void update_mnfa(std::size_t net_index);
  int lost_hosts(std::size_t net_index) const;
  std::vector<Host>::const_iterator lower_bound(std::string_view host) const;
  const Host* find_host(std::string_view host) const;
  Host* find_host(std::string_view host);
  // Index of `net` in nets_, or nets_.size() when the monitor does not pulse on it.
  std::size_t net_index(core::Network net) const;

  core::Node& node_;
  HeartbeatConfig config_;
  Listener listener_;
  std::vector<core::Network> nets_;  // config_.networks, sorted, once each
  std::vector<Host> hosts_;
  std::vector<bool> mnfa_;  // per network of nets_: multi-node failure avoidance active
  std::uint64_t seq_ = 0;
  core::TimerId timer_ = 0;
  bool started_ = false;
  bool ticking_ = false;
  std::vector<HeartbeatChange> pending_;  // changes of the running tick, for the listener after it
};

}  // namespace roost::mtce
