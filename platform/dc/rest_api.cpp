#include "platform/dc/rest_api.h"

#include <optional>
#include <stdexcept>
#include <string>

#include "platform/dc/dc_manager.h"

namespace roost::dc {
namespace {

using core::HttpRequest;
using core::HttpRespond;
using core::HttpResponse;

std::string error_code(int status) {
  switch (status) {
    case 400: return "invalid-argument";
    case 404: return "not-found";
    case 409: return "conflict";
    case 413: return "body-too-large";
    default: return status >= 500 ? "internal-error" : "error";
  }
}

HttpResponse error_response(const DcError& e) { return HttpResponse::error(e.http_status, error_code(e.http_status), e.message); }
HttpResponse bad_request(const std::string& detail) { return HttpResponse::error(400, "invalid-argument", detail); }

std::optional<nlohmann::json> json_object_body(const HttpRequest& req, const HttpRespond& respond) {
  if (req.body.size() > DcRestApi::kMaxBodyBytes) {
    respond(HttpResponse::error(413, "body-too-large", "the body has " + std::to_string(req.body.size()) +
                                                           " bytes; at most " + std::to_string(DcRestApi::kMaxBodyBytes) + " are accepted"));
    return std::nullopt;
  }
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    respond(bad_request("the request has no body; a JSON object is expected"));
    return std::nullopt;
  }
  try {
    auto j = nlohmann::json::parse(req.body);
    if (!j.is_object()) {
      respond(bad_request(std::string("the body must be a JSON object, not ") + j.type_name()));
      return std::nullopt;
    }
    return j;
  } catch (const nlohmann::json::parse_error& e) {
    respond(bad_request("the body is not valid JSON: " + core::json_error_text(e.what())));
    return std::nullopt;
  }
}

std::string ref_param(const HttpRequest& req) { return core::url_decode(req.params.at("ref")); }

HttpResponse subcloud_not_found(const std::string& ref) {
  return HttpResponse::error(404, "not-found", "subcloud '" + ref + "' not found (give a name or an id)");
}
HttpResponse group_not_found(const std::string& ref) {
  return HttpResponse::error(404, "not-found", "subcloud group '" + ref + "' not found (give a name or an id)");
}

nlohmann::json subcloud_list(const std::vector<const Subcloud*>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const Subcloud* s : v) a.push_back(to_json(*s, false));
  return {{"subclouds", std::move(a)}};
}

}  // namespace

void DcRestApi::add_routes(core::HttpRouter& router) {
  router.add("GET", "/v1.0/subclouds", this, &DcRestApi::list_subclouds);
  router.add("POST", "/v1.0/subclouds", this, &DcRestApi::add_subcloud);
  router.add("GET", "/v1.0/subclouds/{ref}", this, &DcRestApi::get_subcloud);
  router.add("GET", "/v1.0/subclouds/{ref}/detail", this, &DcRestApi::get_subcloud_detail);
  router.add("PATCH", "/v1.0/subclouds/{ref}", this, &DcRestApi::patch_subcloud);
  router.add("DELETE", "/v1.0/subclouds/{ref}", this, &DcRestApi::delete_subcloud);
  router.add("GET", "/v1.0/alarms", this, &DcRestApi::list_alarms);
  router.add("GET", "/v1.0/subcloud-groups", this, &DcRestApi::list_groups);
  router.add("POST", "/v1.0/subcloud-groups", this, &DcRestApi::add_group);
  router.add("GET", "/v1.0/subcloud-groups/{ref}", this, &DcRestApi::get_group);
  router.add("PATCH", "/v1.0/subcloud-groups/{ref}", this, &DcRestApi::patch_group);
  router.add("DELETE", "/v1.0/subcloud-groups/{ref}", this, &DcRestApi::delete_group);
  router.add("GET", "/v1.0/subcloud-groups/{ref}/subclouds", this, &DcRestApi::group_subclouds);
}

void DcRestApi::list_subclouds(const HttpRequest&, const HttpRespond& respond) {
  respond(HttpResponse::json(200, subcloud_list(manager_.registry().subclouds())));
}

void DcRestApi::add_subcloud(const HttpRequest& req, const HttpRespond& respond) {
  auto body = json_object_body(req, respond);
  if (!body) return;
  SubcloudInput in;
  try {
    // A subcloud added over REST starts unmanaged, as in StarlingX (manage it once it is online).
    if (!body->contains("management-state") && !body->contains("management_state")) (*body)["management-state"] = "unmanaged";
    in = subcloud_input_from_json(*body);
  } catch (const std::invalid_argument& e) {
    return respond(bad_request(std::string("subcloud: ") + e.what()));
  }
  auto added = manager_.add_subcloud(in);
  if (!added) return respond(error_response(added.error()));
  respond(HttpResponse::json(200, to_json(*added.value(), false)));
}

void DcRestApi::get_subcloud(const HttpRequest& req, const HttpRespond& respond) {
  const std::string ref = ref_param(req);
  const Subcloud* s = manager_.registry().find(ref);
  if (!s) return respond(subcloud_not_found(ref));
  respond(HttpResponse::json(200, to_json(*s, false)));
}

void DcRestApi::get_subcloud_detail(const HttpRequest& req, const HttpRespond& respond) {
  const std::string ref = ref_param(req);
  const Subcloud* s = manager_.registry().find(ref);
  if (!s) return respond(subcloud_not_found(ref));
  respond(HttpResponse::json(200, to_json(*s, true)));
}

