// SimResult <-> JSON, faithful to the bit: times in integer nanoseconds, field values keep their type
// (integer, double, bool, string; non-finite doubles as {"double": "nan"|"inf"|"-inf"}) and their order.
// Used to bring a result back from run_in_child(), and by anything that stores or reports a run.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/simulation.h"

namespace roost::sim {

nlohmann::json record_to_json(const TraceRecord& r);
TraceRecord record_from_json(const nlohmann::json& j);

nlohmann::json stats_to_json(const SimStats& s);
SimStats stats_from_json(const nlohmann::json& j);

nlohmann::json result_to_json(const SimResult& r);
SimResult result_from_json(const nlohmann::json& j);

nlohmann::json progress_to_json(const Progress& p);
Progress progress_from_json(const nlohmann::json& j);

}  // namespace roost::sim
