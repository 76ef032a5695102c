// Node-to-node calls over HTTP/1.1: `POST /roost/v1/call` whose body is the request frame
// (core::encode_frame, exactly as on UDP); 200 carries the reply frame; a failure is an HTTP status
// with a JSON body {"error": <core::CallError name>, "detail": ...} that the caller maps back to the
// same core::CallFailure:
//   malformed 400, no-handler 501, rejected 422, unreachable 503, timeout 504.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "backends/http_client.h"
#include "backends/http_router.h"
#include "platform/core/env.h"
#include "platform/core/message.h"
#include "platform/core/node.h"

namespace roost::backends {

inline constexpr std::string_view kCallPath = "/roost/v1/call";
inline constexpr std::string_view kFrameContentType = "application/x-roost-frame";

int http_status_for(core::CallError e);
std::optional<core::CallError> parse_call_error(std::string_view name);
HttpResponse call_failure_response(const core::CallFailure& f);
// What the caller makes of an HTTP exchange with the callee `to`.
core::CallOutcome call_outcome_from(const HttpClientResult& r, std::string_view from, std::string_view to);

// Adds `POST /roost/v1/call` to `router`. `serve` gets the decoded request frame and a Reply whose
// answer becomes the HTTP response; a body that is not a frame is answered 400 (malformed) here.
using ServeCall = std::function<void(core::Frame request, core::Reply reply)>;
void add_call_route(HttpRouter& router, ServeCall serve);

struct CallRoute {
  std::string source_address;  // the caller's own address on the network ("" = any)
  std::string address;         // the callee's address on that network
  std::uint16_t port = 0;
};

// Sends `request` from `from` to `to`; `done` runs exactly once (asynchronously) with the reply
// envelope or a CallFailure.
void send_call(HttpClient& http, const CallRoute& route, const std::string& from, const std::string& to,
               const core::Envelope& request, core::Duration timeout, std::function<void(core::CallOutcome)> done);

}  // namespace roost::backends
