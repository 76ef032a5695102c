#include "platform/dc/subcloud.h"

#include "platform/fm/utc_time.h"

namespace roost::dc {

namespace {
constexpr std::array<std::string_view, 11> kDeployNames{
    "not-deployed",     "pre-install",    "installing",         "install-failed", "install-complete", "bootstrapping",
    "bootstrap-failed", "bootstrap-complete", "configuring",    "config-failed",  "complete"};
}

std::string_view to_string(ManagementState s) { return s == ManagementState::Managed ? "managed" : "unmanaged"; }
std::string_view to_string(Availability s) { return s == Availability::Online ? "online" : "offline"; }
std::string_view to_string(SyncStatus s) {
  switch (s) {
    case SyncStatus::InSync: return "in-sync";
    case SyncStatus::OutOfSync: return "out-of-sync";
    case SyncStatus::Unknown: break;
  }
  return "unknown";
}
std::string_view to_string(ApplyType s) { return s == ApplyType::Serial ? "serial" : "parallel"; }
std::string_view to_string(DeployStatus s) { return kDeployNames.at(static_cast<std::size_t>(s)); }

std::optional<ManagementState> parse_management_state(std::string_view s) {
  if (s == "managed") return ManagementState::Managed;
  if (s == "unmanaged") return ManagementState::Unmanaged;
  return std::nullopt;
}
std::optional<ApplyType> parse_apply_type(std::string_view s) {
  if (s == "parallel") return ApplyType::Parallel;
  if (s == "serial") return ApplyType::Serial;
  return std::nullopt;
}
std::optional<DeployStatus> parse_deploy_status(std::string_view s) {
  for (std::size_t i = 0; i < kDeployNames.size(); ++i)
    if (kDeployNames[i] == s) return static_cast<DeployStatus>(i);
  return std::nullopt;
}

bool deploy_in_progress(DeployStatus s) {
  switch (s) {
    case DeployStatus::PreInstall:
    case DeployStatus::Installing:
    case DeployStatus::InstallComplete:
    case DeployStatus::Bootstrapping:
    case DeployStatus::BootstrapComplete:
    case DeployStatus::Configuring: return true;
    default: return false;
  }
}

DeployStatus deploy_interrupted(DeployStatus s) {
  switch (s) {
    case DeployStatus::PreInstall:
    case DeployStatus::Installing: return DeployStatus::InstallFailed;
    case DeployStatus::InstallComplete:
    case DeployStatus::Bootstrapping: return DeployStatus::BootstrapFailed;
    case DeployStatus::BootstrapComplete:
    case DeployStatus::Configuring: return DeployStatus::ConfigFailed;
    default: return s;
  }
}

std::optional<std::size_t> endpoint_index(std::string_view endpoint) {
  for (std::size_t i = 0; i < kEndpointCount; ++i)
    if (kEndpointTypes[i] == endpoint) return i;
  return std::nullopt;
}

std::string_view cloud_status(const AlarmSummary& a) {
  if (a.critical > 0) return "critical";
  if (a.major > 0 || a.minor > 0) return "degraded";
  return "OK";
}

std::optional<std::uint32_t> parse_ipv4(std::string_view s) {
  std::uint32_t out = 0;
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
    std::size_t digits = 0;
    std::uint32_t v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4) {
      v = v * 10 + static_cast<std::uint32_t>(s[i] - '0');
      ++i, ++digits;
    }
    if (digits == 0 || digits > 3 || v > 255) return std::nullopt;
    if (digits > 1 && s[i - digits] == '0') return std::nullopt;  // "010" reads as octal to some tools: refuse it
    out = (out << 8) | v;
  }
  if (i != s.size()) return std::nullopt;
  return out;
}

std::string format_ipv4(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) + "." +
         std::to_string(a & 255);
}

