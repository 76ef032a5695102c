// Random (version 4) UUIDs drawn from the node's seeded RNG, so a simulated run names its alarms
// identically every time.
#pragma once

#include <string>
#include <string_view>

#include "platform/core/rng.h"

namespace roost::fm {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower-case hex, 36 characters.
std::string make_uuid(core::Rng& rng);
bool is_uuid(std::string_view s);

}  // namespace roost::fm
