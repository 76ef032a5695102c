// The real backend (IpmiBmc: ipmitool children on Asio) against a real BMC, OpenIPMI's ipmi_sim on
// loopback (IpmiSimLab). Power, sensors with thresholds, failures mapped to BmcError codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "tests/ipmi/bmc_driver.h"
#include "tests/ipmi/ipmi_sim_lab.h"

namespace roost::testing {
namespace {

using namespace std::chrono_literals;
using backends::ipmi::CommandTrace;
using backends::ipmi::IpmiBmc;
using backends::ipmi::IpmiOptions;
using core::BmcErrorCode;
using core::PowerState;
using core::SensorReading;
using core::SensorStatus;
using Readings = std::vector<SensorReading>;

class IpmiBmcTest : public ::testing::Test {
 protected:
  std::shared_ptr<IpmiBmc> bmc(const core::BmcEndpoint& e, IpmiOptions o = {}) {
    return std::make_shared<IpmiBmc>(driver.runner, e, o, [this](const CommandTrace& t) { traces.push_back(t); });
  }
  core::BmcResult<PowerState> status(core::Bmc& b) {
    return driver.run<PowerState>([&](auto done) { b.power_status(std::move(done)); });
  }
  core::BmcResult<void> power(core::Bmc& b, core::PowerAction a) {
    return driver.run<void>([&](auto done) { b.power(a, std::move(done)); });
  }
  core::BmcResult<Readings> sensors(core::Bmc& b) {
    return driver.run<Readings>([&](auto done) { b.read_sensors(std::move(done)); });
  }
  const SensorReading* find(const Readings& rs, const std::string& name) {
    auto it = std::find_if(rs.begin(), rs.end(), [&](const auto& r) { return r.name == name; });
    return it == rs.end() ? nullptr : &*it;
  }
  // Reads until `name` has `want` (ipmi_sim polls its sensor files every 100 ms).
  SensorReading await_status(core::Bmc& b, const std::string& name, SensorStatus want) {
    SensorReading last;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = sensors(b);
      if (r && find(r.value(), name)) {
        last = *find(r.value(), name);
        if (last.status == want) return last;
      }
      std::this_thread::sleep_for(50ms);
    }
    return last;
  }
  // Waits for the chassis hook to record `action` (ipmi_sim runs it right after answering).
  bool await_action(const std::string& action, std::chrono::milliseconds limit = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto a = lab.actions();
      if (std::find(a.begin(), a.end(), action) != a.end()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  IpmiSimLab lab;
  BmcDriver driver;
  std::vector<CommandTrace> traces;
};

TEST_F(IpmiBmcTest, PowerStatusFollowsTheChassis) {
  auto b = bmc(lab.endpoint());
  auto on = status(*b);
  ASSERT_TRUE(on) << on.error().detail;
  EXPECT_EQ(on.value(), PowerState::On);
  lab.set_power(false);
  auto off = status(*b);
  ASSERT_TRUE(off) << off.error().detail;
  EXPECT_EQ(off.value(), PowerState::Off);
  std::printf("ipmi_sim ready %.0f ms after launch; chassis power status took %.0f ms and %.0f ms\n",
              lab.startup_seconds() * 1e3, core::to_millis(traces.at(0).result.elapsed),
              core::to_millis(traces.at(1).result.elapsed));
}

TEST_F(IpmiBmcTest, PowerOffThenTheStatusIsOff) {
  auto b = bmc(lab.endpoint());
  auto r = power(*b, core::PowerAction::Off);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(await_action("power 0")) << "the chassis hook never saw power 0";
  auto s = status(*b);
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_EQ(s.value(), PowerState::Off);
}

TEST_F(IpmiBmcTest, PowerOnFromOff) {
  lab.set_power(false);
  auto b = bmc(lab.endpoint());
  auto r = power(*b, core::PowerAction::On);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(await_action("power 1"));
  auto s = status(*b);
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_EQ(s.value(), PowerState::On);
}

TEST_F(IpmiBmcTest, ResetIsRecordedByTheChassisHook) {
  auto b = bmc(lab.endpoint());
  auto r = power(*b, core::PowerAction::Reset);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(await_action("reset 1"));
  const auto a = lab.actions();
  EXPECT_EQ(std::count(a.begin(), a.end(), "power 0"), 0) << "a reset is not a power-off";
}

TEST_F(IpmiBmcTest, PowerCycleSwitchesOffThenOn) {
  auto b = bmc(lab.endpoint());
  auto r = power(*b, core::PowerAction::Cycle);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(await_action("power 0"));
  EXPECT_TRUE(await_action("power 1", 5s)) << "ipmi_sim powers a cycled chassis back on about 1 s later";
  auto a = lab.actions();
  const auto off = std::find(a.begin(), a.end(), "power 0"), on = std::find(a.begin(), a.end(), "power 1");
  EXPECT_LT(off - a.begin(), on - a.begin()) << "off comes before on";
}

TEST_F(IpmiBmcTest, SensorsReadWithValuesUnitsTypesAndThresholds) {
  auto b = bmc(lab.endpoint());
  auto r = sensors(*b);
  ASSERT_TRUE(r) << r.error().detail;
  ASSERT_EQ(r.value().size(), 2u);
  const SensorReading& temp = r.value()[0];
  EXPECT_EQ(temp.name, "CPU Temp");
  EXPECT_EQ(temp.type, core::SensorType::Temperature);
  ASSERT_TRUE(temp.value);
  EXPECT_DOUBLE_EQ(*temp.value, 45);
  EXPECT_EQ(temp.unit, "degrees C");
  EXPECT_EQ(temp.status, SensorStatus::Ok);
  EXPECT_EQ(temp.thresholds.upper_non_critical, 75);
  EXPECT_EQ(temp.thresholds.upper_critical, 85);
  EXPECT_EQ(temp.thresholds.upper_non_recoverable, 95);
  EXPECT_FALSE(temp.thresholds.lower_critical);
  const SensorReading& fan = r.value()[1];
  EXPECT_EQ(fan.name, "Fan 1");
  EXPECT_EQ(fan.type, core::SensorType::Fan);
  ASSERT_TRUE(fan.value);
  EXPECT_DOUBLE_EQ(*fan.value, 4500);
  EXPECT_EQ(fan.unit, "RPM");
  EXPECT_EQ(fan.status, SensorStatus::Ok);
  EXPECT_EQ(fan.thresholds.lower_non_critical, 2000);
  EXPECT_EQ(fan.thresholds.lower_critical, 1000);
  std::printf("sensor list took %.0f ms\n", core::to_millis(traces.back().result.elapsed));
}

TEST_F(IpmiBmcTest, SensorsPushedOverTheirThresholdsReadAsCriticalOrNonCritical) {
  auto b = bmc(lab.endpoint());
  lab.set_sensor("cpu_temp", 80);
  EXPECT_EQ(await_status(*b, "CPU Temp", SensorStatus::NonCritical).status, SensorStatus::NonCritical);
  lab.set_sensor("cpu_temp", 90);
  const auto hot = await_status(*b, "CPU Temp", SensorStatus::Critical);
  EXPECT_EQ(hot.status, SensorStatus::Critical);
  EXPECT_EQ(hot.value, 90);
  lab.set_sensor("cpu_temp", 100);
  EXPECT_EQ(await_status(*b, "CPU Temp", SensorStatus::NonRecoverable).status, SensorStatus::NonRecoverable);
  // Lower thresholds: a slowing fan.
  lab.set_sensor("fan1", 1500);
  EXPECT_EQ(await_status(*b, "Fan 1", SensorStatus::NonCritical).status, SensorStatus::NonCritical);
  lab.set_sensor("fan1", 500);
  const auto stalled = await_status(*b, "Fan 1", SensorStatus::Critical);
  EXPECT_EQ(stalled.status, SensorStatus::Critical);
  EXPECT_EQ(stalled.value, 500);
  // And back.
  lab.set_sensor("cpu_temp", 40);
  EXPECT_EQ(await_status(*b, "CPU Temp", SensorStatus::Ok).status, SensorStatus::Ok);
}

TEST_F(IpmiBmcTest, AWrongPasswordIsAnAuthError) {
  auto e = lab.endpoint();
  e.password = "not-the-secret";
  auto b = bmc(e);
  auto r = status(*b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, BmcErrorCode::Auth) << r.error().detail;
  EXPECT_NE(r.error().detail.find("RAKP"), std::string::npos) << r.error().detail;
  EXPECT_EQ(r.error().detail.find("not-the-secret"), std::string::npos) << "the password leaked into an error";
}

TEST_F(IpmiBmcTest, AnUnknownUserIsAnAuthError) {
  auto e = lab.endpoint();
  e.user = "intruder";
  auto b = bmc(e);
  auto r = sensors(*b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, BmcErrorCode::Auth) << r.error().detail;
}

TEST_F(IpmiBmcTest, OperationsOfOneBmcRunOneAtATimeInOrder) {
  auto b = bmc(lab.endpoint());
  std::vector<std::string> order;
  bool done = false;
  b->read_sensors([&](auto) { order.push_back("sensors"); });
  b->power_status([&](auto) { order.push_back("status"); });
  b->power_reset([&](auto) {
    order.push_back("reset");
    done = true;
  });
  ASSERT_TRUE(driver.until([&] { return done; }, 15s));
  EXPECT_EQ(order, (std::vector<std::string>{"sensors", "status", "reset"}));
  ASSERT_EQ(traces.size(), 3u);
  EXPECT_EQ(driver.runner.running(), 0u);
}

TEST_F(IpmiBmcTest, ADroppedBmcAbandonsItsOperationsAndItsChildIsReaped) {
  auto b = bmc(lab.endpoint());
  bool called = false;
  b->power_status([&](auto) { called = true; });
  b.reset();
  ASSERT_EQ(driver.runner.running(), 1u);
  EXPECT_TRUE(driver.until([&] { return driver.runner.running() == 0; }, 10s));
  driver.run_for(100ms);
  EXPECT_FALSE(called);
  ASSERT_EQ(traces.size(), 1u) << "the run is still reported: the BMC may have acted";
  EXPECT_TRUE(traces[0].abandoned);
  EXPECT_TRUE(traces[0].ok);
}

TEST(IpmiBmcFailure, NothingListeningIsUnreachableWithinIpmitoolsRetries) {
  BmcDriver driver;
  core::BmcEndpoint e{"ghost", "127.0.0.1", IpmiSimLab::free_udp_port(), "admin", "secret", "ipmi"};
  IpmiOptions o;
  o.retransmit_s = 1;
  o.retries = 1;
  auto b = std::make_shared<IpmiBmc>(driver.runner, e, o);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = driver.run<PowerState>([&](auto done) { b->power_status(std::move(done)); });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, BmcErrorCode::Unreachable) << r.error().detail;
  // ipmitool sends the first request and R retransmissions N seconds apart: (1 + 1) x 1 s, plus slack.
  EXPECT_LT(s, 5.0);
  std::printf("unreachable BMC reported after %.2f s (-N 1 -R 1)\n", s);
}

TEST(IpmiBmcFailure, TheDeadlineKillsIpmitoolAndReportsATimeout) {
  BmcDriver driver;
  core::BmcEndpoint e{"ghost", "127.0.0.1", IpmiSimLab::free_udp_port(), "admin", "secret", "ipmi"};
  IpmiOptions o;
  o.command_timeout = 300ms;  // far shorter than ipmitool's own retries
  auto b = std::make_shared<IpmiBmc>(driver.runner, e, o);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = driver.run<void>([&](auto done) { b->power_off(std::move(done)); });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, BmcErrorCode::Timeout) << r.error().detail;
  EXPECT_GE(s, 0.3);
  EXPECT_LT(s, 2.0);
  EXPECT_EQ(driver.runner.running(), 0u) << "the killed ipmitool was reaped";
}

TEST(IpmiBmcCommandLine, ThePasswordIsInTheChildsEnvironmentNeverOnItsCommandLine) {
  BmcDriver driver;
  core::BmcEndpoint e{"h", "10.0.0.5", 623, "admin", "s3cr3t-pw", "ipmi"};
  IpmiBmc b(driver.runner, e, {});
  const auto argv = b.command({"chassis", "power", "status"});
  for (const auto& a : argv) EXPECT_EQ(a.find("s3cr3t-pw"), std::string::npos) << a;
  EXPECT_NE(std::find(argv.begin(), argv.end(), "-E"), argv.end());
  const std::vector<std::string> expected_tail{"-C", "3", "-N", "1", "-R", "2", "-v", "chassis", "power", "status"};
  ASSERT_GE(argv.size(), expected_tail.size());
  EXPECT_TRUE(std::equal(expected_tail.rbegin(), expected_tail.rend(), argv.rbegin()));
  const auto env = b.environment();
  EXPECT_NE(std::find(env.begin(), env.end(), "IPMI_PASSWORD=s3cr3t-pw"), env.end());
  EXPECT_NE(std::find(env.begin(), env.end(), "LC_ALL=C"), env.end());
}

TEST(IpmiBmcCommandLine, AnEndpointItCannotServeFailsEveryOperationLater) {
  BmcDriver driver;
  auto redfish = backends::ipmi::make_bmc(driver.io, driver.runner, {"h", "10.0.0.5", 443, "u", "p", "redfish"}, {});
  bool inside = false, ran_inside = false;
  auto r = driver.run<PowerState>([&](auto done) {
    inside = true;
    redfish->power_status([&, done](core::BmcResult<PowerState> res) {
      ran_inside = inside;
      done(std::move(res));
    });
    inside = false;
  });
  EXPECT_FALSE(ran_inside) << "a completion ran inside the call that started it";
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, BmcErrorCode::Unsupported);
  auto no_address = backends::ipmi::make_bmc(driver.io, driver.runner, {"h", "", 623, "u", "p", "ipmi"}, {});
  auto r2 = driver.run<Readings>([&](auto done) { no_address->read_sensors(std::move(done)); });
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, BmcErrorCode::Unreachable);
}

}  // namespace
}  // namespace roost::testing
