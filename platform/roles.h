// Every node role Roost ships, by name. Both runtimes (roostd and the simulation) build nodes from here,
// which is what makes "the same logic on both runtimes" true by construction.
#pragma once

#include "platform/core/node.h"

namespace roost::platform {

const core::RoleRegistry& roles();

}  // namespace roost::platform
