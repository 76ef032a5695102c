// Small node roles that exist only for the simulation tests (message type ids 0x7fxx). Each reports what
// it observes through its log, which the tests read back from the trace.
#pragma once

#include <cstdint>
#include <string>

#include "platform/core/node.h"

namespace roost::sim::testing {

struct Echo {
  static constexpr core::MessageTypeId kType = 0x7f01;
  static constexpr std::string_view kName = "test.echo";
  std::uint64_t n = 0;
  std::string pad;  // makes a request as large as a test wants
  template <class V>
  void visit(V& v) { v("n", n); v("pad", pad); }
  struct Response;
};
struct Echo::Response {
  static constexpr core::MessageTypeId kType = 0x7f02;
  static constexpr std::string_view kName = "test.echo_reply";
  std::uint64_t n = 0;
  template <class V>
  void visit(V& v) { v("n", n); }
};

struct Blip {
  static constexpr core::MessageTypeId kType = 0x7f03;
  static constexpr std::string_view kName = "test.blip";
  std::uint64_t n = 0;
  template <class V>
  void visit(V& v) { v("n", n); }
};

// Roles (besides every role of platform::roles(), e.g. pulse-controller and pulse-host):
//   "test-echo"    answers Echo; config {"reply_after_ms": d} answers d later instead of at once.
//   "test-caller"  config {"target", "network", "timeout_ms", "at_ms": [absolute times], "pad_bytes"}:
//                  calls target at each time not already past when it starts; logs "call.done" once per
//                  completion with n, ok, error, rtt_ns.
//   "test-sprayer" config {"target", "network", "count", "interval_ms"}: sends Blip datagrams.
//   "test-sink"    counts Blips; logs "sink.total" {count} every report_ms (default 1000).
//   "test-ticker"  config {"period_ms", "count"}: at start logs "ticker.born" {draw: first rng value}, then
//                  schedules `count` timers k*period ahead, each logging "tick" {born_ns, k}.
//   "test-thrower" config {"at_ms"}: a timer that throws (a bug in node logic).
//   "test-floater" config {"name", "claim_ms": [times], "release_ms": [times]}: claims / releases the
//                  floating name at those times, logging "floater.claim" {ok}; answers Echo, logging
//                  "echo.served" {n, from}; logs "blip" {n, from} for every Blip.
const core::RoleRegistry& test_roles();

}  // namespace roost::sim::testing
