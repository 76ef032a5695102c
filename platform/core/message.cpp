#include "platform/core/message.h"

namespace roost::core {
namespace {

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

std::string encode_frame(std::string_view from, std::string_view to, const Envelope& e) {
  std::string out;
  out.reserve(frame_size(from, to, e));
  out.push_back(static_cast<char>(kFrameMagic));
  out.push_back(static_cast<char>(kFrameVersion));
  out.push_back(static_cast<char>(e.type & 0xff));
  out.push_back(static_cast<char>(e.type >> 8));
  BinaryWriter w(out);
  w.put(std::string(from));
  w.put(std::string(to));
  out.append(e.body);
  return out;
}

std::size_t frame_size(std::string_view from, std::string_view to, const Envelope& e) {
  return 4 + varint_size(from.size()) + from.size() + varint_size(to.size()) + to.size() + e.body.size();
}

std::optional<std::string> decode_frame(std::string_view bytes, Frame& out) {
  if (bytes.size() < 4) return "frame shorter than its 4-byte header";
  if (static_cast<std::uint8_t>(bytes[0]) != kFrameMagic) return "not a Roost frame (bad magic)";
  if (static_cast<std::uint8_t>(bytes[1]) != kFrameVersion)
    return "unsupported frame version " + std::to_string(static_cast<std::uint8_t>(bytes[1]));
  out.envelope.type = static_cast<MessageTypeId>(static_cast<std::uint8_t>(bytes[2]) |
                                                 (static_cast<std::uint8_t>(bytes[3]) << 8));
  std::string_view rest = bytes.substr(4);
  BinaryReader r(rest);
  r.get(out.from);
  r.get(out.to);
  if (!r.ok()) return "frame header: " + r.error();
  const std::size_t header = 4 + varint_size(out.from.size()) + out.from.size() + varint_size(out.to.size()) +
                             out.to.size();
  out.envelope.body.assign(bytes.substr(header));
  return std::nullopt;
}

}  // namespace roost::core
