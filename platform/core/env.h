// Env: everything a node may know of the world, and the only way it may act on it.
// LevelDB's Env, for a distributed system: the real runtime implements it over Boost.Asio and UDP/HTTP,
// the simulation over SimGrid. Management logic under platform/ sees nothing else.
//
// Guarantees every runtime gives:
// - one node is single-threaded: no two callbacks of one node ever run at once;
// - a timer or call callback never runs after the node is gone (crashed, stopped);
// - every call's `done` runs exactly once while the node lives: with the reply, or a CallFailure
//   (timeout, peer unreachable, no handler, rejected);
// - datagrams may be lost, delayed, duplicated or reordered; they are never corrupted;
// - a hardware completion (hardware.h: a BMC power or sensor operation) runs later, never inside the
//   call that started it, on the node's thread; exactly once if the node and the hardware handle it was
//   started on both live until it completes, and never after either is gone (the runtime wraps it).
//
// Also:
// - wall_time_us(): UTC microseconds, what users see in time stamps. Real runtime: the system clock;
//   simulation: SimConfig::wall_epoch_us + simulated time (deterministic); ManualEnv: settable.
// - resource<T>(): durable things a runtime keeps for a node across its incarnations, the way a disk
//   outlives a crashed process (FM's fm::AlarmStore: SQLite at <data-dir>/<node>/fm.db on the real
//   runtime, a MemoryAlarmStore per node in the simulation). nullptr when the runtime has none: the
//   node must then fail its start with an error naming what is missing.
// - serve_http(): serve an HTTP API (platform/core/http.h) on one of the node's networks at a port,
//   until the incarnation ends. The real runtime binds a listener on the node's address for that
//   network (and throws std::runtime_error naming the address if it cannot); the simulation has no
//   HTTP clients and accepts and ignores it (the default). stop_http() ends one such service early.
// - floating names (claim_floating): a name such as "controller" that is not a node but is answered by
//   whichever node claims it, on every network the name has. send()/call() to a floating name reach the
//   node that holds the claim (Unreachable/lost when none does). The real runtime binds the floating
//   addresses of the roostd config's "floating" entry (datagram socket, call listener and every serve_http
//   router of the node on that network); the simulation keeps a name -> node mapping. A claim ends with
//   release_floating() or with the incarnation. Two nodes claiming one name: the real runtime refuses the
//   second (its bind fails, claim_floating returns false); the simulation does the same.
// - crypto(): pure computations the standard library lacks (HMAC-SHA512), implemented with OpenSSL by
//   both runtimes; platform code may not include OpenSSL itself.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <variant>

#include "platform/core/crypto.h"
#include "platform/core/hardware.h"
#include "platform/core/http.h"
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

  // The hardware this node may drive (BMCs, ...). The default, for runtimes without hardware: every
  // operation fails with BmcErrorCode::Unsupported "this runtime has no hardware access".
  virtual HardwareAccess& hardware();

  // UTC microseconds since the Unix epoch (see the header comment for what each runtime gives).
  virtual std::int64_t wall_time_us() const = 0;

  // The durable resource of type `type` the runtime keeps for this node, or nullptr if it has none.
  // Use the typed helper: env.resource<fm::AlarmStore>().
  virtual std::shared_ptr<void> resource(std::type_index type) {
    (void)type;
    return nullptr;
  }
  template <class T>
  std::shared_ptr<T> resource() {
    return std::static_pointer_cast<T>(resource(std::type_index(typeid(T))));
  }

  // Reboots this node's machine: the node goes down (as in a crash) after the current callback and a new
  // incarnation starts after the machine's boot time. The simulation: the node's boot_time (or its BMC
  // twin's boot distribution); the real runtime: the node's "reboot_s" in the roostd config (it restarts
  // the node's incarnation in the process; roostd never reboots the machine it runs on). Returns false,
  // doing nothing, on a runtime that cannot (the default).
  virtual bool reboot(std::string_view reason) {
    (void)reason;
    return false;
  }

  // Serves `router` on this node's address on `net` at `port` for the rest of this incarnation.
  // Default (the simulation): accepted and ignored.
  virtual void serve_http(Network net, std::uint16_t port, std::shared_ptr<const HttpRouter> router) {
    (void)net, (void)port, (void)router;
  }
  // Stops serving what serve_http(net, port, ...) started (and its floating copies). Unknown: harmless.
  virtual void stop_http(Network net, std::uint16_t port) { (void)net, (void)port; }

  // Floating names (see the header comment). claim_floating returns false when the name is unknown to the
  // runtime or another node holds it (the real runtime: binding a floating address failed; logged).
  // Claiming a name this node already holds returns true and changes nothing.
  virtual bool claim_floating(const std::string& name) {
    (void)name;
    return false;
  }
  virtual void release_floating(const std::string& name) { (void)name; }

  // HMAC and friends. The default throws std::logic_error naming the runtime's omission.
  virtual const Crypto& crypto() const;

 private:
  std::unique_ptr<HardwareAccess> no_hardware_;  // built on first use by the default hardware()
};

}  // namespace roost::core
