// A real distributed-cloud fleet on loopback, for the dc.real.* and dc.cli.* tests: the system controller
// "system-controller.controller-0" (one composite node: an fm part with its REST API and a dc-manager part
// with its REST API, both on the node's OAM address) in roostd process "system-controller", and N simplex
// subclouds "subcloud-NNNN.controller-0" (each a composite of an fm part and a dc-agent part) hosted together
// in ONE roostd process "fleet", which serves roostd's admin API (backends/admin_api.h) so that a test stops
// and starts single subclouds while the rest run on. Every node has its own 127.x.y.z addresses
// (tests/support/lab_layout.h); the dc-manager audits the agents over the WAN network by real HTTP calls.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/blocking_http.h"
#include "tests/support/real_lab.h"

namespace roost::testing::dc_lab {

inline constexpr const char* kController = "system-controller.controller-0";
inline constexpr std::uint16_t kFmRestPort = 18002;
inline constexpr std::uint16_t kDcRestPort = 8119;

// "subcloud-0007" for i = 7 (1-based, like StarlingX's subcloud ids).
inline std::string subcloud_name(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "subcloud-%04zu", i);
  return buf;
}
inline std::string agent_of(const std::string& subcloud) { return subcloud + ".controller-0"; }

struct FleetOptions {
  std::size_t subclouds = 200;
  int audit_interval_ms = 2000;
  int audit_timeout_ms = 1000;
  int offline_after = 2;
  std::string management_state = "managed";
};

// The lab's nodes: the system controller (its dc-manager knows every subcloud, each with its own /24 in
// 10.0.0.0/8) and the subclouds' agents.
inline std::vector<LabNode> fleet_nodes(const FleetOptions& o) {
  using core::Network;
  auto subclouds = nlohmann::json::array();
  for (std::size_t i = 1; i <= o.subclouds; ++i) {
    const std::string name = subcloud_name(i);
    subclouds.push_back({{"name", name},
                         {"agent", agent_of(name)},
                         {"management_subnet", "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24"},
                         {"management_state", o.management_state},
                         {"deploy_status", "complete"}});
  }
  std::vector<LabNode> nodes;
  LabNode sc;
  sc.name = kController;
  sc.role = "composite";
  sc.process = "system-controller";
  sc.site = "system-controller";
  sc.networks = {Network::Management, Network::Oam, Network::Wan};
  sc.config = {{"parts",
                {{{"role", "fm"}, {"config", {{"rest_port", kFmRestPort}, {"rest_network", "oam"}}}},
                 {{"role", "dc-manager"},
                  {"config",
                   {{"fm_node", kController},
                    {"rest_port", kDcRestPort},
                    {"rest_network", "oam"},
                    {"audit_interval_ms", o.audit_interval_ms},
                    {"audit_timeout_ms", o.audit_timeout_ms},
                    {"offline_after", o.offline_after},
                    {"subclouds", subclouds}}}}}}};
  nodes.push_back(std::move(sc));
  for (std::size_t i = 1; i <= o.subclouds; ++i) {
    const std::string name = subcloud_name(i);
    LabNode n;
    n.name = agent_of(name);
    n.role = "composite";
    n.process = "fleet";
    n.site = name;
    n.networks = {Network::Management, Network::Wan};
    n.config = {{"parts",
                 {{{"role", "fm"}, {"config", {{"rest_port", 0}}}},
                  {{"role", "dc-agent"}, {"config", {{"fm_node", n.name}, {"cache_ms", 1000}}}}}}};
    nodes.push_back(std::move(n));
  }
  return nodes;
}

// The fleet roostd's admin API: on the first subcloud's mgmt address (unique to this lab), two ports above
// the call port (nothing else listens there).
inline std::string admin_address(const LabLayout& layout) {
  return layout.address(agent_of(subcloud_name(1)), core::Network::Management);
}
inline std::uint16_t admin_port(const LabLayout& layout) { return static_cast<std::uint16_t>(layout.call_port() + 2); }

// A JSON answer from a REST API of the lab; the status is checked by the caller.
struct JsonAnswer {
  int status = 0;
  nlohmann::json body;
  std::string error;  // transport failure or unparsable body
};

inline JsonAnswer http_json(const std::string& address, std::uint16_t port, const std::string& method,
                            const std::string& target, const std::string& body = "") {
  backends::BlockingHttpClient http(backends::HttpUrl{address, port, ""}, core::seconds(5));
  const auto r = http.request(method, target, body);
  JsonAnswer a;
  a.status = r.status;
  if (r.failure != backends::HttpClientResult::Failure::None) {
    a.error = backends::describe_failure(r);
    return a;
  }
  a.body = r.body.empty() ? nlohmann::json() : nlohmann::json::parse(r.body, nullptr, false);
  if (a.body.is_discarded()) a.error = "not JSON: " + r.body.substr(0, 200);
  return a;
}

}  // namespace roost::testing::dc_lab
