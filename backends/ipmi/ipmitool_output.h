// What ipmitool prints, turned into the hardware seam's types. Pure functions over text, so they are
// tested against captured output without a BMC.
//
// ipmitool is always run with -v: its stdout for `chassis power ...` is unchanged by it, `sensor list`
// then prints one "Key : value" block per sensor (which carries the sensor's type, unlike the table),
// and its stderr says why a session could not be opened ("RAKP 2 HMAC is invalid" for a wrong password,
// "Get Auth Capabilities error" for no answer), which the terse output does not.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/core/hardware.h"

namespace roost::backends::ipmi {

// `chassis power status`: "Chassis Power is on" / "Chassis Power is off".
std::optional<core::PowerState> parse_power_status(std::string_view out);

// `chassis power on|off|reset|cycle`: "Chassis Power Control: Up/On" (Down/Off, Reset, Cycle).
bool parse_power_control(std::string_view out, core::PowerAction action);

// `-v sensor list`. Threshold sensors give value, unit, status and thresholds; discrete sensors give
// their type and Ok (Unavailable when unreadable) with no value: their state bits are not interpreted.
std::vector<core::SensorReading> parse_sensor_list(std::string_view out);

// The seam's group for an ipmitool sensor-type description ("Temperature", "Fan", ...), falling back
// on the unit ("degrees C", "RPM", "Volts", "Amps", "Watts").
core::SensorType sensor_type_of(std::string_view type_description, std::string_view unit);

// ipmitool's threshold status, long ("Upper Non-Critical") or short ("nc"), as the seam's status.
core::SensorStatus parse_threshold_status(std::string_view s);

// Why a run failed, from its stderr (and stdout): session refused -> Auth, no answer -> Unreachable,
// anything else -> Protocol. `what` names the operation ("chassis power status at 10.0.0.5:623").
core::BmcError classify_failure(std::string_view what, std::string_view err, std::string_view out,
                                const std::string& end);

// stderr without the chatter -v adds ("Loading IANA PEN Registry...", "Running Get VSO Capabilities ...",
// ...), lines joined with "; ".
std::string meaningful_stderr(std::string_view err);

}  // namespace roost::backends::ipmi
