// What the REST API (and the CLI behind it) asks of maintenance: take a lifecycle action on a host.
// Implemented by platform/mtce/host_maintenance: it checks lifecycle.h's rules, then starts the action.
#pragma once

#include <string_view>

#include "platform/inv/host.h"
#include "platform/inv/inventory.h"
#include "platform/inv/lifecycle.h"

namespace roost::inv {

class HostActions {
 public:
  virtual ~HostActions() = default;
  // The host as it is right after the action started (e.g. locked-disabled-online; task "Rebooting"),
  // or the refusal. Delete answers the deleted host.
  virtual Outcome<Host> perform(std::string_view ref, HostAction action) = 0;
};

}  // namespace roost::inv
