// How transports (UDP sockets, HTTP listeners and clients) report what they see, without knowing
// where logs go: the runtime hands them a function that writes to its LogSink.
#pragma once

#include <functional>
#include <string_view>

#include "platform/core/log.h"

namespace roost::backends {

using TransportLog = std::function<void(core::LogLevel, std::string_view event, core::LogFields)>;

}  // namespace roost::backends
