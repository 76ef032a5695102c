#include "platform/sm/rest_api.h"

#include <utility>

namespace roost::sm {
namespace {

using core::HttpRequest;
using core::HttpRespond;
using core::HttpResponse;

constexpr std::size_t kMaxBodyBytes = 16 * 1024;  // {"action": "swact"} and a little more

HttpResponse bad_request(const std::string& detail) { return HttpResponse::error(400, "invalid-argument", detail); }

// This node and its peer, as sm-api's servicenode list, from the status JSON (keys may be missing: a node
// that has not heard its peer yet has no "peer").
nlohmann::json service_nodes(const nlohmann::json& status) {
  auto nodes = nlohmann::json::array();
  if (!status.is_object()) return nodes;
  if (status.contains("node")) {
    nlohmann::json self = {{"name", status["node"]}, {"role", status.value("role", nlohmann::json("unknown"))}};
    if (status.contains("term")) self["term"] = status["term"];
    self["self"] = true;
    nodes.push_back(std::move(self));
  }
  if (status.contains("peer") && status["peer"].is_object() && status["peer"].contains("name")) {
    const auto& p = status["peer"];
    nlohmann::json peer = {{"name", p["name"]}, {"role", p.value("role", nlohmann::json("unknown"))}};
    if (p.contains("interfaces")) peer["interfaces"] = p["interfaces"];
    peer["self"] = false;
    nodes.push_back(std::move(peer));
  }
  return nodes;
}

}  // namespace

std::shared_ptr<core::HttpRouter> make_sm_router(SmApiHooks hooks) {
  auto router = std::make_shared<core::HttpRouter>();
  auto h = std::make_shared<SmApiHooks>(std::move(hooks));

  auto unavailable = [](const char* what) {
    return HttpResponse::error(503, "unavailable", std::string("this node does not offer ") + what);
  };

  router->add("GET", "/v1/sm/status", [h, unavailable](const HttpRequest&, HttpRespond respond) {
    if (!h->status) return respond(unavailable("a status"));
    respond(HttpResponse::json(200, h->status()));
  });

  router->add("GET", "/v1/servicenode", [h, unavailable](const HttpRequest&, HttpRespond respond) {
    if (!h->status) return respond(unavailable("a status"));
    respond(HttpResponse::json(200, {{"nodes", service_nodes(h->status())}}));
  });

  router->add("GET", "/v1/servicenode/{host}", [h, unavailable](const HttpRequest& req, HttpRespond respond) {
    if (!h->status) return respond(unavailable("a status"));
    const std::string host = core::url_decode(req.params.at("host"));
    for (const auto& n : service_nodes(h->status()))
      if (n.value("name", "") == host) return respond(HttpResponse::json(200, n));
    respond(HttpResponse::error(404, "not-found", "no service node named '" + host + "' (this node and its peer)"));
  });

  router->add("PATCH", "/v1/servicenode/{host}", [h, unavailable](const HttpRequest& req, HttpRespond respond) {
    const std::string host = core::url_decode(req.params.at("host"));
    if (req.body.size() > kMaxBodyBytes)
      return respond(HttpResponse::error(413, "body-too-large",
                                         "the body has " + std::to_string(req.body.size()) + " bytes; at most " +
                                             std::to_string(kMaxBodyBytes) + " are accepted here"));
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos)
      return respond(bad_request("the request has no body; expected {\"action\": \"swact\" | \"swact-force\"}"));
    nlohmann::json body;
    try {
      body = nlohmann::json::parse(req.body);
    } catch (const nlohmann::json::parse_error& e) {
      return respond(bad_request("the body is not valid JSON: " + core::json_error_text(e.what())));
    }
    if (!body.is_object())
      return respond(bad_request("the body must be an object {\"action\": ...}, got " + std::string(body.type_name())));
    for (const auto& [key, _] : body.items())
      if (key != "action") return respond(bad_request(key + ": unknown key (known: action)"));
    if (!body.contains("action")) return respond(bad_request("action: required (swact or swact-force)"));
    if (!body["action"].is_string())
      return respond(bad_request("action: must be a string (swact or swact-force), got " + body["action"].dump()));
    const std::string action = body["action"].get<std::string>();
    if (action != "swact" && action != "swact-force")
      return respond(bad_request("action: '" + action +
                                 "' is not supported here (swact or swact-force; lock and unlock are the "
                                 "inventory's: PATCH /v1/ihosts/{host})"));
    if (!h->swact) return respond(unavailable("swacts"));
    h->swact(host, action == "swact-force",
             [respond](bool ok, std::string error, std::string new_active) {
               if (ok) return respond(HttpResponse::json(200, {{"ok", true}, {"new_active", new_active}}));
               respond(HttpResponse::error(409, "swact-refused", error.empty() ? "the swact was refused" : error));
             });
  });

  return router;
}

}  // namespace roost::sm
