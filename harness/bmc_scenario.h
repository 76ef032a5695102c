// The "bmc" object of a scenario node (format v1, docs/scenarios.md "BMC"): the node's simulated BMC,
// its sensors and their scheduled readings, and when it does not answer. Every error is recorded with
// its JSON path, like the rest of the scenario.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/json_check.h"
#include "sim/config.h"

namespace roost::harness {

// `path` is where the object is ("$.sites[0].nodes[2].bmc"); `duration_s` is the run's duration when
// known (times at or after it are errors). Returns the spec when the object was readable at all.
std::optional<sim::BmcSpec> read_bmc(const nlohmann::json& j, const std::string& path, JsonChecker& check,
                                     std::optional<double> duration_s);

}  // namespace roost::harness
