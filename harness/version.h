// Versions reported by `roost version` and written into every result.json.
#pragma once

#include <string>

namespace roost::harness {

std::string roost_version();    // the CMake project version
std::string simgrid_version();  // of the SimGrid library actually loaded, e.g. "3.32.0"

}  // namespace roost::harness
