// Helpers that keep the simulation tests short: building fleets, running them in a child process, and
// reading the trace back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/simulation.h"

namespace roost::sim::testing {

SimNodeSpec node(const std::string& name, const std::string& role, nlohmann::json config = nlohmann::json::object(),
                 std::vector<core::Network> networks = {core::Network::Management, core::Network::ClusterHost,
                                                        core::Network::Oam});
SiteSpec site(const std::string& name, std::vector<SimNodeSpec> nodes, LinkSpec lan = {}, LinkSpec wan = {});
LinkSpec link(double latency_ms, double bandwidth_bps = 1e9, double loss = 0, double jitter_ms = 0);

// A pulse controller watching `hosts` (all in the same site), plus the pulse hosts themselves.
std::vector<SimNodeSpec> pulse_site_nodes(const std::string& controller, const std::vector<std::string>& hosts,
                                          double period_ms, int miss_threshold, core::Network net);

// Runs the config in a child process with the test roles.
SimResult run(const SimConfig& config);

std::vector<const TraceRecord*> records(const SimResult& r, const std::string& node, const std::string& event);
std::vector<const TraceRecord*> records(const SimResult& r, const std::string& event);
std::string str_field(const TraceRecord& r, const std::string& key);
std::int64_t int_field(const TraceRecord& r, const std::string& key);
bool bool_field(const TraceRecord& r, const std::string& key);
double seconds(const TraceRecord& r);

}  // namespace roost::sim::testing
