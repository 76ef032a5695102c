// Helpers for FM tests against real roostd processes: an FM node in a RealLab with a data directory,
// and a blocking HTTP client on its REST API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/blocking_http.h"
#include "tests/fm/fm_test_support.h"
#include "tests/support/real_lab.h"

namespace roost::fm::testing {

inline constexpr std::uint16_t kRestPort = 18002;

// A lab whose every process keeps durable state under `data` (roostd --data-dir).
inline std::unique_ptr<roost::testing::RealLab> make_lab(std::vector<roost::testing::LabNode> nodes,
                                                         const TempDir& data) {
  roost::testing::RealLab::Options o;
  o.extra_args = {"--data-dir", data.path().string()};
  return std::make_unique<roost::testing::RealLab>(std::move(nodes), o);
}

inline backends::HttpUrl rest_url(roost::testing::RealLab& lab, const std::string& fm_node) {
  return backends::HttpUrl{lab.address(fm_node, core::Network::Oam), kRestPort, ""};
}

// The answer's body as JSON (null when it is empty or not JSON).
inline nlohmann::json body_json(const backends::HttpClientResult& r) {
  if (r.body.empty()) return nullptr;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

inline std::string alarm_body(const std::string& alarm_id, const std::string& entity, const std::string& severity) {
  return nlohmann::json{{"alarm_id", alarm_id}, {"entity_instance_id", entity}, {"entity_type_id", "host"},
                        {"severity", severity}}
      .dump();
}

}  // namespace roost::fm::testing
