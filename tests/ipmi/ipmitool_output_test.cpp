// ipmitool's output turned into the seam's types: captured from ipmitool 1.8.19 against ipmi_sim, plus
// the formats ipmitool's source prints for what ipmi_sim cannot show (discrete sensors, unreadable ones,
// a power sensor).
#include <gtest/gtest.h>

#include "backends/ipmi/ipmitool_output.h"

namespace roost::backends::ipmi {
namespace {

using core::SensorStatus;
using core::SensorType;

// `ipmitool -v sensor list` (stdout) with CPU Temp at 80 and Fan 1 at 1500, from ipmi_sim.
constexpr const char* kSensorList =
    "Sensor ID              : CPU Temp (0x1)\n"
    " Entity ID             : 7.1\n"
    " Sensor Type (Threshold)  : Temperature\n"
    " Sensor Reading        : 80 (+/- 0) degrees C\n"
    " Status                : Upper Non-Critical\n"
    " Lower Non-Recoverable : na\n"
    " Lower Critical        : na\n"
    " Lower Non-Critical    : na\n"
    " Upper Non-Critical    : 75.000\n"
    " Upper Critical        : 85.000\n"
    " Upper Non-Recoverable : 95.000\n"
    " Positive Hysteresis   : Unspecified\n"
    " Negative Hysteresis   : Unspecified\n"
    " Assertions Enabled    : unc- unc+ ucr- ucr+ unr- unr+ \n"
    " Deassertions Enabled  : unc- unc+ ucr- ucr+ unr- unr+ \n"
    "\n"
    "Sensor ID              : Fan 1 (0x2)\n"
    " Entity ID             : 7.1\n"
    " Sensor Type (Threshold)  : Fan\n"
    " Sensor Reading        : 1500 (+/- 0) RPM\n"
    " Status                : Lower Non-Critical\n"
    " Lower Non-Recoverable : na\n"
    " Lower Critical        : 1000.000\n"
    " Lower Non-Critical    : 2000.000\n"
    " Upper Non-Critical    : na\n"
    " Upper Critical        : na\n"
    " Upper Non-Recoverable : na\n"
    " Positive Hysteresis   : Unspecified\n"
    " Negative Hysteresis   : Unspecified\n"
    " Assertions Enabled    : lnc- lnc+ lcr- lcr+ \n"
    " Deassertions Enabled  : lnc- lnc+ lcr- lcr+ \n"
    "\n";

TEST(SensorList, ThresholdSensorsGiveValueUnitTypeStatusAndThresholds) {
  const auto s = parse_sensor_list(kSensorList);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].name, "CPU Temp");
  EXPECT_EQ(s[0].type, SensorType::Temperature);
  EXPECT_EQ(s[0].value, 80);
  EXPECT_EQ(s[0].unit, "degrees C");
  EXPECT_EQ(s[0].status, SensorStatus::NonCritical);
  EXPECT_EQ(s[0].thresholds.upper_non_critical, 75);
  EXPECT_EQ(s[0].thresholds.upper_critical, 85);
  EXPECT_EQ(s[0].thresholds.upper_non_recoverable, 95);
  EXPECT_FALSE(s[0].thresholds.lower_non_recoverable);
  EXPECT_FALSE(s[0].thresholds.lower_critical);
  EXPECT_EQ(s[1].name, "Fan 1");
  EXPECT_EQ(s[1].type, SensorType::Fan);
  EXPECT_EQ(s[1].value, 1500);
  EXPECT_EQ(s[1].unit, "RPM");
  EXPECT_EQ(s[1].status, SensorStatus::NonCritical);
  EXPECT_EQ(s[1].thresholds.lower_critical, 1000);
  EXPECT_EQ(s[1].thresholds.lower_non_critical, 2000);
}

