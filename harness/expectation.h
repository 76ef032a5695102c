// Scenario expectations: what the trace of a run must (or must not) contain, and their evaluation.
//
// An expectation selects trace records by event name, optionally by node and by field values, and
// checks how many fall in a time window. The window is the whole run, or — with `after_fault` — a
// span after a fault starts (or heals), optionally narrowed by `within_s`: "worker-1 is declared lost
// between 1.0 and 1.2 s after its crash".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config.h"
#include "sim/simulation.h"

namespace roost::harness {

struct FleetCheck;  // harness/fleet.h

// A condition on one field of a record: equal to a value, one of a set, or none of a set.
struct FieldMatcher {
  enum class Op { Equals, In, NotIn };
  std::string key;
  Op op = Op::Equals;
  std::vector<nlohmann::json> values;  // one value for Equals

  bool matches(const core::LogFields& fields) const;
};

struct CountRange {
  std::uint64_t min = 1;
  std::optional<std::uint64_t> max;  // none: no upper bound
  bool contains(std::uint64_t n) const { return n >= min && (!max || n <= *max); }
};

// Which edge of a fault the window is measured from.
enum class FaultEdge { Start, End };

struct Expectation {
  std::string description;  // the author's words; empty: describe() generates one
  std::string event;
  std::optional<std::string> node;
  std::vector<FieldMatcher> fields;
  CountRange count;  // default: at least once
  std::optional<std::size_t> after_fault;
  FaultEdge from = FaultEdge::Start;
  std::optional<std::pair<double, double>> within_s;  // delay after the fault edge, inclusive
  // An "expect" entry with "fleet" instead of "event": a check on every instance of a fleet fault
  // (harness/fleet.h); the other fields are unused then, `event` is "fleet".
  std::shared_ptr<const FleetCheck> fleet;

  bool selects(const sim::TraceRecord& r) const;
};

struct ExpectationOutcome {
  bool passed = false;
  std::uint64_t count = 0;            // matching records inside the window
  double window_from_s = 0;           // the window, in simulated seconds
  double window_to_s = 0;
  std::optional<double> anchor_s;     // the fault edge, when after_fault is set
  std::optional<double> first_s;      // the first matching record at or after the anchor (or at all)
  std::optional<double> first_delay_s;  // first_s - anchor_s
  std::string observed;               // for humans: "count 1, first at +1.043 s after fault 0"
};

// A one-line description: `pulse.host_lost on controller-0 where host=worker-1: exactly 1, within
// [1, 1.2] s after the start of fault 0 (host-crash worker-1)`.
std::string describe(const Expectation& e, const std::vector<sim::FaultSpec>& faults);
std::string describe_count(const CountRange& c);
std::string describe_fault(const sim::FaultSpec& f);

ExpectationOutcome evaluate(const Expectation& e, const sim::SimConfig& config,
                            const std::vector<sim::TraceRecord>& trace);

// Every expectation against `trace`, in order.
std::vector<ExpectationOutcome> evaluate_all(const std::vector<Expectation>& expectations, const sim::SimConfig& config,
                                             const std::vector<sim::TraceRecord>& trace);

// A LogValue as JSON (int64, double, bool or string).
nlohmann::json to_json(const core::LogValue& v);
nlohmann::json to_json(const core::LogFields& fields);

}  // namespace roost::harness