void DcRestApi::patch_subcloud(const HttpRequest& req, const HttpRespond& respond) {
  const std::string ref = ref_param(req);
  const Subcloud* s = manager_.registry().find(ref);
  if (!s) return respond(subcloud_not_found(ref));
  auto body = json_object_body(req, respond);
  if (!body) return;
  if (body->empty()) return respond(bad_request("nothing to change: give management-state, group_id, description or location"));
  // Check every key before changing anything: a PATCH applies whole or not at all (the management-state
  // rules, checked last, are the one part that can still refuse).
  std::optional<ManagementState> state;
  std::optional<std::string> group, description, location;
  for (const auto& [key, v] : body->items()) {
    if (key == "management-state" || key == "management_state") {
      const auto m = v.is_string() ? parse_management_state(v.get<std::string>()) : std::nullopt;
      if (!m) return respond(bad_request(key + ": must be managed or unmanaged"));
      state = m;
    } else if (key == "group_id" || key == "group-id" || key == "group") {
      if (v.is_number_integer()) group = std::to_string(v.get<std::int64_t>());
      else if (v.is_string() && !v.get<std::string>().empty()) group = v.get<std::string>();
      else return respond(bad_request(key + ": must be a group id or name"));
      if (!manager_.registry().find_group(*group)) return respond(bad_request(key + ": no subcloud group '" + *group + "'"));
    } else if (key == "description" || key == "location") {
      if (!v.is_string()) return respond(bad_request(key + ": must be a string"));
      if (v.get<std::string>().size() > 255) return respond(bad_request(key + ": at most 255 characters"));
      (key == "description" ? description : location) = v.get<std::string>();
    } else {
      return respond(bad_request(key + ": cannot be changed (management-state, group_id, description, location)"));
    }
  }
  const std::uint64_t id = s->id;
  const std::string id_ref = std::to_string(id);
  if (state) {
    auto r = manager_.set_management(id_ref, *state);
    if (!r) return respond(error_response(r.error()));
  }
  if (group) {
    auto r = manager_.set_group(id_ref, *group);
    if (!r) return respond(error_response(r.error()));
  }
  if (description) manager_.set_text(id_ref, "description", *description);
  if (location) manager_.set_text(id_ref, "location", *location);
  respond(HttpResponse::json(200, to_json(*manager_.registry().by_id(id), false)));
}

void DcRestApi::delete_subcloud(const HttpRequest& req, const HttpRespond& respond) {
  auto r = manager_.delete_subcloud(ref_param(req));
  if (!r) return respond(error_response(r.error()));
  respond(HttpResponse{204, "application/json", "", {}});
}

void DcRestApi::list_alarms(const HttpRequest&, const HttpRespond& respond) {
  nlohmann::json a = nlohmann::json::array();
  for (const Subcloud* s : manager_.registry().subclouds()) {
    nlohmann::json row = alarm_summary_json(s->alarms);
    row["name"] = s->name;
    row["region-name"] = s->region_name;
    a.push_back(std::move(row));
  }
  respond(HttpResponse::json(200, {{"alarm_summary", std::move(a)}}));
}

void DcRestApi::list_groups(const HttpRequest&, const HttpRespond& respond) {
  nlohmann::json a = nlohmann::json::array();
  for (const SubcloudGroup* g : manager_.registry().groups()) a.push_back(to_json(*g));
  respond(HttpResponse::json(200, {{"subcloud_groups", std::move(a)}}));
}

void DcRestApi::add_group(const HttpRequest& req, const HttpRespond& respond) {
  auto body = json_object_body(req, respond);
  if (!body) return;
  GroupInput in;
  try {
    in = group_input_from_json(*body, true);
  } catch (const std::invalid_argument& e) {
    return respond(bad_request(std::string("subcloud group: ") + e.what()));
  }
  auto added = manager_.add_group(in);
  if (!added) return respond(error_response(added.error()));
  respond(HttpResponse::json(200, to_json(*added.value())));
}

void DcRestApi::get_group(const HttpRequest& req, const HttpRespond& respond) {
  const std::string ref = ref_param(req);
  const SubcloudGroup* g = manager_.registry().find_group(ref);
  if (!g) return respond(group_not_found(ref));
  respond(HttpResponse::json(200, to_json(*g)));
}

void DcRestApi::patch_group(const HttpRequest& req, const HttpRespond& respond) {
  const std::string ref = ref_param(req);
  if (!manager_.registry().find_group(ref)) return respond(group_not_found(ref));
  auto body = json_object_body(req, respond);
  if (!body) return;
  if (body->empty())
    return respond(bad_request("nothing to change: give name, description, update_apply_type or max_parallel_subclouds"));
  GroupInput in;
  try {
    in = group_input_from_json(*body, false);
  } catch (const std::invalid_argument& e) {
    return respond(bad_request(std::string("subcloud group: ") + e.what()));
  }
  auto r = manager_.update_group(ref, in);
  if (!r) return respond(error_response(r.error()));
  respond(HttpResponse::json(200, to_json(*r.value())));
}

void DcRestApi::delete_group(const HttpRequest& req, const HttpRespond& respond) {
  auto r = manager_.delete_group(ref_param(req));
  if (!r) return respond(error_response(r.error()));
  respond(HttpResponse{204, "application/json", "", {}});
}

void DcRestApi::group_subclouds(const HttpRequest& req, const HttpRespond& respond) {
  const std::string ref = ref_param(req);
  const SubcloudGroup* g = manager_.registry().find_group(ref);
  if (!g) return respond(group_not_found(ref));
  respond(HttpResponse::json(200, subcloud_list(manager_.registry().members(g->id))));
}

}  // namespace roost::dc
