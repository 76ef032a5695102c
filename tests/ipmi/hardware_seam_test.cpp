// The hardware seam itself (platform/core/hardware.h): threshold bands, names, and Env's default
// hardware (none: every BMC operation fails, later, and never after the handle is dropped).
#include <gtest/gtest.h>

#include <optional>

#include "platform/core/hardware.h"
#include "tests/unit/manual_env.h"

namespace roost::core {
namespace {

TEST(SensorThresholds, UpperAreCrossedAtOrAboveLowerAtOrBelow) {
  SensorThresholds t;
  t.upper_non_critical = 75;
  t.upper_critical = 85;
  t.upper_non_recoverable = 95;
  t.lower_non_critical = 10;
  t.lower_critical = 5;
  EXPECT_EQ(t.classify(74.9), SensorStatus::Ok);
  EXPECT_EQ(t.classify(75), SensorStatus::NonCritical);
  EXPECT_EQ(t.classify(85), SensorStatus::Critical);
  EXPECT_EQ(t.classify(120), SensorStatus::NonRecoverable);
  EXPECT_EQ(t.classify(10), SensorStatus::NonCritical);
  EXPECT_EQ(t.classify(10.1), SensorStatus::Ok);
  EXPECT_EQ(t.classify(-3), SensorStatus::Critical) << "no lower non-recoverable limit: critical is the worst";
  EXPECT_EQ(SensorThresholds{}.classify(1e9), SensorStatus::Ok);
  EXPECT_TRUE(SensorThresholds{}.empty());
  EXPECT_FALSE(t.empty());
}

TEST(HardwareNames, RoundTrip) {
  for (auto t : {SensorType::Temperature, SensorType::Fan, SensorType::Voltage, SensorType::Current,
                 SensorType::Power, SensorType::Other})
    EXPECT_EQ(parse_sensor_type(to_string(t)), t);
  for (auto s : {SensorStatus::Ok, SensorStatus::NonCritical, SensorStatus::Critical, SensorStatus::NonRecoverable,
                 SensorStatus::Unavailable})
    EXPECT_EQ(parse_sensor_status(to_string(s)), s);
  EXPECT_FALSE(parse_sensor_type("thermal"));
  EXPECT_EQ(to_string(PowerAction::Cycle), "power-cycle");
  EXPECT_EQ(to_string(PowerState::Off), "off");
  EXPECT_EQ(to_string(BmcErrorCode::Auth), "auth");
}

TEST(DefaultHardware, EveryBmcOperationFailsUnsupportedAfterTheCurrentCallback) {
  testing::ManualEnv env;
  auto bmc = env.hardware().bmc({"worker-0", "10.0.0.5", 623, "admin", "secret", "ipmi"});
  EXPECT_EQ(bmc->endpoint().host, "worker-0");
  std::optional<BmcResult<PowerState>> status;
  std::optional<BmcResult<void>> reset;
  bmc->power_status([&](BmcResult<PowerState> r) { status.emplace(std::move(r)); });
  bmc->power_reset([&](BmcResult<void> r) { reset.emplace(std::move(r)); });
  EXPECT_FALSE(status) << "completions never run inside the call";
  env.advance(Duration::zero());
  ASSERT_TRUE(status && reset);
  ASSERT_FALSE(*status);
  EXPECT_EQ(status->error().code, BmcErrorCode::Unsupported);
  EXPECT_EQ(status->error().detail, "this runtime has no hardware access");
  EXPECT_FALSE(*reset);

  bool called = false;
  bmc->read_sensors([&](auto) { called = true; });
  bmc.reset();
  env.advance(seconds(1));
  EXPECT_FALSE(called) << "a dropped handle's completions never run";
}

}  // namespace
}  // namespace roost::core
