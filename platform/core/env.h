// Env: everything a node may know of the world, and the only way it may act on it.
// LevelDB's Env, for a distributed system: the real runtime implements it over Boost.Asio and UDP/HTTP,
// the simulation over SimGrid. Management logic under platform/ sees nothing else.
//
// Guarantees every runtime gives:
// - one node is single-threaded: no two callbacks of one node ever run at once;
// - a timer or call callback never runs after the node is gone (crashed, stopped);
// - every call's `done` runs exactly once while the node lives: with the reply, or a CallFailure
//   (timeout, peer unreachable, no handler, rejected);
// - datagrams may be lost, delayed, duplicated or reordered; they are never corrupted.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "platform/core/log.h"
#include "platform/core/message.h"
#include "platform/core/network.h"
#include "platform/core/rng.h"
#include "platform/core/time.h"

namespace roost::core {

using TimerId = std::uint64_t;

enum class CallError : std::uint8_t {
  Timeout,      // no reply within the caller's timeout
  Unreachable,  // no route / connection refused / the peer or the network is down
  NoHandler,    // the peer runs no service for this request type
  Rejected,     // the peer's handler answered with an error
  Malformed,    // the request or the reply did not decode
};

std::string_view to_string(CallError e);

struct CallFailure {
  CallError code = CallError::Timeout;
  std::string detail;
};

using CallOutcome = std::variant<Envelope, CallFailure>;

class Env {
 public:
  virtual ~Env() = default;

  virtual const std::string& node_name() const = 0;

  virtual TimePoint now() const = 0;
  // Runs fn once, d from now (d <= 0: as soon as possible, after the current callback).
  virtual TimerId after(Duration d, std::function<void()> fn) = 0;
  // Cancelling a timer that already ran, or an unknown id, is harmless.
  virtual void cancel(TimerId id) = 0;

  // Lossy datagram to node `to` over network `net`.
  virtual void send(const std::string& to, Network net, Envelope msg) = 0;
  // Request with one reply (or failure) within `timeout`.
  virtual void call(const std::string& to, Network net, Envelope request, Duration timeout,
                    std::function<void(CallOutcome)> done) = 0;

  virtual Rng& rng() = 0;
  virtual Logger& log() = 0;
};

}  // namespace roost::core
