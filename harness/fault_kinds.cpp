#include "harness/fault_kinds.h"

#include <algorithm>
#include <array>

namespace roost::harness {

namespace {

using fault_field::kAt;
using fault_field::kKind;
using fault_field::kLabel;
using fault_field::kNode;
using fault_field::kUntil;
constexpr FieldRule kNodes{"nodes", kArray};
constexpr FieldRule kNetwork{"network", kString};
constexpr FieldRule kNetworkRequired{"network", kString, true};
constexpr FieldRule kSite{"site", kString, true};
constexpr FieldRule kGroups{"groups", kArray, true};
constexpr FieldRule kFraction{"fraction", kNumber};
constexpr FieldRule kFractionRequired{"fraction", kNumber, true};
constexpr FieldRule kDelay{"delay_ms", kNumber, true};
// Required for process-kill, but checked in scenario.cpp so the error names the field itself.
constexpr FieldRule kProcess{"process", kString};
constexpr FieldRule kCrashLoop{"crash_loop", kBool};

constexpr std::array kHostCrash{kKind, kAt, kUntil, kLabel, kNode, kNodes};
constexpr std::array kHostRestart{kKind, kAt, kLabel, kNode, kNodes};
constexpr std::array kNetworkDown{kKind, kAt, kUntil, kLabel, kNode, kNodes, kNetworkRequired};
constexpr std::array kSiteWanDown{kKind, kAt, kUntil, kLabel, kSite};
constexpr std::array kPartition{kKind, kAt, kUntil, kLabel, kGroups};
constexpr std::array kMessageLoss{kKind, kAt, kUntil, kLabel, kNode, kNodes, kNetwork, kFractionRequired};
constexpr std::array kMessageDelay{kKind, kAt, kUntil, kLabel, kNode, kNodes, kNetwork, kFraction, kDelay};
constexpr std::array kProcessKill{kKind, kAt, kUntil, kLabel, kNode, kProcess, kCrashLoop};
// Every field of every kind, none required but kind and at_s: what a fault of unknown kind is checked against.
constexpr std::array kAllFields{kKind, kAt,       kUntil, kLabel, kNode, kNodes, kNetwork, FieldRule{"site", kString},
                                FieldRule{"groups", kArray}, kFraction, FieldRule{"delay_ms", kNumber},
                                kProcess, kCrashLoop};

const std::array kKinds{
    FaultKindInfo{"host-crash", sim::FaultKind::HostCrash, kHostCrash, true},
    FaultKindInfo{"host-restart", sim::FaultKind::HostRestart, kHostRestart, true},
    FaultKindInfo{"network-down", sim::FaultKind::NetworkDown, kNetworkDown, true},
    FaultKindInfo{"site-wan-down", sim::FaultKind::SiteWanDown, kSiteWanDown, false},
    FaultKindInfo{"partition", sim::FaultKind::Partition, kPartition, false},
    FaultKindInfo{"message-loss", sim::FaultKind::MessageLoss, kMessageLoss, false},
    FaultKindInfo{"message-delay", sim::FaultKind::MessageDelay, kMessageDelay, false},
    // One node (not "nodes"): a process belongs to one host. Checked in scenario.cpp.
    FaultKindInfo{"process-kill", sim::FaultKind::ProcessKill, kProcessKill, false},
};

}  // namespace

std::span<const FaultKindInfo> fault_kinds() { return kKinds; }

const FaultKindInfo* find_fault_kind(std::string_view name) {
  auto it = std::find_if(kKinds.begin(), kKinds.end(), [&](const FaultKindInfo& k) { return k.name == name; });
  return it == kKinds.end() ? nullptr : &*it;
}

std::string_view fault_kind_name(sim::FaultKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.name;
  return "?";
}

std::vector<std::string> fault_kind_names() {
  std::vector<std::string> out;
  for (const auto& k : kKinds) out.emplace_back(k.name);
  return out;
}

std::span<const FieldRule> all_fault_fields() { return kAllFields; }

}  // namespace roost::harness
