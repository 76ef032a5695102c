// The machine a simulated node has when its scenario gives it no "inventory": a small, plausible server
// derived from the node's name and networks only, so every run (and every node) gets the same one.
//   1 socket x 4 cores x 2 threads (Linux numbering: cpu0-3 first threads, cpu4-7 their siblings),
//   16 GiB in one NUMA node (12 GiB free), one 480 GB SSD /dev/sda, and one 10 Gb/s port per network
//   the node is attached to (eth0, eth1, ... in the node's network order) whose MAC is a locally
//   administered address hashed from the node's name and the network's name.
#pragma once

#include "platform/core/machine.h"
#include "sim/config.h"

namespace roost::sim {

core::MachineInventory default_machine_inventory(const SimNodeSpec& node);

// What the node reports: the scenario's inventory (its hostname defaulting to the node's name) or the
// default above.
core::MachineInventory machine_inventory_of(const SimNodeSpec& node);

}  // namespace roost::sim
