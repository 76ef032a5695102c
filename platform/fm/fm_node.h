// The fault manager's node, role "fm": owns a FaultManager over the durable alarm store the runtime
// keeps for it (Env::resource<AlarmStore>(): SQLite on the real runtime, memory in the simulation),
// serves FM requests from other nodes (SetFaults, ClearFault, GetFaults: messages.h), acknowledging a
// change only once it is durable, and serves the REST API (rest_api.h) on one of its networks.
//
// Config (every key optional):
//   {"rest_port": 18002, "rest_network": "oam", "fm": {"event_log_max_size": 4000}}
// rest_port 0 serves no REST API. A runtime without an alarm store fails the node's start with an
// error saying so.
#pragma once

#include <cstdint>
#include <memory>

#include "platform/core/network.h"
#include "platform/core/node.h"
#include "platform/fm/alarm_store.h"
#include "platform/fm/fault_manager.h"
#include "platform/fm/messages.h"

namespace roost::fm {

class RestApi;

struct FmNodeConfig {
  std::uint16_t rest_port = 18002;
  core::Network rest_network = core::Network::Oam;
  FmConfig fm;

  // Throws std::invalid_argument naming the bad key.
  static FmNodeConfig from_json(const nlohmann::json& j);
};

class FmNode final : public core::Node {
 public:
  FmNode(core::Env& env, const core::NodeSpec& spec);
  ~FmNode() override;

  void start() override;

  // Null before start().
  FaultManager* manager() { return fm_.get(); }

 private:
  Stamp stamp() { return Stamp{env().now(), env().wall_time_us()}; }
  void on_set(const core::Peer& from, const SetFaults& m, core::Responder<FmReply> reply);
  void on_clear(const core::Peer& from, const ClearFault& m, core::Responder<FmReply> reply);
  void on_get(const core::Peer& from, const GetFaults& m, core::Responder<GetFaults::Response> reply);

  FmNodeConfig config_;
  std::shared_ptr<AlarmStore> store_;
  std::unique_ptr<FaultManager> fm_;
  std::shared_ptr<RestApi> rest_;  // destroyed before fm_: its routes then answer 503
};

}  // namespace roost::fm
