// Role "dc-manager": the distributed cloud's system controller (StarlingX dcmanager + the audit part of dcorch).
// It holds the subcloud registry, audits every subcloud's dc-agent once per audit interval over the WAN, keeps
// availability, alarm summaries and per-endpoint sync status, raises 280.001 (offline) and 280.002
// (out-of-sync) through an FmClient, pushes out-of-sync endpoints to the subcloud, runs subcloud deploys
// through the agent, and serves the dcmanager REST API (rest_api.h). docs/dc.md describes the rules.
//
// Config (docs/dc.md, "Configuration"):
//   {"fm_node": "system-controller.controller-0",   required
//    "fm_client": {...FmClientConfig...},
//    "rest_port": 8119, "rest_network": "oam",      rest_port 0: no REST API
//    "audit_interval_ms": 30000, "audit_timeout_ms": <interval>, "offline_after": 2,
//    "sync_timeout_ms": 30000, "deploy_phase_timeout_s": 10800,
//    "groups": [{"name", "description", "update_apply_type", "max_parallel_subclouds"}],
//    "subclouds": [{"name", "agent", "region_name", "group", "management_subnet", ..., "management_state",
//                   "deploy_status", "deploy"}],
//    "revision_bumps": [{"at_ms", "endpoint"}]}
//
// The registry is durable through Env::resource<SubcloudStore>() (subcloud_store.h): the config seeds the
// store at the first start; from then on the store is what counts (a restart restores it, and a deploy it
// interrupted is failed).
//
// Trace/log events (this node): dc.restored {subclouds, groups}; dc.availability {subcloud, availability, fails}; dc.audit_failed {subcloud,
// fails, error} (debug); dc.sync {subcloud, endpoint, sync_status} (info when out-of-sync is entered or left,
// debug otherwise); dc.deploy {subcloud, deploy_status}; dc.alarm {subcloud, alarm_id, entity, severity}.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/core/node.h"
#include "platform/dc/audit_slots.h"
#include "platform/dc/registry.h"
#include "platform/dc/subcloud_store.h"
#include "platform/fm/fm_client.h"

namespace roost::dc {

class DcRestApi;

struct DcManagerConfig {
  fm::FmClientConfig fm;
  std::uint16_t rest_port = 8119;
  core::Network rest_network = core::Network::Oam;
  core::Duration audit_interval = core::seconds(30);
  core::Duration audit_timeout = core::seconds(30);  // default: the interval
  std::uint32_t offline_after = 2;
  core::Duration sync_timeout = core::seconds(30);
  core::Duration deploy_phase_timeout = core::seconds(10800);
  std::vector<GroupInput> groups;
  std::vector<SubcloudInput> subclouds;
  struct RevisionBump {
    core::Duration at{};
    std::size_t endpoint = 0;
  };
  std::vector<RevisionBump> revision_bumps;

  // Throws std::invalid_argument naming the key ("dc-manager config: subclouds[3].management_subnet: ...").
  static DcManagerConfig from_json(const nlohmann::json& j);
};

class DcManager final : public core::Node {
 public:
  DcManager(core::Env& env, const core::NodeSpec& spec);
  ~DcManager() override;
  void start() override;

  const SubcloudRegistry& registry() const { return registry_; }
  const DcManagerConfig& config() const { return config_; }

  // The operations the REST API offers (and tests call directly), once started (503 before).
  Outcome<const Subcloud*> add_subcloud(const SubcloudInput& in);
  Outcome<std::uint64_t> delete_subcloud(std::string_view ref);
  // Managing needs a complete deploy and an online subcloud (409 otherwise), like StarlingX.
  Outcome<const Subcloud*> set_management(std::string_view ref, ManagementState state);
  Outcome<const Subcloud*> set_group(std::string_view ref, std::string_view group);
  Outcome<const Subcloud*> set_text(std::string_view ref, const std::string& field, const std::string& value);
  Outcome<const SubcloudGroup*> add_group(const GroupInput& in);
  Outcome<const SubcloudGroup*> update_group(std::string_view ref, const GroupInput& in);
  Outcome<std::uint64_t> delete_group(std::string_view ref);

