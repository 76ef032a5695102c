// Counters of what the real runtime's transports did, for tests, logs and benchmarks.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace roost::backends {

struct RuntimeStats {
  std::uint64_t datagrams_sent = 0;
  std::uint64_t datagrams_delivered = 0;     // handed to a hosted node
  std::uint64_t datagrams_malformed = 0;     // not a frame: ignored
  std::uint64_t datagrams_misaddressed = 0;  // a frame for a node that is not at that address
  std::uint64_t datagrams_undeliverable = 0; // unknown destination, or no address on that network
  std::uint64_t datagram_send_errors = 0;    // the kernel refused the datagram
  std::uint64_t calls_sent = 0;
  std::uint64_t calls_failed = 0;  // completed with a CallFailure, as the caller saw it
  std::uint64_t calls_served = 0;
  std::uint64_t call_connections_opened = 0;  // HTTP connections the callers opened (keep-alive reuses them)
  std::uint64_t node_crashes = 0;  // a node's code threw

  nlohmann::json to_json() const {
    return {{"datagrams_sent", datagrams_sent},
            {"datagrams_delivered", datagrams_delivered},
            {"datagrams_malformed", datagrams_malformed},
            {"datagrams_misaddressed", datagrams_misaddressed},
            {"datagrams_undeliverable", datagrams_undeliverable},
            {"datagram_send_errors", datagram_send_errors},
            {"calls_sent", calls_sent},
            {"calls_failed", calls_failed},
            {"calls_served", calls_served},
            {"call_connections_opened", call_connections_opened},
            {"node_crashes", node_crashes}};
  }
};

}  // namespace roost::backends
