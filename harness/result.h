// What a scenario run produced, and its machine-readable form (result.json, format documented in
// docs/scenarios.md). The HTML report and the CLI summary are both rendered from that JSON, so
// `result.json` alone is enough to redraw either.
#pragma once

#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/expectation.h"
#include "harness/scenario.h"
#include "sim/simulation.h"

namespace roost::harness {

inline constexpr int kResultFormatVersion = 1;

struct RunOutput {
  Scenario scenario;
  sim::SimResult sim;
  std::vector<ExpectationOutcome> outcomes;  // one per scenario.expectations, same order
  std::vector<sim::Progress> samples;        // simulated activity over time (cumulative events)
  double peak_rss_mb = 0;

  bool passed() const;
};

struct ResultOptions {
  std::size_t notable_limit = 10000;  // trace records (level >= info) copied into the result
};

nlohmann::json result_json(const RunOutput& run, const ResultOptions& options = {});

// A trace record as JSON: {"t", "node", "level", "event", "fields"}.
nlohmann::json record_json(const sim::TraceRecord& r);

}  // namespace roost::harness
