// What travels between simulated nodes: the frame's contents plus what the runtime needs to route it and
// to match a reply to its call. `size` is exactly core::frame_size() of the frame, what the twin charges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "platform/core/env.h"
#include "platform/core/message.h"
#include "sim/fleet_index.h"

namespace roost::sim {

struct Packet {
  enum class Kind : std::uint8_t { Datagram, Request, Reply };
  Kind kind = Kind::Datagram;
  NodeId from = 0;
  NodeId to = 0;
  core::Network net = core::Network::Management;
  core::Envelope envelope;                   // a datagram, a request, or a successful reply
  std::optional<core::CallFailure> failure;  // a reply that carries the serving side's failure
  std::uint64_t call_id = 0;                 // request/reply: the caller's call number
  std::uint32_t caller_incarnation = 0;      // reply: only this incarnation of the caller may take it
  std::size_t size = 0;                      // frame bytes
  bool via_simgrid = false;                  // for the statistics
  // Datagram/request sent to a floating name: which one. `to` is its holder when sent; on arrival the
  // packet goes to whoever holds the name then (as a moved address would), or is dropped if nobody does.
  FloatingId floating = kNoFloating;

  // Packets come and go by the million and many are in flight at once (more than malloc's per-size
  // caches hold): their blocks are recycled through a free list. The simulation runs on one thread.
  static void* operator new(std::size_t size);
  static void operator delete(void* block, std::size_t size) noexcept;
};

}  // namespace roost::sim
