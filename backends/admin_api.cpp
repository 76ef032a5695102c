#include "backends/admin_api.h"

#include <exception>

#include "backends/runtime.h"

namespace roost::backends {
namespace {

nlohmann::json node_json(const RealRuntime::HostedNodeState& n, bool changed) {
  return {{"name", n.name},
          {"role", n.role},
          {"site", n.site},
          {"state", n.up ? "up" : "down"},
          {"incarnation", n.incarnation},
          {"changed", changed}};
}

}  // namespace

std::shared_ptr<HttpRouter> make_admin_router(RealRuntime& runtime) {
  auto router = std::make_shared<HttpRouter>();
  // Every answer is logged: which node an operator (or a test) stopped, and when, belongs in the record.
  auto answer = [&runtime](const HttpRequest& req, const HttpRespond& respond, HttpResponse r) {
    runtime.log(r.status < 400 ? core::LogLevel::Info : core::LogLevel::Warn, "admin.request",
                {{"method", req.method}, {"path", req.path}, {"status", r.status}});
    respond(std::move(r));
  };
  auto not_hosted = [](const std::string& name) {
    return HttpResponse::error(404, "not-found", "node " + name + " is not hosted by this roostd");
  };

  router->add("GET", "/v1/nodes", [&runtime](const HttpRequest&, HttpRespond respond) {
    auto nodes = nlohmann::json::array();
    for (const auto& n : runtime.hosted_nodes()) {
      auto j = node_json(n, false);
      j.erase("changed");
      nodes.push_back(std::move(j));
    }
    respond(HttpResponse::json(200, {{"nodes", nodes}}));
  });
  router->add("GET", "/v1/nodes/{name}", [&runtime, not_hosted](const HttpRequest& req, HttpRespond respond) {
    const auto state = runtime.hosted_node(req.params.at("name"));
    if (!state) return respond(not_hosted(req.params.at("name")));
    auto j = node_json(*state, false);
    j.erase("changed");
    respond(HttpResponse::json(200, j));
  });
  router->add("POST", "/v1/nodes/{name}/stop", [&runtime, answer, not_hosted](const HttpRequest& req, HttpRespond respond) {
    const std::string& name = req.params.at("name");
    if (!runtime.hosted_node(name)) return answer(req, respond, not_hosted(name));
    const bool changed = runtime.halt_node(name, "admin API");
    answer(req, respond, HttpResponse::json(200, node_json(*runtime.hosted_node(name), changed)));
  });
  router->add("POST", "/v1/nodes/{name}/start", [&runtime, answer, not_hosted](const HttpRequest& req, HttpRespond respond) {
    const std::string& name = req.params.at("name");
    if (!runtime.hosted_node(name)) return answer(req, respond, not_hosted(name));
    bool changed = false;
    try {
      changed = runtime.start_stopped_node(name);
    } catch (const std::exception& e) {
      return answer(req, respond, HttpResponse::error(500, "start-failed", e.what()));
    }
    answer(req, respond, HttpResponse::json(200, node_json(*runtime.hosted_node(name), changed)));
  });
  return router;
}

}  // namespace roost::backends
