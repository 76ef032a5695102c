// What travels between nodes: an envelope (type id + encoded body) inside a frame that names the
// sender and the receiver. The real runtime puts exactly `encode_frame` on the wire (a UDP payload,
// or an HTTP request/response body); the simulation charges exactly `frame_size` bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/core/codec.h"
#include "platform/core/network.h"

namespace roost::core {

struct Envelope {
  MessageTypeId type = 0;
  std::string body;
};

template <Message M>
Envelope envelope(const M& m) {
  return Envelope{M::kType, encode(m)};
}

// Who a message came from, and over which network it arrived.
struct Peer {
  std::string node;
  Network network = Network::Management;
};

// Frame: magic 'R', version 1, type (u16 LE), from, to (varint-length strings), body (the rest).
inline constexpr std::uint8_t kFrameMagic = 'R';
inline constexpr std::uint8_t kFrameVersion = 1;

struct Frame {
  std::string from;
  std::string to;
  Envelope envelope;
};

std::string encode_frame(std::string_view from, std::string_view to, const Envelope& e);
std::size_t frame_size(std::string_view from, std::string_view to, const Envelope& e);
// On failure returns why the bytes are not a frame.
std::optional<std::string> decode_frame(std::string_view bytes, Frame& out);

}  // namespace roost::core
