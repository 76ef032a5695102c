// HTTP as the rest of the real runtime sees it: plain request/response structs and a router of path
// handlers. Nothing here includes Beast (which costs ~15 s and ~800 MB per translation unit): only
// http_server.cpp and http_client.cpp do. The node-to-node call endpoint is one route; the REST APIs
// (/v1/alarms, /v1/ihosts, ...) are others on the same listeners.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace roost::backends {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path + optional "?query"
  std::string path;    // target without the query
  std::string query;   // after '?', undecoded
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string local_address;   // the listener's address (which node and network it reached)
  std::string remote_address;  // the client's address
  std::map<std::string, std::string> params;  // "{name}" segments of the matched route

  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static HttpResponse json(int status, const nlohmann::json& body);
  // {"error": code, "detail": detail}: the shape of every error this runtime answers.
  static HttpResponse error(int status, std::string_view code, std::string_view detail);
};

// A handler answers through `respond`, now or later (from a timer, after a call); the first answer
// wins, and a handler that drops `respond` unanswered gets the client a 500.
using HttpRespond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(const HttpRequest&, HttpRespond)>;

class HttpRouter {
 public:
  // `pattern` is a path whose segments are literal or "{name}" (bound into request.params), e.g.
  // "/v1/alarms/{uuid}". Routes are tried in the order they were added.
  void add(std::string method, std::string pattern, HttpHandler handler);

  // Answers 404 {"error":"not-found"} for an unknown path, 405 for a known path with another method.
  void dispatch(HttpRequest request, HttpRespond respond) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    HttpHandler handler;
  };
  std::vector<Route> routes_;
};

// Splits "/a/b?x=1" into path and query.
void split_target(const std::string& target, std::string& path, std::string& query);

}  // namespace roost::backends