TEST(SensorList, DiscreteUnreadableAndPowerSensors) {
  // A discrete sensor (ipmitool prints its state bits, which are not a value), a threshold sensor that
  // cannot be read, a power reading on a "Current" sensor, and a voltage with fractions.
  const char* text =
      "Sensor ID              : CPU1 Status (0x1)\n"
      " Entity ID             : 3.1 (Processor)\n"
      " Sensor Type (Discrete): Processor (0x07)\n"
      " Sensor Reading        : 0h\n"
      " Event Message Control : Per-threshold\n"
      " States Asserted       : Processor\n"
      "                         [Presence detected]\n"
      "\n"
      "Sensor ID              : PSU2 Temp (0x9)\n"
      " Entity ID             : 10.2\n"
      " Sensor Type (Threshold)  : Temperature\n"
      " Sensor Reading        :  Unable to read sensor: Device Not Present\n"
      "\n"
      " Assertions Enabled    : unc+ ucr+\n"
      "\n"
      "Sensor ID              : Pwr Consumption (0x77)\n"
      " Entity ID             : 7.1\n"
      " Sensor Type (Threshold)  : Current\n"
      " Sensor Reading        : 168 (+/- 0) Watts\n"
      " Status                : ok\n"
      " Upper Critical        : 896.000\n"
      "\n"
      "Sensor ID              : 1.8V Node 1 (0x6)\n"
      " Entity ID             : 15.1\n"
      " Sensor Type (Threshold)  : Voltage\n"
      " Sensor Reading        : 1.795 (+/- 0.005) Volts\n"
      " Status                : Lower Critical\n"
      " Lower Non-Recoverable : na\n"
      " Lower Critical        : 1.805\n"
      "\n"
      "Sensor ID              : Watchdog (0x0)\n"
      " Entity ID             : 7.1\n"
      " Sensor Type (Discrete): Watchdog 2\n"
      " Unable to read sensor: Device Not Present\n"
      "\n";
  const auto s = parse_sensor_list(text);
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].name, "CPU1 Status");
  EXPECT_EQ(s[0].type, SensorType::Other);
  EXPECT_FALSE(s[0].value) << "a discrete reading is state bits, not a value";
  EXPECT_EQ(s[0].status, SensorStatus::Ok);
  EXPECT_EQ(s[1].name, "PSU2 Temp");
  EXPECT_EQ(s[1].type, SensorType::Temperature);
  EXPECT_FALSE(s[1].value);
  EXPECT_EQ(s[1].status, SensorStatus::Unavailable);
  EXPECT_EQ(s[2].type, SensorType::Power) << "a Watts reading is power whatever its IPMI sensor type";
  EXPECT_EQ(s[2].value, 168);
  EXPECT_EQ(s[2].unit, "Watts");
  EXPECT_EQ(s[2].status, SensorStatus::Ok);
  EXPECT_EQ(s[2].thresholds.upper_critical, 896);
  EXPECT_EQ(s[3].type, SensorType::Voltage);
  EXPECT_DOUBLE_EQ(*s[3].value, 1.795);
  EXPECT_EQ(s[3].unit, "Volts");
  EXPECT_EQ(s[3].status, SensorStatus::Critical);
  EXPECT_DOUBLE_EQ(*s[3].thresholds.lower_critical, 1.805);
  EXPECT_EQ(s[4].name, "Watchdog");
  EXPECT_EQ(s[4].status, SensorStatus::Unavailable);
}

TEST(SensorList, NothingToParseIsAnEmptyList) {
  EXPECT_TRUE(parse_sensor_list("").empty());
  EXPECT_TRUE(parse_sensor_list("garbage without structure\n").empty());
}

TEST(ThresholdStatus, LongAndShortForms) {
  EXPECT_EQ(parse_threshold_status("ok"), SensorStatus::Ok);
  EXPECT_EQ(parse_threshold_status("Upper Non-Critical"), SensorStatus::NonCritical);
  EXPECT_EQ(parse_threshold_status("Lower Critical"), SensorStatus::Critical);
  EXPECT_EQ(parse_threshold_status("Upper Non-Recoverable"), SensorStatus::NonRecoverable);
  EXPECT_EQ(parse_threshold_status("nc"), SensorStatus::NonCritical);
  EXPECT_EQ(parse_threshold_status("cr"), SensorStatus::Critical);
  EXPECT_EQ(parse_threshold_status("nr"), SensorStatus::NonRecoverable);
  EXPECT_EQ(parse_threshold_status("ns"), SensorStatus::Unavailable);
  EXPECT_EQ(parse_threshold_status("na"), SensorStatus::Unavailable);
}