std::variant<Subnet, std::string> parse_subnet(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::string("expected an IPv4 CIDR such as 10.1.7.0/24");
  const auto addr = parse_ipv4(s.substr(0, slash));
  if (!addr) return "'" + std::string(s.substr(0, slash)) + "' is not an IPv4 address";
  const auto len = s.substr(slash + 1);
  int prefix = 0;
  if (len.empty() || len.size() > 2) return "prefix length '" + std::string(len) + "' is not a number in 8..30";
  for (char c : len) {
    if (c < '0' || c > '9') return "prefix length '" + std::string(len) + "' is not a number in 8..30";
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix < 8 || prefix > 30) return "prefix length " + std::to_string(prefix) + " is outside 8..30";
  Subnet n{*addr, prefix};
  if ((*addr & (0xffffffffu >> prefix)) != 0)
    return "'" + std::string(s) + "' has host bits set (the network address is " + format_ipv4(*addr & ~(0xffffffffu >> prefix)) +
           "/" + std::to_string(prefix) + ")";
  return n;
}

SyncStatus Subcloud::overall_sync() const {
  bool unknown = false;
  for (SyncStatus s : sync) {
    if (s == SyncStatus::OutOfSync) return SyncStatus::OutOfSync;
    if (s == SyncStatus::Unknown) unknown = true;
  }
  return unknown ? SyncStatus::Unknown : SyncStatus::InSync;
}

std::string format_timestamp(std::int64_t wall_us) {
  std::string s = fm::format_utc_micros(wall_us);  // "2026-01-01T00:00:00.000000"
  if (const auto t = s.find('T'); t != std::string::npos) s[t] = ' ';
  return s;
}

namespace {
nlohmann::json stamp(std::int64_t us) { return us == 0 ? nlohmann::json(nullptr) : nlohmann::json(format_timestamp(us)); }
}  // namespace

nlohmann::json alarm_summary_json(const AlarmSummary& a) {
  return {{"critical_alarms", a.critical},
          {"major_alarms", a.major},
          {"minor_alarms", a.minor},
          {"warnings", a.warnings},
          {"cloud_status", cloud_status(a)}};
}

nlohmann::json to_json(const Subcloud& s, bool detail) {
  nlohmann::json j = {{"id", s.id},
                      {"name", s.name},
                      {"description", s.description},
                      {"location", s.location},
                      {"region-name", s.region_name},
                      {"software-version", s.software_version},
                      {"management-state", to_string(s.management_state)},
                      {"availability-status", to_string(s.availability)},
                      {"deploy-status", to_string(s.deploy_status)},
                      {"management-subnet", s.management_subnet},
                      {"management-start-ip", s.management_start_ip},
                      {"management-end-ip", s.management_end_ip},
                      {"management-gateway-ip", s.management_gateway_ip},
                      {"systemcontroller-gateway-ip", s.systemcontroller_gateway_ip},
                      {"group_id", s.group_id},
                      {"agent", s.agent},
                      {"sync_status", to_string(s.overall_sync())},
                      {"error-description", s.error_description.empty() ? "No errors present" : s.error_description},
                      {"audit-fail-count", s.audit_fail_count},
                      {"created-at", stamp(s.created_at_us)},
                      {"updated-at", stamp(s.updated_at_us)}};
  if (detail) {
    nlohmann::json eps = nlohmann::json::array();
    for (std::size_t i = 0; i < kEndpointCount; ++i)
      eps.push_back({{"endpoint_type", kEndpointTypes[i]}, {"sync_status", to_string(s.sync[i])}});
    j["endpoint_sync_status"] = std::move(eps);
    j["alarm_summary"] = alarm_summary_json(s.alarms);
  }
  return j;
}

nlohmann::json to_json(const SubcloudGroup& g) {
  return {{"id", g.id},
          {"name", g.name},
          {"description", g.description},
          {"update_apply_type", to_string(g.update_apply_type)},
          {"max_parallel_subclouds", g.max_parallel_subclouds},
          {"created_at", stamp(g.created_at_us)},
          {"updated_at", stamp(g.updated_at_us)}};
}

}  // namespace roost::dc
