// The one-screen summary `roost sim run` prints when a run ends, drawn from its result.json.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace roost::cli {

struct SummaryFiles {
  std::string result_json;  // empty when --out was not given
  std::string report_html;
};

void print_run_summary(std::ostream& out, const nlohmann::json& result, const SummaryFiles& files, bool colour);

}  // namespace roost::cli
