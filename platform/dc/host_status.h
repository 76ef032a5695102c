// How a subcloud's controller answers its dc-agent's HostStatusRequest (messages.h). Header-only, so the
// controller's library needs only this header and not roost_dc.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "platform/core/node.h"
#include "platform/dc/messages.h"

namespace roost::dc {

// Registers the handler on `node`: each request is answered with what `hosts` returns at that time.
inline void serve_host_status(core::Node& node, std::function<std::vector<HostStatus>()> hosts) {
  node.on_call<HostStatusRequest>(
      [hosts = std::move(hosts)](const core::Peer&, const HostStatusRequest&, core::Responder<HostStatusReply> reply) {
        reply(HostStatusReply{hosts()});
      });
}

}  // namespace roost::dc
