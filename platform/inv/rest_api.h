// The inventory's REST API (StarlingX sysinv's shapes, port 6385 by default), sans-I/O: HTTP request in,
// Inventory / HostActions, HTTP response out. The node that owns the inventory serves it through
// Env::serve_http; tests dispatch requests straight into the router. docs/inventory.md is the reference.
//
//   GET    /v1/isystems                      {"isystems": [system]} (always one)
//   GET    /v1/isystems/{uuid}               the system
//   PATCH  /v1/isystems/{uuid}               name, description, location, contact, system_mode
//   GET    /v1/ihosts                        {"ihosts": [...]}; ?personality= &administrative= &operational=
//                                            &availability= filter (exact match, StarlingX's spellings)
//   POST   /v1/ihosts                        add one host: 201 + the host
//   POST   /v1/ihosts/bulk                   StarlingX host XML or JSON: {"added", "failed"[, "warnings"]}
//   GET    /v1/ihosts/export                 ?format=xml (default) | json: host-bulk-export
//   GET    /v1/ihosts/{ref}                  ref = hostname, uuid or id
//   PATCH  /v1/ihosts/{ref}                  {"action": "lock"|...} or field changes; a JSON-patch list too
//   DELETE /v1/ihosts/{ref}                  HostActions Delete: 204
//   GET    /v1/ihosts/{ref}/inventory        the machine inventory the host's agent reported
//   GET    /v1/ihosts/{ref}/icpus | imemorys | idisks | ports
//
// Errors are core::HttpResponse::error's {"error": code, "detail": what}: 400 invalid-argument (bad JSON,
// unknown field or filter, bad value: the detail names it), 404 not-found (host, system, route, or no
// machine inventory reported yet), 405 method-not-allowed, 409 conflict (a lifecycle rule, a duplicate
// hostname or MAC), 413 body-too-large, 422 unprocessable (a bulk add that added nothing), 500 the store
// or maintenance failed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/core/http.h"
#include "platform/inv/host_actions.h"
#include "platform/inv/inventory.h"

namespace roost::inv {

class InventoryRestApi {
 public:
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;              // one host, one system patch
  static constexpr std::size_t kMaxBulkBodyBytes = 8 * 1024 * 1024;    // ~10,000 hosts of bulk XML

  // Both must outlive the routes: the node owning them stops serving before it destroys them.
  InventoryRestApi(Inventory& inventory, HostActions& actions) : inventory_(inventory), actions_(actions) {}

  // Adds every route above (literal paths before "{ref}" ones). The handlers hold `this`.
  void add_routes(core::HttpRouter& router);

  // The handlers (public for direct tests). Each answers before it returns.
  void list_systems(const core::HttpRequest& req, const core::HttpRespond& respond);
  void get_system(const core::HttpRequest& req, const core::HttpRespond& respond);
  void patch_system(const core::HttpRequest& req, const core::HttpRespond& respond);
  void list_hosts(const core::HttpRequest& req, const core::HttpRespond& respond);
  void add_host(const core::HttpRequest& req, const core::HttpRespond& respond);
  void bulk_add(const core::HttpRequest& req, const core::HttpRespond& respond);
  void export_hosts(const core::HttpRequest& req, const core::HttpRespond& respond);
  void get_host(const core::HttpRequest& req, const core::HttpRespond& respond);
  void patch_host(const core::HttpRequest& req, const core::HttpRespond& respond);
  void delete_host(const core::HttpRequest& req, const core::HttpRespond& respond);
  void get_machine_inventory(const core::HttpRequest& req, const core::HttpRespond& respond);
  // `part` is "icpus", "imemorys", "idisks" or "ports".
  void get_inventory_part(const core::HttpRequest& req, const core::HttpRespond& respond, const std::string& part);

 private:
  // Powers a just-added host on when its input asked (<power_on/>); the refusal text, or nullopt.
  std::optional<std::string> power_on_if_asked(const HostInput& in, const Host& added);

  Inventory& inventory_;
  HostActions& actions_;
};

// The HTTP answer for an inventory refusal: its status, with the matching error code.
core::HttpResponse error_response(const InvError& e);

// A StarlingX JSON-patch list ([{"op": "replace", "path": "/action", "value": "lock"}, ...]) as the
// object of changes it means ({"action": "lock"}); an object is returned as is. Throws
// std::invalid_argument naming the entry ("[1].op: 'remove' is not supported (replace or add)").
nlohmann::json patch_object(const nlohmann::json& body);

}  // namespace roost::inv
