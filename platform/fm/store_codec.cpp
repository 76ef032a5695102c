#include "platform/fm/store_codec.h"

#include <cstdint>

#include "platform/core/codec.h"

namespace roost::fm {

namespace {

std::uint64_t fnv1a64(std::string_view a, std::string_view b) {
  std::uint64_t h = 14695981039346656037ULL;
  for (std::string_view part : {a, b})
    for (const char c : part) {
      h ^= static_cast<std::uint8_t>(c);
      h *= 1099511628211ULL;
    }
  return h;
}

constexpr std::size_t kChecksumBytes = 8;

// The variant's alternatives on the wire. Numbers are fixed forever: a new write kind takes a new number.
enum class WriteKind : std::uint8_t { PutAlarm = 1, RemoveAlarm = 2, AppendEvent = 3, PutSuppression = 4 };

std::string batch_payload(const WriteBatch& batch) {
  std::string out;
  core::BinaryWriter w(out);
  w.varint(batch.event_log_capacity);
  w.varint(batch.writes.size());
  for (const Write& write : batch.writes) {
    if (const auto* p = std::get_if<PutAlarm>(&write)) {
      w.varint(static_cast<std::uint8_t>(WriteKind::PutAlarm));
      w.put(p->alarm);
    } else if (const auto* r = std::get_if<RemoveAlarm>(&write)) {
      w.varint(static_cast<std::uint8_t>(WriteKind::RemoveAlarm));
      w.put(r->uuid);
      w.put(r->id);
    } else if (const auto* e = std::get_if<AppendEvent>(&write)) {
      w.varint(static_cast<std::uint8_t>(WriteKind::AppendEvent));
      w.put(e->event);
    } else if (const auto* s = std::get_if<PutSuppression>(&write)) {
      w.varint(static_cast<std::uint8_t>(WriteKind::PutSuppression));
      w.put(s->row);
    }
  }
  return out;
}

std::string state_payload(core::LogPosition position, const StoredState& state) {
  std::string out;
  core::BinaryWriter w(out);
  w.varint(position.term);
  w.varint(position.seq);
  w.put(state.alarms);
  w.put(state.events);
  w.put(state.suppressions);
  return out;
}

std::string reader_error(const core::BinaryReader& r) {
  return r.error() + (r.failed_field().empty() ? "" : " in field '" + r.failed_field() + "'");
}

}  // namespace

std::string to_string(core::LogPosition p) {
  return "(" + std::to_string(p.term) + ", " + std::to_string(p.seq) + ")";
}

std::string seal(std::string_view tag, std::string_view payload) {
  std::string out;
  out.reserve(tag.size() + payload.size() + kChecksumBytes);
  out.append(tag);
  out.append(payload);
  std::uint64_t h = fnv1a64(tag, payload);
  for (std::size_t i = 0; i < kChecksumBytes; ++i, h >>= 8) out.push_back(static_cast<char>(h & 0xff));
  return out;
}

Unsealed unseal(std::string_view tag, std::string_view blob, std::string_view what) {
  const std::string name(what);
  if (blob.size() < tag.size() + kChecksumBytes)
    return {{}, name + ": " + std::to_string(blob.size()) + " bytes is too short for a sealed '" + std::string(tag) +
                    "' blob (truncated?)"};
  if (blob.substr(0, tag.size()) != tag)
    return {{}, name + ": not a '" + std::string(tag) + "' blob (it starts with something else: another store "
                                                        "kind's format, or corrupted)"};
  const std::string_view payload = blob.substr(tag.size(), blob.size() - tag.size() - kChecksumBytes);
  std::uint64_t stored = 0;
  for (std::size_t i = 0; i < kChecksumBytes; ++i)
    stored |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(blob[tag.size() + payload.size() + i])) << (8 * i);
  if (stored != fnv1a64(tag, payload))
    return {{}, name + ": checksum mismatch over " + std::to_string(blob.size()) + " bytes (corrupted or truncated)"};
  return {payload, {}};
}

std::string encode_batch(const WriteBatch& batch) { return seal(kBatchTag, batch_payload(batch)); }

std::optional<std::string> decode_batch(std::string_view bytes, WriteBatch& out, std::string_view what) {
  const Unsealed u = unseal(kBatchTag, bytes, what);
  if (!u.error.empty()) return u.error;
  const std::string name(what);
  core::BinaryReader r(u.payload);
  WriteBatch batch;
  std::uint64_t capacity = 0, count = 0;
  r.varint(capacity);
  r.varint(count);
  if (!r.ok()) return name + ": batch header: " + reader_error(r);
  // Every write takes at least two bytes; a larger count is a lie, not a reason to reserve memory.
  if (count > u.payload.size()) return name + ": batch claims " + std::to_string(count) + " writes in " +
                                       std::to_string(u.payload.size()) + " bytes";
  batch.event_log_capacity = static_cast<std::size_t>(capacity);
  batch.writes.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t kind = 0;
    if (!r.varint(kind)) return name + ": write " + std::to_string(i) + ": kind: " + reader_error(r);
    switch (static_cast<WriteKind>(kind)) {
      case WriteKind::PutAlarm: {
        PutAlarm p;
        r("alarm", p.alarm);
        batch.writes.emplace_back(std::move(p));
        break;
      }
      case WriteKind::RemoveAlarm: {
        RemoveAlarm rm;
        r("uuid", rm.uuid);
        r("id", rm.id);
        batch.writes.emplace_back(std::move(rm));
        break;
      }
      case WriteKind::AppendEvent: {
        AppendEvent e;
        r("event", e.event);
        batch.writes.emplace_back(std::move(e));
        break;
      }
      case WriteKind::PutSuppression: {
        PutSuppression s;
        r("row", s.row);
        batch.writes.emplace_back(std::move(s));
        break;
      }
      default:
        return name + ": write " + std::to_string(i) + " has unknown kind " + std::to_string(kind);
    }
    if (!r.ok()) return name + ": write " + std::to_string(i) + ": " + reader_error(r);
  }
  // Only exactly what the encoder writes is accepted: catches trailing bytes and out-of-range enums.
  if (batch_payload(batch) != u.payload)
    return name + ": the batch does not re-encode to the same bytes (trailing or malformed data)";
  out = std::move(batch);
  return std::nullopt;
}

std::string encode_state(core::LogPosition position, const StoredState& state) {
  return seal(kStateTag, state_payload(position, state));
}

std::optional<std::string> decode_state(std::string_view bytes, core::LogPosition& position, StoredState& out,
                                        std::string_view what) {
  const Unsealed u = unseal(kStateTag, bytes, what);
  if (!u.error.empty()) return u.error;
  const std::string name(what);
  core::BinaryReader r(u.payload);
  core::LogPosition at;
  StoredState state;
  r("position_term", at.term);
  r("position_seq", at.seq);
  r("alarms", state.alarms);
  r("events", state.events);
  r("suppressions", state.suppressions);
  if (!r.ok()) return name + ": " + reader_error(r);
  if (state_payload(at, state) != u.payload)
    return name + ": the state does not re-encode to the same bytes (trailing or malformed data)";
  position = at;
  out = std::move(state);
  return std::nullopt;
}

}  // namespace roost::fm
