// The human report of a run: one self-contained HTML page (inline CSS and SVG, no scripts, no external
// assets) drawn from result.json, so it can be mailed, archived or opened offline as it is.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace roost::harness {

// `result` is what result_json() produced (or a result.json read back).
std::string report_html(const nlohmann::json& result);

// The SVG figures of the report, each a complete <svg> element (exposed for tests).
std::string timeline_svg(const nlohmann::json& result);
std::string event_chart_svg(const nlohmann::json& result);
std::string activity_svg(const nlohmann::json& result);

// A fleet run's section (result["fleet"], harness/fleet.h) and its figures.
std::string fleet_section_html(const nlohmann::json& result);
std::string fleet_online_svg(const nlohmann::json& result);
std::string fleet_alarms_svg(const nlohmann::json& result);
// `stats` is a fault kind's "detection" or "recovery" entry (with its "histogram").
std::string latency_histogram_svg(const nlohmann::json& stats, std::string_view label);

// Event name -> colour, shared by the figures and their legend (most frequent events first).
std::map<std::string, std::string> event_colours(const nlohmann::json& result);

}  // namespace roost::harness
