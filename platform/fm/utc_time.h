// Wall-clock timestamps as values: FM records carry UTC microseconds since the Unix epoch, which the
// caller passes in (platform code has no wall clock). These render and parse them the way StarlingX's
// REST API shows them: "2024-05-01T12:00:00.123456" (UTC, no zone suffix).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roost::fm {

std::string format_utc_micros(std::int64_t us);

// Accepts "YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+00:00]" (a space instead of 'T' too) or a plain integer
// (microseconds since the epoch). nullopt if it is neither.
std::optional<std::int64_t> parse_utc_micros(std::string_view s);

}  // namespace roost::fm
