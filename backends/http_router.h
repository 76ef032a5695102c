// HTTP as the rest of the real runtime sees it: the plain request/response/router types of
// platform/core/http.h (sans-I/O, shared with platform nodes that serve HTTP APIs). Nothing here
// includes Beast (which costs ~15 s and ~800 MB per translation unit): only http_server.cpp and
// http_client.cpp do. The node-to-node call endpoint is one route; the REST APIs (/v1/alarms, ...)
// are served by nodes through Env::serve_http on listeners of their own.
#pragma once

#include "platform/core/http.h"

namespace roost::backends {

using core::HttpHandler;
using core::HttpRequest;
using core::HttpRespond;
using core::HttpResponse;
using core::HttpRouter;
using core::split_target;

}  // namespace roost::backends
