#include "backends/call_transport.h"

namespace roost::backends {
namespace {

using core::CallError;
using core::CallFailure;

constexpr CallError kAllErrors[] = {CallError::Timeout, CallError::Unreachable, CallError::NoHandler,
                                    CallError::Rejected, CallError::Malformed};

// A non-200 answer without our JSON error body (a proxy, or something that is not roostd).
CallError error_for_status(int status) {
  switch (status) {
    case 400: return CallError::Malformed;
    case 404: return CallError::Unreachable;  // no call endpoint there: not a Roost node
    case 501: return CallError::NoHandler;
    case 502:
    case 503: return CallError::Unreachable;
    case 504: return CallError::Timeout;
    default: return CallError::Rejected;
  }
}

}  // namespace

int http_status_for(CallError e) {
  switch (e) {
    case CallError::Malformed: return 400;
    case CallError::Rejected: return 422;
    case CallError::NoHandler: return 501;
    case CallError::Unreachable: return 503;
    case CallError::Timeout: return 504;
  }
  return 500;
}

std::optional<CallError> parse_call_error(std::string_view name) {
  for (CallError e : kAllErrors)
    if (core::to_string(e) == name) return e;
  return std::nullopt;
}

HttpResponse call_failure_response(const CallFailure& f) {
  return HttpResponse::error(http_status_for(f.code), core::to_string(f.code), f.detail);
}

core::CallOutcome call_outcome_from(const HttpClientResult& r, std::string_view from, std::string_view to) {
  using F = HttpClientResult::Failure;
  switch (r.failure) {
    case F::None: break;
    case F::TimedOut: return CallFailure{CallError::Timeout, r.detail};
    case F::Protocol: return CallFailure{CallError::Malformed, r.detail};
    case F::Refused:
    case F::Unreachable:
    case F::Closed:
    case F::Shutdown: return CallFailure{CallError::Unreachable, r.detail};
  }
  if (r.status != 200) {
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) {
      if (auto e = parse_call_error(j["error"].get<std::string>())) {
        std::string detail = j.contains("detail") && j["detail"].is_string() ? j["detail"].get<std::string>() : "";
        return CallFailure{*e, std::move(detail)};
      }
    }
    return CallFailure{error_for_status(r.status), "HTTP " + std::to_string(r.status) + " from " + std::string(to) +
                                                       (r.body.empty() ? "" : ": " + r.body.substr(0, 200))};
  }
  core::Frame frame;
  if (auto err = core::decode_frame(r.body, frame)) return CallFailure{CallError::Malformed, "reply: " + *err};
  if (frame.from != to || frame.to != from)
    return CallFailure{CallError::Malformed, "reply frame is from '" + frame.from + "' to '" + frame.to + "', expected from '" +
                                                 std::string(to) + "' to '" + std::string(from) + "'"};
  return std::move(frame.envelope);
}

void add_call_route(HttpRouter& router, ServeCall serve) {
  router.add("POST", std::string(kCallPath), [serve = std::move(serve)](const HttpRequest& req, HttpRespond respond) {
    core::Frame frame;
    if (auto err = core::decode_frame(req.body, frame))
      return respond(call_failure_response(CallFailure{CallError::Malformed, "request: " + *err}));
    // The reply frame goes back the other way: from the callee to the caller.
    core::Reply reply([respond, callee = frame.to, caller = frame.from](core::CallOutcome outcome) {
      if (auto* f = std::get_if<CallFailure>(&outcome)) return respond(call_failure_response(*f));
      HttpResponse res;
      res.content_type = std::string(kFrameContentType);
      res.body = core::encode_frame(callee, caller, std::get<core::Envelope>(outcome));
      respond(std::move(res));
    });
    serve(std::move(frame), std::move(reply));
  });
}

void send_call(HttpClient& http, const CallRoute& route, const std::string& from, const std::string& to,
               const core::Envelope& request, core::Duration timeout, std::function<void(core::CallOutcome)> done) {
  HttpClientRequest req;
  req.source_address = route.source_address;
  req.address = route.address;
  req.port = route.port;
  req.method = "POST";
  req.target = std::string(kCallPath);
  req.content_type = std::string(kFrameContentType);
  req.body = core::encode_frame(from, to, request);
  req.timeout = timeout;
  http.request(std::move(req), [from, to, done = std::move(done)](HttpClientResult r) {
    done(call_outcome_from(r, from, to));
  });
}

}  // namespace roost::backends
