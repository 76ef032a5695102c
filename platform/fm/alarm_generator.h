// Role "alarm-generator": a workload that raises `count` alarms at `rate_per_s` through an FmClient,
// one per entity host=<node>.process=gen-<i> (i = 0..count-1, zero-padded to 6 digits so entity order
// is raise order), then optionally clears them. Used by scenarios, capacity runs and the FM tests.
//
// Config:
//   {"fm_node": "controller-0",           required: where the fault manager runs
//    "count": 1000, "rate_per_s": 200,     rate 0: all at once
//    "alarm_id": "200.006", "severity": "major",
//    "start_delay_ms": 0, "clear": false,  clear: clear each alarm after raising them all
//    "client": {...}}                      FmClientConfig keys (fm_node is filled in)
// Logs "alarm_generator.progress" every 10%, "alarm_generator.raised" when every raise is queued and
// "alarm_generator.done" {acknowledged, dropped, refused} once the client's queue is empty.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "platform/core/node.h"
#include "platform/fm/fm_client.h"

namespace roost::fm {

struct AlarmGeneratorConfig {
  std::uint64_t count = 1000;
  double rate_per_s = 200;
  std::string alarm_id = "200.006";
  Severity severity = Severity::Major;
  core::Duration start_delay{};
  bool clear = false;
  FmClientConfig client;

  static AlarmGeneratorConfig from_json(const nlohmann::json& j);  // throws std::invalid_argument
};

class AlarmGenerator final : public core::Node {
 public:
  AlarmGenerator(core::Env& env, const core::NodeSpec& spec);
  void start() override;

  const FmClient& client() const { return client_; }
  static std::string entity(const std::string& node, std::uint64_t i);

 private:
  void tick();
  void watch();

  AlarmGeneratorConfig config_;
  FmClient client_;
  std::uint64_t raised_ = 0;
  std::uint64_t cleared_ = 0;
  core::TimePoint started_{};
};

}  // namespace roost::fm
