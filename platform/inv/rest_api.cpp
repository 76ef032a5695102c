#include "platform/inv/rest_api.h"

#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "platform/inv/bulk.h"
#include "platform/inv/lifecycle.h"

namespace roost::inv {
namespace {

using core::HttpRequest;
using core::HttpRespond;
using core::HttpResponse;

HttpResponse bad_request(std::string detail) { return HttpResponse::error(400, "invalid-argument", detail); }

HttpResponse host_not_found(const std::string& ref) {
  return HttpResponse::error(404, "not-found", "host '" + ref + "' not found (give a hostname, uuid or id)");
}

// The size cap every body shares; false (answered) when over.
bool body_within(const HttpRequest& req, const HttpRespond& respond, std::size_t max) {
  if (req.body.size() <= max) return true;
  respond(HttpResponse::error(413, "body-too-large",
                              "the body has " + std::to_string(req.body.size()) + " bytes; at most " +
                                  std::to_string(max) + " are accepted here"));
  return false;
}

// Parses the body as JSON; on failure answers and returns nullopt.
std::optional<nlohmann::json> json_body(const HttpRequest& req, const HttpRespond& respond) {
  if (!body_within(req, respond, InventoryRestApi::kMaxBodyBytes)) return std::nullopt;
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    respond(bad_request("the request has no body; a JSON object is expected"));
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    respond(bad_request("the body is not valid JSON: " + core::json_error_text(e.what())));
    return std::nullopt;
  }
}

// Clients percent-encode path segments; hostnames and uuids never need it, but a ref may arrive encoded.
std::string ref_param(const HttpRequest& req) { return core::url_decode(req.params.at("ref")); }

bool is_xml_request(const HttpRequest& req) {
  if (const std::string* type = req.header("content-type"))
    if (type->find("xml") != std::string::npos) return true;
  const auto i = req.body.find_first_not_of(" \t\r\n");
  return i != std::string::npos && req.body[i] == '<';
}

// The actions a PATCH may ask; "delete" has its own method.
const std::vector<HostAction> kPatchActions{HostAction::Lock,    HostAction::ForceLock, HostAction::Unlock,
                                            HostAction::Reboot,  HostAction::Reset,     HostAction::PowerOn,
                                            HostAction::PowerOff, HostAction::PowerCycle};

std::string patch_action_names() {
  std::string out;
  for (HostAction a : kPatchActions) out += (out.empty() ? "" : ", ") + std::string(to_string(a));
  return out;
}

std::string error_code(int status) {
  switch (status) {
    case 400: return "invalid-argument";
    case 404: return "not-found";
    case 405: return "method-not-allowed";
    case 409: return "conflict";
    case 413: return "body-too-large";
    case 422: return "unprocessable";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal-error" : "error";
  }
}

}  // namespace

HttpResponse error_response(const InvError& e) { return HttpResponse::error(e.http_status, error_code(e.http_status), e.message); }

nlohmann::json patch_object(const nlohmann::json& body) {
  if (body.is_object()) return body;
  if (!body.is_array())
    throw std::invalid_argument("expected an object of changes or a JSON-patch list, got " +
                                std::string(body.type_name()));
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < body.size(); ++i) {
    const auto& op = body[i];
    const std::string at = "[" + std::to_string(i) + "]";
    if (!op.is_object()) throw std::invalid_argument(at + ": expected {\"op\", \"path\", \"value\"}");
    for (const auto& [key, _] : op.items())
      if (key != "op" && key != "path" && key != "value")
        throw std::invalid_argument(at + "." + key + ": unknown key (op, path, value)");
    if (!op.contains("path") || !op["path"].is_string()) throw std::invalid_argument(at + ".path: a string is required");
    const std::string name = op["path"].get<std::string>();
    const std::string verb = op.contains("op") && op["op"].is_string() ? op["op"].get<std::string>() : "";
    if (verb != "replace" && verb != "add")
      throw std::invalid_argument(at + ".op: '" + verb + "' is not supported (replace or add)");
    if (name.size() < 2 || name[0] != '/' || name.find('/', 1) != std::string::npos)
      throw std::invalid_argument(at + ".path: '" + name + "' is not a top-level field such as /action");
    if (!op.contains("value")) throw std::invalid_argument(at + ".value: required");
    const std::string field = name.substr(1);
    if (out.contains(field)) throw std::invalid_argument(at + ".path: " + name + " is changed twice");
    out[field] = op["value"];
  }
  return out;
}

