// ServiceManager: role "sm-controller", one per controller of a 1+1 pair (StarlingX's sm, domain
// "controller"). Decides which controller is active, runs the active-only service group (Roost's own
// controller services as nested nodes: FM, maintenance/inventory, the floating endpoint), replicates the
// FM alarm store to the standby (ack-gated) and the inventory's host store (not ack-gated:
// replicated_host_store.h), and serves `roost sm status` / swact.
//
// Rules (docs/sm.md has the why of each; `rule` in the sm.role / sm.decision log records):
//   Peer heard (any network):
//     peer active, we are not           -> standby                                 (peer-active)
//     nobody active                     -> the one the witnesses say went alone goes active (alone-replica);
//                                          none while they say the peer did (or late hellos disagree with
//                                          them); else the fresher replica (term, seq), equal: lower name
//                                          (fresher-replica / name-tie; the other: fresher-peer)
//     both active                       -> the higher term stays, the other goes standby at once (higher-term)
//     active, peer healthier for fail_pending and eligible (standby, in sync) -> swact to it (health)
//     active, a 1+1 group failed here, peer eligible                            -> swact to it (group-failed)
//   All paths to the peer lost (dead_ms on every network):
//     standby, witnesses prove the peer down (a majority answers, none hears it) -> active at once (peer-dead)
//     after fail_pending, standby or active: reach no majority of the witnesses  -> never active (isolated)
//       else the split rules: who reaches the storage witness (storage-0), who reaches more witnesses
//       (more-nodes), else the current active stays (current-active)
//     a standby not in sync never goes active; nor one whose witnesses report the peer's claim Alone
//     (peer-alone: it acknowledged writes we lack). Going active without the peer and acknowledging
//     alone both wait until a majority of the witnesses has recorded the claim (witness.h).
//   Initial: wait initial_wait for the peer; alone with an empty replica -> active (lone-fresh-start),
//   alone with data -> outdated (it may lack writes the peer acknowledged).
// Writes: acknowledged only when on the standby, or alone when the witnesses prove the standby down or the
// standby said it is not in sync (replicator.h). Swact: pre-checks, writes fenced and drained, the active
// goes standby, the peer takes over holding exactly the final position, or the swact rolls back.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/node.h"
#include "platform/sm/messages.h"
#include "platform/sm/nested_node.h"
#include "platform/sm/peer_link.h"
#include "platform/sm/replicator.h"
#include "platform/sm/service_group.h"
#include "platform/sm/witness.h"

namespace roost::fm {
class AlarmStore;
class FmClient;
}

namespace roost::sm {

class ReplicatedAlarmStore;
class InventoryShipper;
class InventoryApplier;
class ReplicatedHostStore;

struct ServiceManagerConfig {
  PeerLinkConfig link;
  std::string floating = "controller";
  core::Duration fail_pending = core::milliseconds(600);
  core::Duration initial_wait = core::seconds(5);
  core::Duration replication_timeout = core::milliseconds(500);
  core::Duration swact_timeout = core::seconds(2);
  std::vector<std::string> witnesses;
  // The networks the witnesses are pinged on (empty: every hello network). Workers have no OAM: a pair whose
  // witnesses are workers names mgmt and cluster-host, else every OAM ping is a message to nowhere.
  std::vector<core::Network> witness_networks;
  std::string storage_witness;
  nlohmann::json fm_service = nlohmann::json::object();    // the nested fm node's config
  std::optional<nlohmann::json> mtce_service;             // the nested controller node's config, if any
  // The distributed-cloud service, if any: {"role": "dc-agent" | "dc-manager", "config": {...}} (a subcloud's
  // controllers run the dc agent, a system controller's the dc manager); it starts after fm and mtce.
  std::optional<nlohmann::json> dc_service;
  std::vector<ServiceGroupSpec> extra_groups;
  std::uint16_t rest_port = 7780;                          // 0: no REST API
  core::Network rest_network = core::Network::Oam;
  bool locked = false;
  // How much healthier (health score) a standby must be for the active to hand over to it.
  int health_swact_margin = 4;

