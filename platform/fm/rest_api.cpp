#include "platform/fm/rest_api.h"

#include <string>

#include "platform/fm/rest_json.h"

namespace roost::fm {
namespace {

using core::HttpRequest;
using core::HttpRespond;
using core::HttpResponse;

HttpResponse raw_json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Parses the body as JSON, enforcing the size cap; on failure answers and returns false.
bool parse_body(const HttpRequest& req, const HttpRespond& respond, nlohmann::json& out) {
  if (req.body.size() > RestApi::kMaxBodyBytes) {
    respond(HttpResponse::error(413, "body-too-large",
                                "the body has " + std::to_string(req.body.size()) + " bytes; at most " +
                                    std::to_string(RestApi::kMaxBodyBytes) + " are accepted"));
    return false;
  }
  if (req.body.empty()) {
    respond(HttpResponse::error(400, "invalid-argument", "the request has no body; a JSON object is expected"));
    return false;
  }
  out = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    respond(HttpResponse::error(400, "invalid-argument", "the body is not valid JSON"));
    return false;
  }
  return true;
}

std::optional<bool> flag(const core::HttpRequest& req, std::string_view key, std::string& error) {
  for (const auto& [k, v] : core::parse_query(req.query)) {
    if (k != key) continue;
    if (v == "true" || v == "True" || v == "1" || v.empty()) return true;
    if (v == "false" || v == "False" || v == "0") return false;
    error = std::string(key) + ": \"" + v + "\" is not a boolean (true or false)";
    return std::nullopt;
  }
  return false;
}

}  // namespace

int http_status(const Error& e, int invalid_status) {
  switch (e.code) {
    case ErrorCode::InvalidArgument: return invalid_status;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::StoreFailed: return 500;
  }
  return 500;
}

HttpResponse error_response(const Error& e, int invalid_status) {
  return HttpResponse::error(http_status(e, invalid_status), to_string(e.code), e.message);
}

std::shared_ptr<RestApi> RestApi::create(FaultManager& fm, StampSource stamp) {
  return std::shared_ptr<RestApi>(new RestApi(fm, std::move(stamp)));
}

std::shared_ptr<core::HttpRouter> RestApi::router() {
  auto r = std::make_shared<core::HttpRouter>();
  using Member = void (RestApi::*)(const HttpRequest&, HttpRespond);
  auto route = [&](const char* method, const char* pattern, Member m) {
    r->add(method, pattern, [weak = weak_from_this(), m](const HttpRequest& req, HttpRespond respond) {
      auto self = weak.lock();
      if (!self) return respond(HttpResponse::error(503, "unavailable", "the fault manager is stopping"));
      ((*self).*m)(req, std::move(respond));
    });
  };
  // Literal routes before "{uuid}" ones: the router tries routes in order.
  route("GET", "/v1/alarms/summary", &RestApi::summary);
  route("GET", "/v1/alarms", &RestApi::list_alarms);
  route("POST", "/v1/alarms", &RestApi::post_alarm);
  route("GET", "/v1/alarms/{uuid}", &RestApi::get_alarm);
  route("DELETE", "/v1/alarms/{uuid}", &RestApi::delete_alarm);
  route("GET", "/v1/event_log", &RestApi::list_events);
  route("GET", "/v1/event_log/{uuid}", &RestApi::get_event);
  route("GET", "/v1/event_suppression", &RestApi::list_suppressions);
  route("PATCH", "/v1/event_suppression/{uuid}", &RestApi::patch_suppression);
  return r;
}

void RestApi::list_alarms(const HttpRequest& req, HttpRespond respond) {
  auto query = AlarmQuery::from_params(core::parse_query(req.query));
  if (!query) return respond(error_response(query.error()));
  auto page = fm_.list(query.value());
  if (!page) return respond(error_response(page.error()));
  std::string body = "{\"alarms\":[";
  body.reserve(64 + page->alarms.size() * 700);
  bool first = true;
  for (const auto& a : page->alarms) {
    if (!first) body += ',';
    first = false;
    append_rest_json(body, a);
  }
  body += "],\"next_marker\":";
  append_json_string(body, page->next_marker);
  body += '}';
  respond(raw_json(200, std::move(body)));
}

