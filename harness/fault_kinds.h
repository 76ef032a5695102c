// The fault kinds a scenario may schedule: their names in scenario files and which fields each takes.
// One table, used by the validator (what is allowed and required), the reports and the docs' wording.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/json_check.h"
#include "sim/config.h"

namespace roost::harness {

// The fields that open every fault, in a scenario's "faults" and in a fleet's: one definition for both.
namespace fault_field {
inline constexpr FieldRule kKind{"kind", kString, true};
inline constexpr FieldRule kAt{"at_s", kNumber, true};
inline constexpr FieldRule kUntil{"until_s", kNumber};
inline constexpr FieldRule kLabel{"label", kString};
inline constexpr FieldRule kNode{"node", kString};
}  // namespace fault_field

struct FaultKindInfo {
  std::string_view name;  // as written in scenarios: "host-crash"
  sim::FaultKind kind;
  std::span<const FieldRule> fields;  // every field this kind accepts, required ones marked
  bool needs_nodes;                   // one of "node" / "nodes" is required
};

std::span<const FaultKindInfo> fault_kinds();
const FaultKindInfo* find_fault_kind(std::string_view name);
std::string_view fault_kind_name(sim::FaultKind kind);
std::vector<std::string> fault_kind_names();
// Every field any fault kind accepts (for "does not apply to host-crash faults" messages).
std::span<const FieldRule> all_fault_fields();

}  // namespace roost::harness