  // A new revision of an endpoint type's data at the system controller: every managed online subcloud becomes
  // out-of-sync for it until its agent holds the new revision. False for an unknown endpoint type.
  bool bump_revision(std::string_view endpoint);
  std::uint64_t revision(std::size_t endpoint) const { return revisions_.at(endpoint); }

  // Where in each interval subcloud `id` is audited (the offset from the manager's start).
  core::Duration audit_offset(std::uint64_t id) const { return slots_.offset(id); }
  std::size_t audits_in_flight() const { return in_flight_; }

 private:
  struct Tracker {
    core::TimerId timer = 0;
    core::TimePoint next_audit{};
    std::uint64_t seq_sent = 0;    // audits started
    std::uint64_t seq_done = 0;    // the latest audit whose outcome counted (older outcomes are stale)
    std::uint64_t agent_instance = 0;
    std::array<std::uint64_t, kEndpointCount> held{};       // revisions the agent holds, as last known
    std::array<std::uint64_t, kEndpointCount> synced_seq{}; // audits up to this seq predate the last sync ack
    std::uint32_t sync_in_flight = 0;                        // bit per endpoint
    std::uint32_t sync_alarm = 0;                            // bit per endpoint: 280.002 raised
    bool offline_alarm = false;
    bool deploying = false;
  };

  void track(const Subcloud& s, core::Duration offset);
  void schedule_audit(std::uint64_t id);
  void audit(std::uint64_t id);
  void audit_done(std::uint64_t id, std::uint64_t seq, core::Result<AuditReply> r);
  void audit_failed(Subcloud& s, Tracker& t, const std::string& error);
  void audit_ok(Subcloud& s, Tracker& t, std::uint64_t seq, const AuditReply& r);
  void set_availability(Subcloud& s, Tracker& t, Availability a);
  void update_sync(Subcloud& s, Tracker& t);
  void set_sync(Subcloud& s, Tracker& t, std::size_t endpoint, SyncStatus status);
  void push_sync(Subcloud& s, Tracker& t, std::size_t endpoint);
  void start_deploy(std::uint64_t id);
  void run_phase(std::uint64_t id, DeployPhase phase);
  void set_deploy(Subcloud& s, DeployStatus d);
  void adopt_alarms(const std::string& alarm_id);
  void adopt(const fm::Alarm& a);
  void raise(const Subcloud& s, const std::string& alarm_id, const std::string& entity, fm::Severity sev, std::string reason);
  void clear(const Subcloud& s, const std::string& alarm_id, const std::string& entity);
  std::int64_t wall_us() { return env().wall_time_us(); }
  // The store's side of a change: nullopt once it is durable (or there is no store); else a 500 that says
  // what could not be written, and the caller puts the registry back as it was.
  std::optional<DcError> stored(const Subcloud& s);
  std::optional<DcError> stored(const SubcloudGroup& g);
  std::optional<DcError> stored_removal(bool group, const std::string& name, std::uint64_t id);
  // What the three above share: `write` against the store; a StoreError becomes the 500 about `kind` `name`.
  std::optional<DcError> store_change(std::string_view kind, const std::string& name, bool removal,
                                      const std::function<void(SubcloudStore&)>& write);
  // `changed` (a change of subcloud `before`) once stored; else `before` is put back and the store's error returned.
  Outcome<const Subcloud*> kept(Subcloud before, Outcome<const Subcloud*> changed);
  // Seeds an empty store from the config, or restores the registry from a written one.
  std::vector<std::uint64_t> load_registry(std::vector<std::uint64_t>& to_deploy);

  DcManagerConfig config_;
  SubcloudRegistry registry_;
  AuditSlots slots_;
  std::unordered_map<std::uint64_t, Tracker> trackers_;
  std::array<std::uint64_t, kEndpointCount> revisions_;
  core::TimePoint epoch_{};  // audit slots are offsets from here
  std::size_t in_flight_ = 0;
  std::unique_ptr<fm::FmClient> fm_;
  std::shared_ptr<SubcloudStore> store_;  // null: this runtime keeps none (the registry is lost on restart)
  std::shared_ptr<DcRestApi> rest_;
  std::shared_ptr<core::HttpRouter> router_;
  bool started_ = false;
};

}  // namespace roost::dc
