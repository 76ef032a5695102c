// FM's REST API (StarlingX fm-rest-api shape), sans-I/O: HTTP request in, FaultManager, HTTP response
// out. The FM node serves it through Env::serve_http; tests can dispatch requests straight into it.
//
//   GET    /v1/alarms                 q.field/q.op/q.value, limit, marker, sort_key, sort_dir, include_suppress
//   POST   /v1/alarms                 raise (or update) an alarm, or write a log; 201 once durable
//   GET    /v1/alarms/summary         include_suppress
//   GET    /v1/alarms/{uuid}          404 for an unknown or masked alarm
//   DELETE /v1/alarms/{uuid}          clear it; 204 once durable
//   GET    /v1/event_log              filters, start, end, alarms, logs, limit, marker, sort_key, sort_dir
//   GET    /v1/event_log/{uuid}
//   GET    /v1/event_suppression
//   PATCH  /v1/event_suppression/{uuid}  {"suppression_status": "suppressed"|"unsuppressed"} (or JSON patch)
//
// Errors are {"error": code, "detail": what}: 400 malformed request (bad JSON, unknown field, bad
// filter), 404 no such resource or route, 405 wrong method, 409 the change conflicts with the
// catalogue (suppressing an unsuppressible id), 413 body over kMaxBodyBytes, 422 a well-formed alarm FM
// refuses (unknown alarm id, severity the catalogue does not allow, ...), 500 the store failed (nothing
// of the change is kept), 503 the fault manager is gone (the node is stopping).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "platform/core/http.h"
#include "platform/fm/alarm.h"
#include "platform/fm/fault_manager.h"

namespace roost::fm {

class RestApi : public std::enable_shared_from_this<RestApi> {
 public:
  using StampSource = std::function<Stamp()>;  // when a change happens: the node's (now, wall time)
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;

  // `fm` must outlive the RestApi; routes built by router() answer 503 once the RestApi is gone.
  static std::shared_ptr<RestApi> create(FaultManager& fm, StampSource stamp);

  // A router with every route above. Its handlers hold the RestApi weakly.
  std::shared_ptr<core::HttpRouter> router();

  // The handlers (public for direct tests).
  void list_alarms(const core::HttpRequest& req, core::HttpRespond respond);
  void post_alarm(const core::HttpRequest& req, core::HttpRespond respond);
  void summary(const core::HttpRequest& req, core::HttpRespond respond);
  void get_alarm(const core::HttpRequest& req, core::HttpRespond respond);
  void delete_alarm(const core::HttpRequest& req, core::HttpRespond respond);
  void list_events(const core::HttpRequest& req, core::HttpRespond respond);
  void get_event(const core::HttpRequest& req, core::HttpRespond respond);
  void list_suppressions(const core::HttpRequest& req, core::HttpRespond respond);
  void patch_suppression(const core::HttpRequest& req, core::HttpRespond respond);

 private:
  RestApi(FaultManager& fm, StampSource stamp) : fm_(fm), stamp_(std::move(stamp)) {}
  FaultManager& fm_;
  StampSource stamp_;
};

// The HTTP status for an FM error: InvalidArgument 400 (or `invalid_status`), NotFound 404, StoreFailed 500.
int http_status(const Error& e, int invalid_status = 400);
core::HttpResponse error_response(const Error& e, int invalid_status = 400);

}  // namespace roost::fm
