// Witnesses: the third parties a controller pair asks when every path between them is lost.
//
// Each service manager pings its witnesses (worker and storage hosts' agents) every hello period on each of
// its networks; a witness answers with how long ago it last heard each controller. From the answers a
// controller knows which witnesses it reaches (and on which networks: its own health), and whether the
// witnesses it reaches still hear its peer. That is what the reference's all-paths-lost rules need: "peer's
// SM heartbeat stalled" (no witness hears it), "who reaches storage-0", "who reaches more nodes".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/core/network.h"
#include "platform/core/node.h"
#include "platform/sm/messages.h"

namespace roost::sm {

// Witness side (in every host agent): answers pings, remembering when each controller was last heard.
class WitnessResponder {
 public:
  explicit WitnessResponder(core::Node& node);

 private:
  core::Node& node_;
  std::map<std::string, core::TimePoint> heard_;
};

class WitnessTracker {
 public:
  struct Config {
    std::vector<std::string> witnesses;
    std::string storage;  // the storage witness ("" = none)
    std::string self, peer;
    std::vector<core::Network> networks;
    core::Duration period = core::milliseconds(200);
    core::Duration dead = core::milliseconds(800);  // a witness answering within this is reached
  };

  WitnessTracker(core::Node& node, Config config);
  ~WitnessTracker();
  void start();
  // Runs after every accepted answer.
  void on_update(std::function<void()> fn) { on_update_ = std::move(fn); }

  bool configured() const { return !config_.witnesses.empty(); }
  std::size_t count() const { return config_.witnesses.size(); }
  // Witnesses that answered us within dead (any network).
  std::size_t reached() const;
  bool reaches(const std::string& witness) const;
  bool reaches_storage() const { return !config_.storage.empty() && reaches(config_.storage); }
  // Some network of ours on which neither a witness answered within dead: for the health score.
  bool reached_on(core::Network n) const;
  // Among the witnesses we reach, does `w` hear the peer (its last answer says it heard the peer within dead)?
  bool hears_peer(const std::string& w) const;
  // Proof that the peer is down (crashed or cut off from everyone): a majority of all witnesses answered us
  // within dead and none of them hears the peer. Two disjoint majorities cannot exist, so the two sides of a
  // split can never both hold this proof.
  bool peer_down_proof() const;
  // The rules' "reaches more nodes": witnesses we reach; the peer's: witnesses we reach that hear it, plus
  // every witness we do not reach (we cannot know: we assume it hears the peer, so a side cut off from some
  // witnesses never wins on them).
  std::size_t peer_reach_estimate() const;
  // Does the storage witness hear the peer? nullopt: we do not reach it, so we cannot know.
  std::optional<bool> storage_hears_peer() const;
  nlohmann::json to_json() const;

 private:
  struct Seen {
    std::optional<core::TimePoint> any;
    std::map<core::Network, core::TimePoint> on;
    std::optional<core::TimePoint> answered_at;      // of the last pong
    std::optional<std::int64_t> peer_heard_ms_ago;   // in the last pong
  };
  void tick();
  void on_pong(const core::Peer& from, const WitnessPong& p);
  bool fresh(const std::optional<core::TimePoint>& t) const;

  core::Node& node_;
  Config config_;
  std::map<std::string, Seen> seen_;
  std::uint64_t seq_ = 0;
  core::TimerId timer_ = 0;
  std::function<void()> on_update_;
};

}  // namespace roost::sm
