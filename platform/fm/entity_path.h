// Identifiers of faults: alarm ids ("GGG.EEE") and entity instance ids, the dotted key=value paths
// that name what is faulty ("host=controller-0.process=sshd", "system=", "subcloud=sc-17").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace roost::fm {

inline constexpr std::size_t kMaxEntityIdLength = 255;

// nullopt if `id` is "GGG.EEE" (three digits, a dot, three digits); else why not.
std::optional<std::string> check_alarm_id(std::string_view id);

// nullopt if `eid` is a valid entity instance id; else why not. Valid: non-empty, at most 255
// printable ASCII characters without spaces, quotes or backslashes, segments separated by '.',
// no empty segment, and the first segment is `key` or `key=value` with a key of letters, digits,
// '_' or '-' starting with a letter. Later segments may be bare words (the dots of an IP address
// in a value, as in "host=controller-0.ntp=10.0.0.1", make such segments).
std::optional<std::string> check_entity_instance_id(std::string_view eid);

// nullopt if `type` is a valid entity type id ("host", "service_domain.service_group.host"...):
// empty, or letters, digits, '_', '-', '.' only, at most 255 characters.
std::optional<std::string> check_entity_type_id(std::string_view type);

// Whether `prefix` names `eid` or one of its ancestors, on whole path segments:
// "host=controller-1" covers "host=controller-1" and "host=controller-1.process=sshd" but not
// "host=controller-10". (StarlingX matches with SQL LIKE 'prefix%', which also matches controller-10;
// Roost does not, so that clearing or masking controller-1 never touches controller-10.)
bool entity_covers(std::string_view prefix, std::string_view eid);

// Calls fn(p) for every path prefix of eid that ends on a segment boundary, shortest first,
// ending with eid itself. Used to find the masking ancestors of an alarm.
template <class Fn>
void for_each_entity_ancestor(std::string_view eid, Fn&& fn) {
  for (std::size_t i = 0; i < eid.size(); ++i)
    if (eid[i] == '.') fn(eid.substr(0, i));
  fn(eid);
}

}  // namespace roost::fm
