// Checks a SimConfig before anything runs, so that a bad scenario fails with a message naming the bad
// item instead of misbehaving in the middle of a run.
#pragma once

#include "platform/core/node.h"
#include "sim/config.h"

namespace roost::sim {

// Fills in what a config may leave implicit (a node's site is the site that lists it), then throws
// std::invalid_argument naming the first problem: empty or duplicate site/node names, a node whose spec
// names another site, unknown roles, bad link figures, a floating name that is empty, "sim", a node's
// name or listed twice in its site, faults naming unknown nodes/sites or missing
// their required fields, a non-positive duration. Finally builds every node once against an inert Env,
// so that a role's own config errors surface here too (wrapped with the node's name).
void normalize_and_validate(SimConfig& config, const core::RoleRegistry& roles);

}  // namespace roost::sim
