// Scenario files (format v1, docs/scenarios.md): parsing and validation into what the simulation runs
// (sim::SimConfig) plus what the run is checked against (expectations).
//
// Validation collects every error, each with the JSON path it is about, so an author fixes a file in
// one pass. A scenario that validates can still be refused by a role when its node is built (a role's
// "config" is the role's business, checked when the node is constructed); everything else that could
// go wrong is caught here.
#pragma once

#include <filesystem>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/expectation.h"
#include "harness/fleet.h"
#include "harness/ha_check.h"
#include "harness/json_check.h"
#include "platform/core/node.h"
#include "sim/config.h"

namespace roost::harness {

inline constexpr int kScenarioFormatVersion = 1;

struct ScenarioMeta {
  std::string name;
  std::string description;
  std::string file;  // as given by the user ("" when parsed from a string)
};

struct Scenario {
  ScenarioMeta meta;
  sim::SimConfig config;
  std::vector<Expectation> expectations;
  // "ha_check": {"mode": "safety" | "liveness"}: an HA lab run, judged by the HA invariants
  // (harness/ha_check.h) — what `roost sim replay` checks.
  std::optional<HaMode> ha_check;
  // "fleet": what the fleet generator made of it (harness/fleet.h); null without a fleet. Shared, as the
  // plan of a large fleet is big and a Scenario is copied into every run's output.
  std::shared_ptr<const FleetPlan> fleet;
};

struct LoadResult {
  std::optional<Scenario> scenario;  // set exactly when `errors` is empty
  std::vector<DocumentError> errors;
  std::string file;

  bool ok() const { return errors.empty(); }
  // Every error as "file: $.path: message", one a line.
  std::vector<std::string> messages() const;
};

// `file` only labels the errors and the scenario. `seed`, when given, replaces the file's seed before
// anything is drawn from it: a fleet without a "seed" of its own is generated from it (`roost sim run --seed`).
LoadResult parse_scenario(std::string_view text, std::string file, const core::RoleRegistry& roles,
                          std::optional<std::uint64_t> seed = std::nullopt);
LoadResult load_scenario(const std::filesystem::path& file, const core::RoleRegistry& roles,
                         std::optional<std::uint64_t> seed = std::nullopt);

std::string_view lan_mode_name(sim::LanMode m);

}  // namespace roost::harness
