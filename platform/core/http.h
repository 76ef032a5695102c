// HTTP as platform code sees it: plain request/response structs and a router of path handlers, with
// no I/O in them (sans-I/O; no Beast). A node that serves an HTTP API (FM's REST API, ...) builds an
// HttpRouter and hands it to Env::serve_http; the real runtime's listeners feed it requests, and tests
// call dispatch() directly. The real runtime's node-to-node call endpoint is one route of the same kind.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace roost::core {

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
  // {"error": code, "detail": detail}: the shape of every error the platform answers.
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
  // A route to a member function of `api`, which must outlive the router:
  //   router.add("GET", "/v1/ihosts", this, &InventoryRestApi::list_hosts);
  template <class Api>
  void add(std::string method, std::string pattern, Api* api,
           void (Api::*handler)(const HttpRequest&, const HttpRespond&)) {
    add(std::move(method), std::move(pattern),
        [api, handler](const HttpRequest& req, HttpRespond respond) { (api->*handler)(req, respond); });
  }

  // Answers 404 {"error":"not-found"} for an unknown path, 405 for a known path with another method,
  // 500 {"error":"internal-error"} if the handler throws (unless it already answered).
  void dispatch(HttpRequest request, HttpRespond respond) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    HttpHandler handler;
  };
  std::vector<Route> routes_;
};

// A JSON library error for an HTTP client: nlohmann's what() without its "[json.exception.parse_error.101] "
// tag, which means nothing to an operator.
std::string json_error_text(const char* what);

// Splits "/a/b?x=1" into path and query.
void split_target(const std::string& target, std::string& path, std::string& query);

// Decodes a URL query ("a=1&b=x%20y&a=2") into its pairs, in order; '+' is a space. A malformed
// escape is kept as is.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);
std::string url_decode(std::string_view s);

}  // namespace roost::core
