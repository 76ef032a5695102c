// The dc-manager's REST API (StarlingX dcmanager's paths and JSON shapes, port 8119 by default), sans-I/O:
// HTTP request in, DcManager operation, HTTP response out. docs/dc.md is the reference.
//
//   GET    /v1.0/subclouds                          {"subclouds": [...]}
//   POST   /v1.0/subclouds                          add: 200 + the subcloud
//   GET    /v1.0/subclouds/{ref}                    ref = id or name
//   GET    /v1.0/subclouds/{ref}/detail             + endpoint_sync_status, alarm_summary
//   PATCH  /v1.0/subclouds/{ref}                    management-state, group_id, description, location
//   DELETE /v1.0/subclouds/{ref}                    204
//   GET    /v1.0/alarms                             {"alarm_summary": [...]}
//   GET    /v1.0/subcloud-groups                    {"subcloud_groups": [...]}
//   POST   /v1.0/subcloud-groups                    200 + the group
//   GET    /v1.0/subcloud-groups/{ref}
//   PATCH  /v1.0/subcloud-groups/{ref}
//   DELETE /v1.0/subcloud-groups/{ref}              204
//   GET    /v1.0/subcloud-groups/{ref}/subclouds    {"subclouds": [...]}
//
// Errors: core::HttpResponse::error's {"error": code, "detail": what}, 400/404/409/413.
#pragma once

#include <cstddef>

#include "platform/core/http.h"

namespace roost::dc {

class DcManager;

class DcRestApi {
 public:
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;

  // `manager` must outlive the routes (the node stops serving before it is destroyed).
  explicit DcRestApi(DcManager& manager) : manager_(manager) {}
  void add_routes(core::HttpRouter& router);

  void list_subclouds(const core::HttpRequest& req, const core::HttpRespond& respond);
  void add_subcloud(const core::HttpRequest& req, const core::HttpRespond& respond);
  void get_subcloud(const core::HttpRequest& req, const core::HttpRespond& respond);
  void get_subcloud_detail(const core::HttpRequest& req, const core::HttpRespond& respond);
  void patch_subcloud(const core::HttpRequest& req, const core::HttpRespond& respond);
  void delete_subcloud(const core::HttpRequest& req, const core::HttpRespond& respond);
  void list_alarms(const core::HttpRequest& req, const core::HttpRespond& respond);
  void list_groups(const core::HttpRequest& req, const core::HttpRespond& respond);
  void add_group(const core::HttpRequest& req, const core::HttpRespond& respond);
  void get_group(const core::HttpRequest& req, const core::HttpRespond& respond);
  void patch_group(const core::HttpRequest& req, const core::HttpRespond& respond);
  void delete_group(const core::HttpRequest& req, const core::HttpRespond& respond);
  void group_subclouds(const core::HttpRequest& req, const core::HttpRespond& respond);

 private:
  DcManager& manager_;
};

}  // namespace roost::dc
