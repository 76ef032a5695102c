// What the system controller's dc-manager and a subcloud's dc-agent say to each other (type ids 0x04xx, the
// distributed-cloud band), and what a dc-agent asks its subcloud's controller. Calls only: every request has one
// reply, and a failed call (timeout, unreachable) is what an audit counts as a failure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "platform/core/codec.h"

namespace roost::dc {

// The subcloud's alarm summary (StarlingX's subcloud_alarms row): active alarms on the subcloud's FM by severity.
struct AlarmSummary {
  std::uint32_t critical = 0;
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::uint32_t warnings = 0;
  template <class V>
  void visit(V& v) { v("critical", critical); v("major", major); v("minor", minor); v("warnings", warnings); }
  bool operator==(const AlarmSummary&) const = default;
};

struct AuditReply {
  static constexpr core::MessageTypeId kType = 0x0401;
  static constexpr std::string_view kName = "dc.audit_reply";
  // "online" when the subcloud's controllers are available (or the agent cannot ask its controller and is
  // itself up); "offline" when its controller reports none of its controller hosts available.
  std::string availability = "online";
  std::string detail;                           // why "offline"
  std::uint32_t hosts = 0;                      // hosts in the subcloud's inventory (0: not known)
  std::uint32_t hosts_available = 0;            // of those, available or degraded
  AlarmSummary alarms;
  bool alarms_known = false;                    // false: the agent could not read its FM yet
  std::map<std::string, std::uint64_t> revisions;  // endpoint type -> revision the subcloud holds
  std::uint64_t agent_instance = 0;             // random per agent incarnation: revisions restart with it
  std::int64_t cache_age_ms = 0;                // how old the cached part (hosts, alarms) is
  template <class V>
  void visit(V& v) {
    v("availability", availability); v("detail", detail); v("hosts", hosts); v("hosts_available", hosts_available);
    v("alarms", alarms); v("alarms_known", alarms_known); v("revisions", revisions);
    v("agent_instance", agent_instance); v("cache_age_ms", cache_age_ms);
  }
};

// Manager -> agent over WAN, once per audit interval per subcloud.
struct AuditRequest {
  static constexpr core::MessageTypeId kType = 0x0400;
  static constexpr std::string_view kName = "dc.audit_request";
  using Response = AuditReply;
  std::string subcloud;  // the name the manager knows the subcloud by (for the agent's logs)
  template <class V>
  void visit(V& v) { v("subcloud", subcloud); }
};

struct SyncReply {
  static constexpr core::MessageTypeId kType = 0x0403;
  static constexpr std::string_view kName = "dc.sync_reply";
  std::string endpoint;
  std::uint64_t revision = 0;  // what the subcloud holds now
  std::uint64_t agent_instance = 0;
  template <class V>
  void visit(V& v) { v("endpoint", endpoint); v("revision", revision); v("agent_instance", agent_instance); }
};

// Manager -> agent: bring `endpoint` to `revision` (dcorch's sync of one endpoint type). The agent answers once
// it holds it (after its sync_ms).
struct SyncRequest {
  static constexpr core::MessageTypeId kType = 0x0402;
  static constexpr std::string_view kName = "dc.sync_request";
  using Response = SyncReply;
  std::string subcloud;
  std::string endpoint;
  std::uint64_t revision = 0;
  template <class V>
  void visit(V& v) { v("subcloud", subcloud); v("endpoint", endpoint); v("revision", revision); }
};

enum class DeployPhase : std::uint8_t { Install = 1, Bootstrap = 2, Config = 3 };

struct DeployPhaseReply {
  static constexpr core::MessageTypeId kType = 0x0405;
  static constexpr std::string_view kName = "dc.deploy_phase_reply";
  bool ok = false;
  std::string error;       // why the phase failed
  double duration_s = 0;   // how long the phase took at the subcloud
  template <class V>
  void visit(V& v) { v("ok", ok); v("error", error); v("duration_s", duration_s); }
};

// Manager -> agent: run one deploy phase; the agent answers when the phase ends (done or failed).
struct DeployPhaseRequest {
  static constexpr core::MessageTypeId kType = 0x0404;
  static constexpr std::string_view kName = "dc.deploy_phase_request";
  using Response = DeployPhaseReply;
  std::string subcloud;
  DeployPhase phase = DeployPhase::Install;
  template <class V>
  void visit(V& v) { v("subcloud", subcloud); v("phase", phase); }
};

struct HostStatus {
  std::string hostname;
  std::string personality;   // inventory spellings: "controller", "worker", "storage"
  std::string availability;  // "available", "degraded", "offline", ...
  template <class V>
  void visit(V& v) { v("hostname", hostname); v("personality", personality); v("availability", availability); }
};

struct HostStatusReply {
  static constexpr core::MessageTypeId kType = 0x0407;
  static constexpr std::string_view kName = "dc.host_status_reply";
  std::vector<HostStatus> hosts;
  template <class V>
  void visit(V& v) { v("hosts", hosts); }
};

// dc-agent -> its subcloud's controller (the inventory): every host's availability. A controller that does not
// answer it (NoHandler) leaves the agent reporting only that it is up itself.
struct HostStatusRequest {
  static constexpr core::MessageTypeId kType = 0x0406;
  static constexpr std::string_view kName = "dc.host_status_request";
  using Response = HostStatusReply;
  template <class V>
  void visit(V&) {}
};

}  // namespace roost::dc