void InventoryRestApi::add_routes(core::HttpRouter& router) {
  router.add("GET", "/v1/isystems", this, &InventoryRestApi::list_systems);
  router.add("GET", "/v1/isystems/{uuid}", this, &InventoryRestApi::get_system);
  router.add("PATCH", "/v1/isystems/{uuid}", this, &InventoryRestApi::patch_system);
  router.add("GET", "/v1/ihosts", this, &InventoryRestApi::list_hosts);
  router.add("POST", "/v1/ihosts", this, &InventoryRestApi::add_host);
  // Literal paths before "{ref}": the router tries routes in order (a host named "bulk" or "export"
  // is reached by its uuid or id).
  router.add("POST", "/v1/ihosts/bulk", this, &InventoryRestApi::bulk_add);
  router.add("GET", "/v1/ihosts/export", this, &InventoryRestApi::export_hosts);
  router.add("GET", "/v1/ihosts/{ref}", this, &InventoryRestApi::get_host);
  router.add("PATCH", "/v1/ihosts/{ref}", this, &InventoryRestApi::patch_host);
  router.add("DELETE", "/v1/ihosts/{ref}", this, &InventoryRestApi::delete_host);
  router.add("GET", "/v1/ihosts/{ref}/inventory", this, &InventoryRestApi::get_machine_inventory);
  for (const char* part : {"icpus", "imemorys", "idisks", "ports"}) {
    router.add("GET", std::string("/v1/ihosts/{ref}/") + part,
               [this, part = std::string(part)](const HttpRequest& req, HttpRespond respond) {
                 get_inventory_part(req, respond, part);
               });
  }
}

// --- the system -------------------------------------------------------------------------------------------

void InventoryRestApi::list_systems(const HttpRequest&, const HttpRespond& respond) {
  respond(HttpResponse::json(200, {{"isystems", nlohmann::json::array({to_json(inventory_.system())})}}));
}

void InventoryRestApi::get_system(const HttpRequest& req, const HttpRespond& respond) {
  const std::string& uuid = req.params.at("uuid");
  if (uuid != inventory_.system().uuid && uuid != inventory_.system().name)
    return respond(HttpResponse::error(404, "not-found", "no system with uuid or name '" + uuid + "'"));
  respond(HttpResponse::json(200, to_json(inventory_.system())));
}

void InventoryRestApi::patch_system(const HttpRequest& req, const HttpRespond& respond) {
  const std::string& uuid = req.params.at("uuid");
  if (uuid != inventory_.system().uuid && uuid != inventory_.system().name)
    return respond(HttpResponse::error(404, "not-found", "no system with uuid or name '" + uuid + "'"));
  auto body = json_body(req, respond);
  if (!body) return;
  nlohmann::json patch;
  try {
    patch = patch_object(*body);
  } catch (const std::invalid_argument& e) {
    return respond(bad_request(std::string("system: ") + e.what()));
  }
  auto r = inventory_.update_system(patch);
  if (!r) return respond(error_response(r.error()));
  respond(HttpResponse::json(200, to_json(r.value())));
}

// --- hosts ------------------------------------------------------------------------------------------------

void InventoryRestApi::list_hosts(const HttpRequest& req, const HttpRespond& respond) {
  std::optional<Personality> personality;
  std::optional<AdminState> admin;
  std::optional<OperState> oper;
  std::optional<AvailState> avail;
  for (const auto& [key, value] : core::parse_query(req.query)) {
    const auto bad_value = [&, &key = key, &value = value](const char* choices) {
      respond(bad_request(key + ": '" + value + "' is not one of " + choices));
    };
    if (key == "personality") {
      if (!(personality = parse_personality(value))) return bad_value("controller, worker, storage");
    } else if (key == "administrative") {
      if (!(admin = parse_admin(value))) return bad_value("locked, unlocked");
    } else if (key == "operational") {
      if (!(oper = parse_oper(value))) return bad_value("enabled, disabled");
    } else if (key == "availability") {
      if (!(avail = parse_avail(value)))
        return bad_value("available, degraded, failed, intest, power-off, offline, online, offduty, not-installed");
    } else {
      return respond(bad_request("unknown query parameter '" + key +
                                 "' (known: personality, administrative, operational, availability)"));
    }
  }
  auto rows = nlohmann::json::array();
  for (const Host* h : inventory_.hosts()) {
    if (personality && h->personality != *personality) continue;
    if (admin && h->administrative != *admin) continue;
    if (oper && h->operational != *oper) continue;
    if (avail && h->availability != *avail) continue;
    rows.push_back(to_json(*h));
  }
  respond(HttpResponse::json(200, {{"ihosts", std::move(rows)}}));
}