void RestApi::post_alarm(const HttpRequest& req, HttpRespond respond) {
  nlohmann::json body;
  if (!parse_body(req, respond, body)) return;
  auto alarm = alarm_from_rest_json(body);
  if (!alarm) return respond(error_response(alarm.error(), 400));
  const bool is_log = alarm->state == AlarmState::Msg || alarm->state == AlarmState::Log;
  // A well-formed alarm FM refuses (unknown id, severity not allowed...) is 422; the ack answers once
  // the change is durable, or at once for a refusal.
  fm_.set(std::move(alarm.value()), stamp_(), {},
          [weak = weak_from_this(), respond, is_log](const Outcome<SetResult>& r) {
            if (!r) return respond(error_response(r.error(), 422));
            auto self = weak.lock();
            std::string out;
            if (!is_log && self) {
              if (auto v = self->fm_.find(r->uuid)) append_rest_json(out, *v);
            } else if (self) {
              if (auto e = self->fm_.find_event(r->uuid)) append_rest_json(out, *e);
            }
            if (out.empty())  // cleared again before this answer: say what was done
              out = nlohmann::json{{"uuid", r->uuid}, {"action", std::string(to_string(r->action))}}.dump();
            respond(raw_json(r->action == SetResult::Action::Updated ? 200 : 201, std::move(out)));
          });
}

void RestApi::summary(const HttpRequest& req, HttpRespond respond) {
  std::string err;
  auto include = flag(req, "include_suppress", err);
  if (!include) return respond(HttpResponse::error(400, "invalid-argument", err));
  respond(HttpResponse::json(200, rest_json(fm_.summary(*include))));
}

void RestApi::get_alarm(const HttpRequest& req, HttpRespond respond) {
  const auto& uuid = req.params.at("uuid");
  auto v = fm_.find(uuid);
  if (!v || v->masked) return respond(HttpResponse::error(404, "not-found", "no active alarm with uuid " + uuid));
  std::string out;
  append_rest_json(out, *v);
  respond(raw_json(200, std::move(out)));
}

void RestApi::delete_alarm(const HttpRequest& req, HttpRespond respond) {
  fm_.clear_uuid(req.params.at("uuid"), stamp_(), [respond](const Outcome<ClearResult>& r) {
    if (!r) return respond(error_response(r.error()));
    HttpResponse res;
    res.status = 204;
    respond(std::move(res));
  });
}

void RestApi::list_events(const HttpRequest& req, HttpRespond respond) {
  auto query = EventQuery::from_params(core::parse_query(req.query));
  if (!query) return respond(error_response(query.error()));
  auto page = fm_.events(query.value());
  if (!page) return respond(error_response(page.error()));
  std::string body = "{\"event_logs\":[";
  body.reserve(64 + page->events.size() * 600);
  bool first = true;
  for (const auto& e : page->events) {
    if (!first) body += ',';
    first = false;
    append_rest_json(body, e);
  }
  body += "],\"next_marker\":";
  append_json_string(body, page->next_marker);
  body += '}';
  respond(raw_json(200, std::move(body)));
}

void RestApi::get_event(const HttpRequest& req, HttpRespond respond) {
  const auto& uuid = req.params.at("uuid");
  auto e = fm_.find_event(uuid);
  if (!e) return respond(HttpResponse::error(404, "not-found", "no event log row with uuid " + uuid));
  std::string out;
  append_rest_json(out, *e);
  respond(raw_json(200, std::move(out)));
}

void RestApi::list_suppressions(const HttpRequest&, HttpRespond respond) {
  auto rows = nlohmann::json::array();
  for (const auto& s : fm_.suppressions()) rows.push_back(rest_json(s));
  respond(HttpResponse::json(200, {{"event_suppression", std::move(rows)}}));
}

void RestApi::patch_suppression(const HttpRequest& req, HttpRespond respond) {
  const auto& id = req.params.at("uuid");
  const auto row = fm_.find_suppression(id);
  if (!row) return respond(HttpResponse::error(404, "not-found", "no event suppression row with uuid or alarm id " + id));
  nlohmann::json body;
  if (!parse_body(req, respond, body)) return;
  auto suppressed = suppression_from_rest_json(body);
  if (!suppressed) return respond(error_response(suppressed.error(), 400));
  if (suppressed.value() && !row->suppressible)
    return respond(HttpResponse::error(409, "conflict",
                                       "alarm " + row->alarm_id + " may not be suppressed (the catalogue says so)"));
  fm_.set_suppression(id, suppressed.value(), [respond](const Outcome<SuppressionView>& r) {
    if (!r) return respond(error_response(r.error(), 409));
    respond(HttpResponse::json(200, rest_json(r.value())));
  });
}

}  // namespace roost::fm
