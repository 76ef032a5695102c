#include "tests/sim/fleet_builders.h"

#include <stdexcept>

#include "tests/sim/test_roles.h"

namespace roost::sim::testing {

SimNodeSpec node(const std::string& name, const std::string& role, nlohmann::json config,
                 std::vector<core::Network> networks) {
  SimNodeSpec n;
  n.node.name = name;
  n.node.role = role;
  n.node.config = std::move(config);
  n.networks = std::move(networks);
  return n;
}

SiteSpec site(const std::string& name, std::vector<SimNodeSpec> nodes, LinkSpec lan, LinkSpec wan) {
  SiteSpec s;
  s.name = name;
  s.nodes = std::move(nodes);
  s.lan = lan;
  s.wan = wan;
  return s;
}

LinkSpec link(double latency_ms, double bandwidth_bps, double loss, double jitter_ms) {
  return LinkSpec{core::from_seconds(latency_ms / 1000), bandwidth_bps, loss, core::from_seconds(jitter_ms / 1000)};
}

std::vector<SimNodeSpec> pulse_site_nodes(const std::string& controller, const std::vector<std::string>& hosts,
                                          double period_ms, int miss_threshold, core::Network net) {
  std::vector<SimNodeSpec> out;
  out.push_back(node(controller, "pulse-controller",
                     {{"hosts", hosts},
                      {"period_ms", period_ms},
                      {"miss_threshold", miss_threshold},
                      {"network", std::string(core::to_string(net))}}));
  for (const auto& h : hosts) out.push_back(node(h, "pulse-host"));
  return out;
}

SimResult run(const SimConfig& config) { return run_in_child(config, test_roles()); }

std::vector<const TraceRecord*> records(const SimResult& r, const std::string& node, const std::string& event) {
  std::vector<const TraceRecord*> out;
  for (const auto& rec : r.trace)
    if (rec.node == node && rec.event == event) out.push_back(&rec);
  return out;
}

std::vector<const TraceRecord*> records(const SimResult& r, const std::string& event) {
  std::vector<const TraceRecord*> out;
  for (const auto& rec : r.trace)
    if (rec.event == event) out.push_back(&rec);
  return out;
}

namespace {
const core::LogValue& field(const TraceRecord& r, const std::string& key) {
  for (const auto& f : r.fields)
    if (f.key == key) return f.value;
  throw std::out_of_range("record '" + r.event + "' of '" + r.node + "' has no field '" + key + "'");
}
}  // namespace

std::string str_field(const TraceRecord& r, const std::string& key) { return std::get<std::string>(field(r, key)); }
std::int64_t int_field(const TraceRecord& r, const std::string& key) { return std::get<std::int64_t>(field(r, key)); }
bool bool_field(const TraceRecord& r, const std::string& key) { return std::get<bool>(field(r, key)); }
double seconds(const TraceRecord& r) { return core::to_seconds(r.t); }

}  // namespace roost::sim::testing
