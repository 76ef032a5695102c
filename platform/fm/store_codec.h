// Byte encodings of alarm-store contents, for replication (core/replica.h): a WriteBatch (the memory
// store's changeset) and a StoredState with its log position (every alarm store's snapshot).
//
// Both use the core binary codec (core/codec.h) inside a sealed envelope:
//   <tag> <payload> <8 bytes: FNV-1a 64 of tag + payload, little-endian>
// The tag says what the bytes are (a batch, a state, a SQLite changeset), so bytes of one kind handed
// to a decoder of another are refused by name. The checksum turns a truncated or altered blob into a
// clear error instead of a silently different store: the codec alone would accept a flipped byte inside
// a string, or a blob cut at a record boundary. Decoders also re-encode what they read and require the
// same bytes, so a blob decodes only if it is exactly what the encoder wrote (no trailing bytes, no
// non-canonical varints): a changeset round-trips exactly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "platform/core/replica.h"
#include "platform/fm/alarm_store.h"

namespace roost::fm {

// Envelope tags. The SQLite store seals its session changesets with kSqliteChangesetTag.
inline constexpr std::string_view kBatchTag = "roost.fm.batch/1:";
inline constexpr std::string_view kStateTag = "roost.fm.state/1:";
inline constexpr std::string_view kSqliteChangesetTag = "roost.fm.sqlite-changeset/1:";

// <tag><payload><checksum>.
std::string seal(std::string_view tag, std::string_view payload);
// The payload of a sealed blob; on failure a message saying what is wrong (wrong tag, too short,
// checksum mismatch), naming `what` (e.g. "changeset (3, 17)").
struct Unsealed {
  std::string_view payload;  // points into the blob
  std::string error;         // non-empty on failure
};
Unsealed unseal(std::string_view tag, std::string_view blob, std::string_view what);

std::string encode_batch(const WriteBatch& batch);
// Decodes into `out`; returns an error message (naming `what`) when `bytes` is not an encoded batch.
std::optional<std::string> decode_batch(std::string_view bytes, WriteBatch& out, std::string_view what);

std::string encode_state(core::LogPosition position, const StoredState& state);
std::optional<std::string> decode_state(std::string_view bytes, core::LogPosition& position, StoredState& out,
                                        std::string_view what);

// "(term, seq)" for messages.
std::string to_string(core::LogPosition p);

}  // namespace roost::fm