std::optional<std::string> InventoryRestApi::power_on_if_asked(const HostInput& in, const Host& added) {
  if (!in.power_on) return std::nullopt;
  auto r = actions_.perform(added.hostname, HostAction::PowerOn);
  if (r) return std::nullopt;
  return "added, but not powered on: " + r.error().message;
}

void InventoryRestApi::add_host(const HttpRequest& req, const HttpRespond& respond) {
  auto body = json_body(req, respond);
  if (!body) return;
  HostInput in;
  try {
    in = host_input_from_json(*body);
  } catch (const std::invalid_argument& e) {
    return respond(bad_request(e.what()));
  }
  auto added = inventory_.add(in);
  if (!added) return respond(error_response(added.error()));
  nlohmann::json out;
  if (auto warning = power_on_if_asked(in, added.value())) {
    out = to_json(added.value());
    out["warning"] = *warning;
  } else {
    const Host* now = inventory_.find(added.value().uuid);  // after power-on: its task shows it
    out = to_json(now ? *now : added.value());
  }
  respond(HttpResponse::json(201, out));
}

void InventoryRestApi::bulk_add(const HttpRequest& req, const HttpRespond& respond) {
  if (!body_within(req, respond, kMaxBulkBodyBytes)) return;
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos)
    return respond(bad_request("the request has no body; StarlingX host XML (<hosts><host>...) or JSON "
                               "({\"hosts\": [...]}) is expected"));
  const bool xml = is_xml_request(req);
  std::vector<HostInput> inputs;
  try {
    if (xml) {
      inputs = parse_bulk_xml(req.body);
    } else {
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(req.body);
      } catch (const nlohmann::json::parse_error& e) {
        return respond(bad_request("the body is not valid JSON: " + core::json_error_text(e.what())));
      }
      inputs = parse_bulk_json(j);
    }
  } catch (const std::invalid_argument& e) {
    // The file is rejected whole: nothing is added from a file that does not parse.
    return respond(bad_request(e.what()));
  }
  if (inputs.empty())
    return respond(bad_request(xml ? "the XML lists no <host> elements" : "the JSON lists no hosts"));

  const BulkResult result = inventory_.add_bulk(inputs);
  auto added = nlohmann::json::array();
  for (const auto& name : result.added) added.push_back(name);
  auto failed = nlohmann::json::array();
  for (const auto& [name, err] : result.failed)
    failed.push_back({{"hostname", name}, {"status", err.http_status}, {"error", err.message}});
  auto warnings = nlohmann::json::array();
  const std::set<std::string> added_names(result.added.begin(), result.added.end());
  for (const HostInput& in : inputs) {
    if (!in.power_on || !added_names.contains(in.hostname)) continue;
    const Host* h = inventory_.find(in.hostname);
    if (!h) continue;
    if (auto warning = power_on_if_asked(in, *h)) warnings.push_back({{"hostname", in.hostname}, {"warning", *warning}});
  }
  nlohmann::json out{{"added", std::move(added)}, {"failed", std::move(failed)}};
  if (!warnings.empty()) out["warnings"] = std::move(warnings);
  if (result.added.empty()) {
    // Nothing added: an error (so clients that look only at the status notice), still listing why.
    out["error"] = "unprocessable";
    out["detail"] = "none of the " + std::to_string(inputs.size()) + " hosts was added";
    return respond(HttpResponse::json(422, out));
  }
  respond(HttpResponse::json(200, out));
}

void InventoryRestApi::export_hosts(const HttpRequest& req, const HttpRespond& respond) {
  std::string format = "xml";
  for (const auto& [key, value] : core::parse_query(req.query)) {
    if (key != "format") return respond(bad_request("unknown query parameter '" + key + "' (known: format)"));
    if (value != "xml" && value != "json") return respond(bad_request("format: '" + value + "' is not one of xml, json"));
    format = value;
  }
  const auto hosts = inventory_.hosts();
  if (format == "json") return respond(HttpResponse::json(200, export_bulk_json(hosts)));
  HttpResponse r;
  r.content_type = "application/xml";
  r.body = export_bulk_xml(hosts);
  respond(std::move(r));
}