TEST(PowerOutput, StatusAndControl) {
  EXPECT_EQ(parse_power_status("Chassis Power is on\n"), core::PowerState::On);
  EXPECT_EQ(parse_power_status("Chassis Power is off\n"), core::PowerState::Off);
  EXPECT_EQ(parse_power_status("Chassis Power is flaky\n"), core::PowerState::Unknown);
  EXPECT_FALSE(parse_power_status("Set Chassis Power Control to Up/On failed: Command not supported\n"));
  EXPECT_TRUE(parse_power_control("Chassis Power Control: Up/On\n", core::PowerAction::On));
  EXPECT_TRUE(parse_power_control("Chassis Power Control: Down/Off\n", core::PowerAction::Off));
  EXPECT_TRUE(parse_power_control("Chassis Power Control: Reset\n", core::PowerAction::Reset));
  EXPECT_TRUE(parse_power_control("Chassis Power Control: Cycle\n", core::PowerAction::Cycle));
  EXPECT_FALSE(parse_power_control("Chassis Power Control: Reset\n", core::PowerAction::Off));
  EXPECT_FALSE(parse_power_control("", core::PowerAction::On));
}

// stderr of `ipmitool -v ...` as captured against ipmi_sim and against nothing.
constexpr const char* kWrongPassword =
    "Loading IANA PEN Registry...\n> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session\n";
constexpr const char* kUnknownUser =
    "Loading IANA PEN Registry...\nRAKP 2 message indicates an error : unauthorized name\n"
    "Error: Unable to establish IPMI v2 / RMCP+ session\n";
constexpr const char* kNobodyThere =
    "Loading IANA PEN Registry...\nGet Auth Capabilities error\n"
    "Error issuing Get Channel Authentication Capabilities request\n"
    "Error: Unable to establish IPMI v2 / RMCP+ session\n";
constexpr const char* kRefused =
    "Loading IANA PEN Registry...\nRunning Get VSO Capabilities my_addr 0x20, transit 0, target 0x20\n"
    "Invalid completion code received: Invalid command\nDiscovered IPMB address 0x0\n"
    "Set Chassis Power Control to Cycle failed: Command not supported in present state\n";

TEST(Failures, SessionRefusalsAreAuthNoAnswerIsUnreachableTheRestProtocol) {
  const auto auth = classify_failure("ipmitool chassis power status at 127.0.0.1:9623", kWrongPassword, "", "exit status 1");
  EXPECT_EQ(auth.code, core::BmcErrorCode::Auth);
  EXPECT_EQ(auth.detail,
            "ipmitool chassis power status at 127.0.0.1:9623 failed (exit status 1): > RAKP 2 HMAC is invalid; "
            "Error: Unable to establish IPMI v2 / RMCP+ session");
  EXPECT_EQ(classify_failure("x", kUnknownUser, "", "exit status 1").code, core::BmcErrorCode::Auth);
  EXPECT_EQ(classify_failure("x", kNobodyThere, "", "exit status 1").code, core::BmcErrorCode::Unreachable);
  const auto refused = classify_failure("x", kRefused, "", "exit status 1");
  EXPECT_EQ(refused.code, core::BmcErrorCode::Protocol);
  EXPECT_EQ(refused.detail, "x failed (exit status 1): Set Chassis Power Control to Cycle failed: Command not "
                            "supported in present state")
      << "the -v chatter is left out";
}

TEST(SensorTypes, FromTheDescriptionThenTheUnit) {
  EXPECT_EQ(sensor_type_of("Temperature", "degrees C"), SensorType::Temperature);
  EXPECT_EQ(sensor_type_of("Fan", "RPM"), SensorType::Fan);
  EXPECT_EQ(sensor_type_of("Voltage", "Volts"), SensorType::Voltage);
  EXPECT_EQ(sensor_type_of("Current", "Amps"), SensorType::Current);
  EXPECT_EQ(sensor_type_of("Power Supply", "Watts"), SensorType::Power);
  EXPECT_EQ(sensor_type_of("Other", "degrees F"), SensorType::Temperature);
  EXPECT_EQ(sensor_type_of("Processor", "unspecified"), SensorType::Other);
}

}  // namespace
}  // namespace roost::backends::ipmi
