// The service manager's REST API (StarlingX sm-api's shapes where it has them; port 7780 by default),
// sans-I/O: the controller node hands make_sm_router's router to Env::serve_http; tests dispatch into it.
//
//   GET   /v1/sm/status              hooks.status(): {"node", "role", "term", "peer": {...}, "sync": {...},
//                                    "groups": [ServiceGroup::to_json()...]} (sm-dump's content)
//   GET   /v1/servicenode            {"nodes": [{"name", "role", "term"?, "interfaces"?}...]}: this node and its
//                                    peer, from the status
//   GET   /v1/servicenode/{host}     one of them; 404 for another name
//   PATCH /v1/servicenode/{host}     {"action": "swact" | "swact-force"}: hooks.swact(host, force, done);
//                                    200 {"ok": true, "new_active": name} or 409 {"error": "swact-refused",
//                                    "detail": why}
//
// Errors are core::HttpResponse::error's {"error": code, "detail": what}: 400 invalid-argument (bad JSON,
// a missing or unknown action or key: the detail names it), 404 not-found, 413 body-too-large,
// 503 unavailable (a hook the node did not give).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/core/http.h"

namespace roost::sm {

struct SmApiHooks {
  // The node's status (see above). Runs on the node's thread.
  std::function<nlohmann::json()> status;
  // Asks a swact away from `host` (StarlingX: PATCH the active controller's servicenode). `done` runs once,
  // now or later: ok, or the reason it was refused; new_active names the controller now active.
  std::function<void(std::string host, bool force,
                     std::function<void(bool ok, std::string error, std::string new_active)> done)>
      swact;
};

inline constexpr std::uint16_t kDefaultSmRestPort = 7780;

std::shared_ptr<core::HttpRouter> make_sm_router(SmApiHooks hooks);

}  // namespace roost::sm