void InventoryRestApi::get_host(const HttpRequest& req, const HttpRespond& respond) {
  const std::string ref = ref_param(req);
  const Host* h = inventory_.find(ref);
  if (!h) return respond(host_not_found(ref));
  respond(HttpResponse::json(200, to_json(*h)));
}

void InventoryRestApi::patch_host(const HttpRequest& req, const HttpRespond& respond) {
  const std::string ref = ref_param(req);
  const Host* h = inventory_.find(ref);
  if (!h) return respond(host_not_found(ref));
  const std::string who = "host " + h->hostname + ": ";
  auto body = json_body(req, respond);
  if (!body) return;
  nlohmann::json patch;
  try {
    patch = patch_object(*body);
  } catch (const std::invalid_argument& e) {
    return respond(bad_request(who + e.what()));
  }
  if (patch.empty()) return respond(bad_request(who + "nothing to change (give \"action\" or fields)"));

  if (patch.contains("action")) {
    if (patch.size() != 1)
      return respond(bad_request(who + "action: cannot be combined with field changes (send them separately)"));
    const auto& v = patch["action"];
    if (!v.is_string()) return respond(bad_request(who + "action: expected a string (one of " + patch_action_names() + ")"));
    const std::string name = v.get<std::string>();
    const auto action = parse_host_action(name);
    if (action == HostAction::Delete)
      return respond(bad_request(who + "action: 'delete' is not a PATCH action: send DELETE /v1/ihosts/" + ref));
    if (!action) return respond(bad_request(who + "action: '" + name + "' is not one of " + patch_action_names()));
    auto r = actions_.perform(ref, *action);
    if (!r) return respond(error_response(r.error()));
    return respond(HttpResponse::json(200, to_json(r.value())));
  }

  auto r = inventory_.update_fields(ref, patch);
  if (!r) return respond(error_response(r.error()));
  respond(HttpResponse::json(200, to_json(r.value())));
}

void InventoryRestApi::delete_host(const HttpRequest& req, const HttpRespond& respond) {
  const std::string ref = ref_param(req);
  if (!inventory_.find(ref)) return respond(host_not_found(ref));
  auto r = actions_.perform(ref, HostAction::Delete);
  if (!r) return respond(error_response(r.error()));
  HttpResponse res;
  res.status = 204;
  respond(std::move(res));
}

// --- machine inventory ------------------------------------------------------------------------------------

namespace {

// The host's machine inventory, or nullptr after answering 404 (no host, or nothing reported yet).
const core::MachineInventory* reported(const Inventory& inv, const std::string& ref, const HttpRespond& respond,
                                       const Host** host) {
  const Host* h = inv.find(ref);
  if (!h) {
    respond(host_not_found(ref));
    return nullptr;
  }
  if (!h->inventory) {
    respond(HttpResponse::error(404, "not-found",
                                "host " + h->hostname + ": no machine inventory yet: its agent has not reported (" +
                                    std::string(to_string(h->availability)) + ", " +
                                    std::string(to_string(h->invprovision)) + ")"));
    return nullptr;
  }
  *host = h;
  return &*h->inventory;
}

}  // namespace

void InventoryRestApi::get_machine_inventory(const HttpRequest& req, const HttpRespond& respond) {
  const Host* h = nullptr;
  const core::MachineInventory* m = reported(inventory_, ref_param(req), respond, &h);
  if (!m) return;
  nlohmann::json out = core::to_json(*m);
  out["ihost_uuid"] = h->uuid;
  out["sockets"] = m->sockets();
  out["cores"] = m->cores();
  out["memory_total_kib"] = m->memory_total_kib();
  respond(HttpResponse::json(200, out));
}

void InventoryRestApi::get_inventory_part(const HttpRequest& req, const HttpRespond& respond, const std::string& part) {
  const Host* h = nullptr;
  const core::MachineInventory* m = reported(inventory_, ref_param(req), respond, &h);
  if (!m) return;
  // sysinv's resource names over the agent report's lists.
  const char* key = part == "icpus" ? "cpus" : part == "imemorys" ? "memory" : part == "idisks" ? "disks" : "ports";
  auto rows = core::to_json(*m)[key];
  for (auto& row : rows) row["ihost_uuid"] = h->uuid;
  respond(HttpResponse::json(200, {{part, std::move(rows)}}));
}

}  // namespace roost::inv
