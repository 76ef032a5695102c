// roostd's admin API: an HTTP listener on a loopback address (RuntimeConfig::admin, roostd --admin) through
// which an operator or a test stops and starts ONE hosted node while the process keeps running. A process
// hosting hundreds of subcloud nodes (a real fleet on loopback) can so take single subclouds away and bring
// them back, as a power loss of that host would, without touching the other nodes.
//
//   GET  /v1/nodes               {"nodes": [NODE, ...]} every hosted node, in config order
//   GET  /v1/nodes/{name}        NODE
//   POST /v1/nodes/{name}/stop   stops the node: its object is destroyed, its timers dropped, its sockets and
//                                listeners closed (peers get "connection refused" / silence, as from a dead
//                                host), a pending reboot cancelled; it stays down until /start. NODE
//   POST /v1/nodes/{name}/start  binds its addresses again and starts a new incarnation. NODE
//   NODE = {"name", "role", "site", "state": "up"|"down", "incarnation", "changed"} ("changed": false when
//          the node already was in the asked state: both verbs are idempotent)
// Errors: {"error": code, "detail": text}: 404 not-found (no such hosted node), 500 start-failed (an address
// could not be bound, the role rejected its config; the detail names which).
// Log records (node = the node): node.stopped {reason: "admin API"}, node.started, and admin.request
// {method, path, status} (runtime record).
#pragma once

#include <memory>

#include "backends/http_router.h"

namespace roost::backends {

class RealRuntime;

// The admin routes over `runtime` (which must outlive the router); handlers run on the runtime's thread.
std::shared_ptr<HttpRouter> make_admin_router(RealRuntime& runtime);

}  // namespace roost::backends
