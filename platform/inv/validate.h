// The syntax checks inventory applies to what operators type: host names, MAC addresses, and the
// addresses of management interfaces and BMCs. Pure functions over text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace roost::inv {

// [a-z0-9-], 1 to 63 characters, not starting or ending with '-' (RFC 1123 label; a leading '-' also
// reads as an option on a command line), and not all digits (a decimal reference is a host id).
bool is_valid_hostname(std::string_view s);

// "08:00:27:AA:bb:cc" -> "08:00:27:aa:bb:cc"; nullopt if not six ':'-separated hex pairs.
std::optional<std::string> normalize_mac(std::string_view s);

bool is_ipv4(std::string_view s);  // dotted quad, each part 0..255 without leading zeros
bool is_ipv6(std::string_view s);  // RFC 4291 text form, "::" compression and a trailing IPv4 allowed
// A DNS name: dot-separated labels of [A-Za-z0-9-], each 1..63 and not starting or ending with '-',
// 253 characters at most, an optional trailing dot; the last label not all digits (that is an IPv4).
bool is_dns_name(std::string_view s);

}  // namespace roost::inv
