// The distributed cloud's records: a subcloud and a subcloud group, with StarlingX dcmanager's fields and
// spellings (docs/dc.md), and the small value types they are made of.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "platform/dc/messages.h"

namespace roost::dc {

enum class ManagementState : std::uint8_t { Unmanaged = 0, Managed = 1 };
enum class Availability : std::uint8_t { Offline = 0, Online = 1 };
enum class SyncStatus : std::uint8_t { Unknown = 0, InSync = 1, OutOfSync = 2 };
enum class ApplyType : std::uint8_t { Parallel = 0, Serial = 1 };
enum class DeployStatus : std::uint8_t {
  NotDeployed, PreInstall, Installing, InstallFailed, InstallComplete, Bootstrapping, BootstrapFailed,
  BootstrapComplete, Configuring, ConfigFailed, Complete
};

std::string_view to_string(ManagementState s);
std::string_view to_string(Availability s);
std::string_view to_string(SyncStatus s);
std::string_view to_string(ApplyType s);
std::string_view to_string(DeployStatus s);
std::optional<ManagementState> parse_management_state(std::string_view s);
std::optional<ApplyType> parse_apply_type(std::string_view s);
std::optional<DeployStatus> parse_deploy_status(std::string_view s);
// Whether a deploy is running in this status (a manager that restarts mid-way fails it: deploy_interrupted).
bool deploy_in_progress(DeployStatus s);
// The -failed status of an in-progress one (pre-install/installing -> install-failed, ...); itself otherwise.
DeployStatus deploy_interrupted(DeployStatus s);

// The endpoint types whose sync the manager tracks (dcorch's), in this order everywhere.
inline constexpr std::array<std::string_view, 7> kEndpointTypes{"platform", "identity",    "dc-cert", "firmware",
                                                                "kubernetes", "kube-rootca", "software"};
inline constexpr std::size_t kEndpointCount = kEndpointTypes.size();
// Index of an endpoint type in kEndpointTypes, or nullopt.
std::optional<std::size_t> endpoint_index(std::string_view endpoint);

// StarlingX's cloud_status of an alarm summary: "critical" with any critical alarm, "degraded" with any major or
// minor one, else "OK".
std::string_view cloud_status(const AlarmSummary& a);

// An IPv4 address as a number, and a subnet (network address + prefix length).
std::optional<std::uint32_t> parse_ipv4(std::string_view s);
std::string format_ipv4(std::uint32_t a);
struct Subnet {
  std::uint32_t network = 0;
  int prefix = 24;
  std::uint32_t first() const { return network; }
  std::uint32_t last() const { return network | (prefix == 0 ? 0xffffffffu : (0xffffffffu >> prefix)); }
  bool contains(std::uint32_t a) const { return a >= first() && a <= last(); }
};
// "10.1.7.0/24": prefix 8..30, host bits zero. On failure: why, in words.
std::variant<Subnet, std::string> parse_subnet(std::string_view s);

struct Subcloud {
  std::uint64_t id = 0;
  std::string name;
  std::string description;
  std::string location;
  std::string region_name;
  std::string software_version;
  ManagementState management_state = ManagementState::Managed;
  Availability availability = Availability::Offline;  // offline until the first successful audit
  DeployStatus deploy_status = DeployStatus::Complete;
  std::string management_subnet;
  std::string management_gateway_ip;
  std::string management_start_ip;
  std::string management_end_ip;
  std::string systemcontroller_gateway_ip;
  std::uint64_t group_id = 1;
  std::uint32_t audit_fail_count = 0;
  std::string error_description;                    // "" shows as "No errors present"
  std::array<SyncStatus, kEndpointCount> sync{};    // by kEndpointTypes index; all unknown at first
  AlarmSummary alarms;
  std::string agent;                                // the node the manager audits
  std::int64_t created_at_us = 0;
  std::int64_t updated_at_us = 0;                   // 0: never updated

  // in-sync | out-of-sync | unknown over all endpoints (out-of-sync if any is; unknown if any is unknown).
  SyncStatus overall_sync() const;
};

struct SubcloudGroup {
  std::uint64_t id = 0;
  std::string name;
  std::string description;
  ApplyType update_apply_type = ApplyType::Parallel;
  std::uint32_t max_parallel_subclouds = 2;
  std::int64_t created_at_us = 0;
  std::int64_t updated_at_us = 0;
};

inline constexpr std::uint64_t kDefaultGroupId = 1;
inline constexpr std::uint32_t kMaxParallelSubclouds = 5000;

// "2026-01-01 00:00:00.000000" (dcmanager's timestamps), UTC.
std::string format_timestamp(std::int64_t wall_us);

// The REST shapes (docs/dc.md): the subcloud (dash-separated keys), with /detail's extras when `detail`.
nlohmann::json to_json(const Subcloud& s, bool detail);
nlohmann::json to_json(const SubcloudGroup& g);
nlohmann::json alarm_summary_json(const AlarmSummary& a);

}  // namespace roost::dc