  // Throws std::invalid_argument naming the key ("sm-controller config: dead_ms: ...").
  static ServiceManagerConfig from_json(const std::string& self, const nlohmann::json& j);
};

class ServiceManager final : public core::Node {
 public:
  ServiceManager(core::Env& env, const core::NodeSpec& spec, NodeFactory factory);
  ~ServiceManager() override;
  void start() override;

  Role role() const { return role_; }
  std::uint64_t term() const { return term_; }
  const ServiceManagerConfig& config() const { return config_; }
  // sm-dump: what `roost sm status` shows.
  nlohmann::json status() const;
  // Swact away from `host` ("" or this node). `done(ok, error, new_active)`.
  void swact(const std::string& host, bool force, std::function<void(bool, std::string, std::string)> done);

 protected:
  void unhandled_datagram(const core::Peer& from, const core::Envelope& e) override;
  void unhandled_call(const core::Peer& from, const core::Envelope& e, core::Reply reply) override;

 private:
  void tick();
  void evaluate();
  void evaluate_with_peer(const Hello& p);
  void evaluate_alone();
  enum class Side { Me, Peer };
  std::pair<Side, const char*> split_winner() const;
  void decision(const char* rule, const char* outcome);
  void set_role(Role r, const char* rule);
  // `term` 0: the next term.
  void become_active(const char* rule, std::uint64_t term = 0, std::optional<core::LogPosition> peer_at = std::nullopt);
  void update_claim();
  void cancel_pending();
  // With the peer heard and nobody active: active once a majority of the witnesses has our claim.
  void activate_registered(const char* rule, std::uint64_t peer_term);
  void become_standby(const char* rule);
  std::uint64_t next_term() const;
  int health() const;
  bool peer_eligible(const Hello& p) const;
  void start_swact(const char* rule, bool force, std::function<void(bool, std::string, std::string)> done);
  void on_takeover(const TakeoverRequest& m, core::Responder<TakeoverReply> reply);
  std::optional<core::Network> route() const;
  Hello fill_hello() const;
  void interface_alarm(core::Network n, bool up);
  void sync_changed(SyncState s);
  void group_changed(const std::string& group, GroupState st, GroupStatus status);
  std::unique_ptr<ServiceActions> make_actions(const ServiceSpec& spec);

  ServiceManagerConfig config_;
  NodeFactory factory_;
  std::shared_ptr<fm::AlarmStore> local_store_;
  std::unique_ptr<PeerLink> link_;
  std::unique_ptr<WitnessTracker> witnesses_;
  std::unique_ptr<Replicator> replicator_;
  std::shared_ptr<ReplicatedAlarmStore> store_;
  std::unique_ptr<fm::FmClient> fm_;
  // Inventory replication (replicated_host_store.h): the applier on every controller; the shipper and the
  // store the active's nested mtce writes through only where an mtce service is configured.
  std::unique_ptr<InventoryApplier> inventory_applier_;
  std::unique_ptr<InventoryShipper> inventory_shipper_;
  std::shared_ptr<ReplicatedHostStore> host_store_;
  std::vector<std::unique_ptr<ServiceGroup>> groups_;  // [0]: controller-services (1+1)
  std::map<std::string, core::Node*> nested_;          // service -> its running nested node
  Role role_ = Role::Initial;
  std::uint64_t term_ = 0;          // active: our term; else the highest known
  core::TimePoint started_{};
  std::optional<core::TimePoint> lost_since_;
  std::optional<core::TimePoint> healthier_peer_since_;
  std::optional<core::TimePoint> nobody_active_since_;
  bool decided_this_loss_ = false;
  // A takeover waiting for a majority of the witnesses to record our going-active claim.
  struct Pending {
    const char* rule;
    std::uint64_t term;
  };
  std::optional<Pending> pending_;
  bool want_alone_ = false;    // the peer is proved down: we claim Alone
  bool alone_sticky_ = false;  // we did acknowledge alone: the claim stays until the standby is in sync
  bool swacting_ = false;
  bool fenced_ = false;
  bool group_failed_ = false;
  core::TimerId timer_ = 0;
  std::map<std::string, GroupState> group_states_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace roost::sm
