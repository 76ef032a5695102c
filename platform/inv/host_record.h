// The whole of a Host or System as JSON, for stores: every field, the BMC password and the machine
// inventory included, times as integers. Not a REST shape (host.h's to_json is): a store writes this
// and reads it back unchanged, so `host_from_record(host_record(h))` equals `h`.
#pragma once

#include <nlohmann/json.hpp>

#include "platform/inv/host.h"

namespace roost::inv {

nlohmann::json host_record(const Host& h);
// Throws std::invalid_argument naming the field ("availability: 'gone' is not ...").
Host host_from_record(const nlohmann::json& j);

nlohmann::json system_record(const System& s);
System system_from_record(const nlohmann::json& j);

// Field-by-field equality through the record (Host holds a json and an optional inventory).
bool same_host(const Host& a, const Host& b);
bool same_system(const System& a, const System& b);

}  // namespace roost::inv
