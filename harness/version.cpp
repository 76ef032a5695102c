#include "harness/version.h"

#include <xbt/base.h>  // simgrid/version.h needs its macros
#include <simgrid/version.h>

#ifndef ROOST_VERSION
#error "ROOST_VERSION must be defined by the build (harness/CMakeLists.txt)"
#endif

namespace roost::harness {

std::string roost_version() { return ROOST_VERSION; }

std::string simgrid_version() {
  int major = 0, minor = 0, patch = 0;
  sg_version_get(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace roost::harness
