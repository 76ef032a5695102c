// Witnesses: the third parties a controller pair asks when every path between them is lost, and the
// arbiters that keep the two from ever both acting alone.
//
// Each service manager pings its witnesses (the host agents of workers and storage hosts) every hello period
// on each of its networks, carrying its term and its claim (messages.h: none, going-active, active, alone).
// A witness answers with what it knows of each controller: how long ago it heard it, and the term and claim
// of its last ping. From the answers a controller knows which witnesses it reaches (and on which networks:
// its health), whether those still hear its peer, and what the peer last claimed.
//
// The claims make the all-paths-lost decisions safe. Going active without hearing the peer, and
// acknowledging writes without the standby, both need a majority of the witnesses to have recorded the
// claim, and neither may proceed if a witness reports the other side's conflicting claim (the peer alone /
// the peer active at a higher term). Any two majorities share a witness, and a witness records claims in the
// order it receives them, so of two conflicting claims the later one always sees the earlier: one controller
// acting alone while the other takes over cannot happen, whatever the network does. (A witness that restarts
// forgets; it counts for nothing until it has been up for dead_ms, by which time every live controller has
// pinged it again. Two controllers crashing and a witness restarting in between is the one hole left.)
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

// Witness side (in every host agent).
class WitnessResponder {
 public:
  explicit WitnessResponder(core::Node& node);

 private:
  struct Record {
    core::TimePoint heard{};
    std::uint64_t term = 0;
    Claim claim = Claim::None;
    bool alone_since_active = false;
    std::uint64_t instance = 0, seq = 0;  // of the newest ping whose claim was recorded
  };
  core::Node& node_;
  core::TimePoint started_;
  std::map<std::string, Record> records_;
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
  // What we claim from now on (pinged at once when it changes).
  void claim(std::uint64_t term, Claim c);

  bool configured() const { return !config_.witnesses.empty(); }
  std::size_t count() const { return config_.witnesses.size(); }
  // Witnesses that answered us within dead (any network) and have been up long enough to count.
  std::size_t reached() const;
  bool reaches(const std::string& witness) const;
  // We reach a majority of all witnesses. Only one side of any split can.
  bool quorum() const { return 2 * reached() > config_.witnesses.size(); }
  bool reaches_storage() const { return !config_.storage.empty() && reaches(config_.storage); }
  // A witness answered us on `n` within dead (for the health score).
  bool reached_on(core::Network n) const;
  // Among the witnesses we reach, does `w` hear the peer (heard within dead, by its last answer)?
  bool hears_peer(const std::string& w) const;
  // Proof that the peer is down: we reach a majority and none of it hears the peer.
  bool peer_down_proof() const;
  // The rules' "reaches more nodes": witnesses we reach; the peer's: witnesses we reach that hear it, plus
  // every witness we do not reach (we cannot know: we assume it hears the peer).
  std::size_t peer_reach_estimate() const;
  // Does the storage witness hear the peer? nullopt: we do not reach it, so we cannot know.
  std::optional<bool> storage_hears_peer() const;
  // A majority has recorded our current claim (answers to pings sent since we made it).
  bool claim_registered() const;
  // Some witness we reach reports the peer as having claimed Alone and not Active since (however old,
  // across the peer's restarts).
  bool peer_alone() const;
  // Some witness we reach reports that WE claimed Alone and not Active since: we hold acknowledged writes
  // our peer may lack (we may have restarted since and forgotten).
  bool self_alone() const;
  // Some witness we reach reports the peer going active or active at a term above `term`.
  bool peer_active_above(std::uint64_t term) const;
  nlohmann::json to_json() const;

 private:
  struct Seen {
    std::optional<core::TimePoint> any;
    std::map<core::Network, core::TimePoint> on;
    std::int64_t uptime_ms = 0;
    std::optional<std::int64_t> peer_heard_ms_ago;
    std::uint64_t peer_term = 0;
    Claim peer_claim = Claim::None;
    bool peer_alone_since_active = false;
    bool self_alone_since_active = false;
    bool mine_recorded = false;  // its record of us is our current claim, answering a ping sent after we made it
  };
  void tick();
  void ping();
  void on_pong(const core::Peer& from, const WitnessPong& p);
  bool fresh(const Seen& s) const;

  core::Node& node_;
  Config config_;
  std::map<std::string, Seen> seen_;
  std::uint64_t seq_ = 0;
  std::uint64_t instance_ = 0;
  std::uint64_t claim_seq_ = 0;  // the first ping seq carrying the current claim
  std::uint64_t term_ = 0;
  Claim claim_ = Claim::None;
  core::TimerId timer_ = 0;
  std::function<void()> on_update_;
};

}  // namespace roost::sm
