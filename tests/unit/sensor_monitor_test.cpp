// SensorMonitor (platform/mtce/sensor_monitor): a hand-driven Env (manual_env.h) whose hardware is a fake
// BMC the test sets sensor readings and failures on, and a real FmNode the monitor's FmClient talks to.
// Checks the alarms by band (200.007), BMC access (200.010), the per-type actions for non-recoverable
// readings, the audit cadence, and the config's errors.
#include <gtest/gtest.h>

#include <deque>

#include "platform/fm/fm_node.h"
#include "platform/fm/memory_alarm_store.h"
#include "platform/mtce/sensor_monitor.h"
#include "tests/unit/manual_env.h"

namespace roost::mtce {
namespace {

using roost::testing::ManualEnv;

// A BMC whose sensors and failures the test sets. Every operation answers `latency` later through the
// Env's timers (never inside the call), with what is set at answer time.
class FakeBmc final : public core::Bmc {
 public:
  FakeBmc(core::Env& env, core::BmcEndpoint e) : env_(env), endpoint_(std::move(e)) {}

  const core::BmcEndpoint& endpoint() const override { return endpoint_; }
  void power_status(core::BmcDone<core::PowerState> done) override {
    later([this, done = std::move(done)] {
      if (error) return done(*error);
      done(core::PowerState::On);
    });
  }
  void power(core::PowerAction a, core::BmcDone<void> done) override {
    later([this, a, done = std::move(done)] {
      if (error) return done(*error);
      actions.push_back(std::string(core::to_string(a)));
      done(core::BmcResult<void>());
    });
  }
  void read_sensors(core::BmcDone<std::vector<core::SensorReading>> done) override {
    ++reads;
    later([this, done = std::move(done)] {
      if (error) return done(*error);
      done(readings);
    });
  }

  void set(const std::string& name, std::optional<double> value) {
    for (auto& r : readings)
      if (r.name == name) {
        r.value = value;
        r.status = value ? r.thresholds.classify(*value) : core::SensorStatus::Unavailable;
      }
  }

  std::vector<core::SensorReading> readings;
  std::optional<core::BmcError> error;
  core::Duration latency = core::milliseconds(100);
  std::vector<std::string> actions;
  int reads = 0;

 private:
  void later(std::function<void()> fn) {
    env_.after(latency, [alive = std::weak_ptr<int>(alive_), fn = std::move(fn)] {
      if (alive.lock()) fn();
    });
  }
  core::Env& env_;
  core::BmcEndpoint endpoint_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

class NoProcesses final : public core::ProcessControl {
 public:
  void start(const core::ProcessSpec&, std::function<void(core::ProcessId, std::string)>,
             std::function<void(core::ProcessExit)>) override {}
  void stop(core::ProcessId) override {}
};

// Hands out one FakeBmc per endpoint address (the last one made for it), as a test's hardware.
class FakeHardware final : public core::HardwareAccess {
 public:
  explicit FakeHardware(core::Env& env) : env_(env) {}
  std::shared_ptr<core::Bmc> bmc(const core::BmcEndpoint& e) override {
    auto b = std::make_shared<FakeBmc>(env_, e);
    b->readings = template_readings;
    made[e.address] = b;
    endpoints.push_back(e);
    return b;
  }
  core::ProcessControl& processes() override { return processes_; }

  std::vector<core::SensorReading> template_readings;
  std::map<std::string, std::shared_ptr<FakeBmc>> made;
  std::vector<core::BmcEndpoint> endpoints;

 private:
  core::Env& env_;
  NoProcesses processes_;
};

class HwmonNode final : public core::Node {
 public:
  HwmonNode(core::Env& env, SensorMonitorConfig c)
      : core::Node(env, core::NodeSpec{"controller-0", "test", "lab", {}}),
        fm(*this, fm::FmClientConfig{.fm_node = "fm-0"}),
        monitor(*this, std::move(c), fm) {}
  fm::FmClient fm;
  SensorMonitor monitor;
};

core::SensorReading cpu_temp(double v) {
  core::SensorReading r;
  r.name = "CPU Temp";
  r.type = core::SensorType::Temperature;
  r.unit = "degrees C";
  r.thresholds.upper_non_critical = 75;
  r.thresholds.upper_critical = 85;
  r.thresholds.upper_non_recoverable = 95;
  r.value = v;
  r.status = r.thresholds.classify(v);
  return r;
}

core::SensorReading fan(double v) {
  core::SensorReading r;
  r.name = "Fan 1";
  r.type = core::SensorType::Fan;
  r.unit = "RPM";
  r.thresholds.lower_critical = 1000;
  r.thresholds.lower_non_recoverable = 500;
  r.value = v;
  r.status = r.thresholds.classify(v);
  return r;
}

inv::Host host(const std::string& name, const std::string& bm_ip = "10.0.0.10") {
  inv::Host h;
  h.hostname = name;
  h.bm_type = inv::BmType::Ipmi;
  h.bm_ip = bm_ip;
  h.bm_username = "admin";
  h.bm_password = "secret";
  h.administrative = inv::AdminState::Unlocked;
  h.operational = inv::OperState::Enabled;
  return h;
}

class SensorMonitorTest : public ::testing::Test {
 protected:
  SensorMonitorTest() : fm_env_("fm-0"), env_("controller-0"), hw_(env_) {
    fm_env_.resources[std::type_index(typeid(fm::AlarmStore))] = std::shared_ptr<fm::AlarmStore>(store_);
    fm_ = std::make_unique<fm::FmNode>(fm_env_, core::NodeSpec{"fm-0", "fm", "lab", {{"rest_port", 0}}});
    fm_->start();
    env_.set_hardware(&hw_);
    hw_.template_readings = {cpu_temp(45), fan(4500)};
  }
  ~SensorMonitorTest() override { node_.reset(); }

  HwmonNode& start(nlohmann::json config = nlohmann::json::object()) {
    if (!config.contains("audit_period_ms")) config["audit_period_ms"] = 10000;
    node_ = std::make_unique<HwmonNode>(env_, SensorMonitorConfig::from_json(config));
    return *node_;
  }

  // Moves time on in 100 ms steps, carrying the monitor's FM calls to the FM node as they come.
  void run(core::Duration d) {
    for (core::Duration t{}; t < d; t += core::milliseconds(100)) {
      env_.advance(core::milliseconds(100));
      while (!env_.calls.empty()) {
        auto calls = std::move(env_.calls);
        env_.calls.clear();
        for (auto& c : calls) fm_->serve(core::Peer{"controller-0", c.net}, c.request, core::Reply(c.done));
      }
    }
  }

  FakeBmc& bmc(const std::string& address = "10.0.0.10") { return *hw_.made.at(address); }

  // "alarm_id entity severity" of every active alarm, in raise order.
  std::vector<std::string> active() {
    std::vector<std::string> out;
    auto page = fm_->manager()->list(fm::AlarmQuery{});
    for (const auto& v : page->alarms)
      out.push_back(v.alarm.alarm_id + " " + v.alarm.entity_instance_id + " " +
                    std::string(fm::to_string(v.alarm.severity)));
    return out;
  }

  std::shared_ptr<fm::MemoryAlarmStore> store_ = std::make_shared<fm::MemoryAlarmStore>();
  ManualEnv fm_env_, env_;
  FakeHardware hw_;
  std::unique_ptr<fm::FmNode> fm_;
  std::unique_ptr<HwmonNode> node_;
};

using Strings = std::vector<std::string>;

TEST_F(SensorMonitorTest, AlarmFollowsTheSensorsBand) {
  auto& n = start();
  n.monitor.watch(host("worker-0"));
  ASSERT_EQ(hw_.endpoints.size(), 1u);
  EXPECT_EQ(hw_.endpoints[0].host, "worker-0");
  EXPECT_EQ(hw_.endpoints[0].address, "10.0.0.10");
  EXPECT_EQ(hw_.endpoints[0].user, "admin");
  EXPECT_EQ(hw_.endpoints[0].password, "secret");
  EXPECT_EQ(hw_.endpoints[0].protocol, "ipmi");

  run(core::seconds(2));  // first audit at 1 s
  EXPECT_EQ(bmc().reads, 1);
  EXPECT_TRUE(active().empty());
  ASSERT_NE(n.monitor.sensors("worker-0"), nullptr);
  EXPECT_EQ(n.monitor.sensors("worker-0")->size(), 2u);
  EXPECT_TRUE(n.monitor.bmc_reachable("worker-0"));

  const std::string entity = "200.007 host=worker-0.sensor=CPU_Temp ";
  bmc().set("CPU Temp", 80);
  run(core::seconds(10));
  EXPECT_EQ(active(), Strings{entity + "minor"});
  EXPECT_TRUE(n.monitor.sensors("worker-0")->at("CPU Temp").alarmed);
  bmc().set("CPU Temp", 86);
  run(core::seconds(10));
  EXPECT_EQ(active(), Strings{entity + "major"});
  bmc().set("CPU Temp", 95);
  run(core::seconds(10));
  EXPECT_EQ(active(), Strings{entity + "critical"});
  bmc().set("Fan 1", 900);
  run(core::seconds(10));
  EXPECT_EQ(active(), (Strings{entity + "critical", "200.007 host=worker-0.sensor=Fan_1 major"}));
  bmc().set("CPU Temp", 45);
  bmc().set("Fan 1", 4500);
  run(core::seconds(10));
  EXPECT_TRUE(active().empty());
  EXPECT_FALSE(n.monitor.sensors("worker-0")->at("CPU Temp").alarmed);

  const auto logs = env_.logger.with_event("hwmon.sensor");
  ASSERT_EQ(logs.size(), 6u) << "one record per change of band";
  EXPECT_EQ(core::format_fields(logs[0].fields),
            "host=worker-0 sensor=CPU Temp type=temperature status=non-critical action=alarm value=80");
}

TEST_F(SensorMonitorTest, AnUnavailableReadingKeepsTheAlarmItHad) {
  start().monitor.watch(host("worker-0"));
  run(core::seconds(2));
  bmc().set("CPU Temp", 90);
  run(core::seconds(10));
  bmc().set("CPU Temp", std::nullopt);
  run(core::seconds(10));
  EXPECT_EQ(active(), Strings{"200.007 host=worker-0.sensor=CPU_Temp major"});
}

TEST_F(SensorMonitorTest, AnUnreachableBmcRaises200010UntilItAnswersAgain) {
  auto& n = start();
  n.monitor.watch(host("worker-0"));
  run(core::seconds(2));
  bmc().error = core::BmcError{core::BmcErrorCode::Unreachable, "no answer"};
  run(core::seconds(10));
  EXPECT_EQ(active(), Strings{"200.010 host=worker-0 warning"});
  EXPECT_FALSE(n.monitor.bmc_reachable("worker-0"));
  run(core::seconds(20));  // still down: no second raise, one log for the change
  EXPECT_EQ(env_.logger.with_event("hwmon.bmc_access").size(), 2u);  // ok at start, then the failure

  bmc().error = core::BmcError{core::BmcErrorCode::Auth, "bad password"};
  run(core::seconds(10));
  EXPECT_EQ(active(), Strings{"200.010 host=worker-0 warning"});

  bmc().error.reset();
  run(core::seconds(10));
  EXPECT_TRUE(active().empty());
  EXPECT_TRUE(n.monitor.bmc_reachable("worker-0"));
  EXPECT_EQ(fm_->manager()->event_count(), 2u) << "one set, one clear";
}

TEST_F(SensorMonitorTest, AProtocolErrorIsLoggedNotAlarmed) {
  auto& n = start();
  n.monitor.watch(host("worker-0"));
  run(core::seconds(1));  // the first audit's read is in flight
  bmc().error = core::BmcError{core::BmcErrorCode::Protocol, "Invalid command"};
  run(core::seconds(1));
  EXPECT_TRUE(active().empty());
  EXPECT_FALSE(n.monitor.bmc_reachable("worker-0"));
  ASSERT_EQ(env_.logger.with_event("hwmon.bmc_access").size(), 1u);
  EXPECT_EQ(env_.logger.with_event("hwmon.bmc_access")[0].level, core::LogLevel::Warn);
}

TEST_F(SensorMonitorTest, ResetActionResetsTheHostOncePerEpisode) {
  start({{"actions", {{"temperature", "reset"}, {"fan", "powercycle"}}}}).monitor.watch(host("worker-0"));
  run(core::seconds(2));
  bmc().set("CPU Temp", 99);
  run(core::seconds(30));  // three audits in the non-recoverable band
  EXPECT_EQ(bmc().actions, Strings{"reset"});
  EXPECT_EQ(active(), Strings{"200.007 host=worker-0.sensor=CPU_Temp critical"}) << "the alarm stays besides the action";
  bmc().set("CPU Temp", 90);
  run(core::seconds(10));
  bmc().set("CPU Temp", 99);
  run(core::seconds(10));
  EXPECT_EQ(bmc().actions, (Strings{"reset", "reset"})) << "a new episode acts again";
  bmc().set("Fan 1", 100);
  run(core::seconds(10));
  EXPECT_EQ(bmc().actions, (Strings{"reset", "reset", "power-cycle"}));
  EXPECT_EQ(env_.logger.with_event("hwmon.action").size(), 3u);
}

TEST_F(SensorMonitorTest, ALockedHostIsNeverResetAutomatically) {
  auto h = host("worker-0");
  h.administrative = inv::AdminState::Locked;
  start({{"actions", {{"temperature", "reset"}}}}).monitor.watch(h);
  run(core::seconds(2));
  bmc().set("CPU Temp", 99);
  run(core::seconds(10));
  EXPECT_TRUE(bmc().actions.empty());
  EXPECT_EQ(active(), Strings{"200.007 host=worker-0.sensor=CPU_Temp critical"});
  const auto logs = env_.logger.with_event("hwmon.action");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_NE(core::format_fields(logs[0].fields).find("ok=false"), std::string::npos);
}

TEST_F(SensorMonitorTest, LogAndIgnoreActionsRaiseNothingForNonRecoverableReadings) {
  start({{"actions", {{"temperature", "log"}, {"fan", "ignore"}}}}).monitor.watch(host("worker-0"));
  run(core::seconds(2));
  bmc().set("CPU Temp", 90);
  bmc().set("Fan 1", 900);
  run(core::seconds(10));
  EXPECT_EQ(active(), (Strings{"200.007 host=worker-0.sensor=CPU_Temp major", "200.007 host=worker-0.sensor=Fan_1 major"}))
      << "the actions concern non-recoverable readings only";
  env_.logger.records.clear();
  bmc().set("CPU Temp", 99);
  bmc().set("Fan 1", 100);
  run(core::seconds(10));
  EXPECT_TRUE(active().empty()) << "the worse band's handling replaces the alarm";
  EXPECT_TRUE(bmc().actions.empty());
  const auto logs = env_.logger.with_event("hwmon.sensor");
  ASSERT_EQ(logs.size(), 1u) << "log logs; ignore does not";
  EXPECT_EQ(core::format_fields(logs[0].fields),
            "host=worker-0 sensor=CPU Temp type=temperature status=non-recoverable action=log value=99");
}

TEST_F(SensorMonitorTest, AuditsEveryPeriodAndSkipsWhileAReadIsInFlight) {
  start({{"audit_period_ms", 10000}, {"first_audit_ms", 500}}).monitor.watch(host("worker-0"));
  run(core::milliseconds(25'500));
  EXPECT_EQ(bmc().reads, 3);  // 0.5 s, 10.5 s, 20.5 s
  bmc().latency = core::seconds(15);  // slower than the period: every other audit finds a read in flight
  run(core::seconds(40));
  EXPECT_EQ(bmc().reads, 5);  // 30.5 (answers at 45.5), 50.5 (answers at 65.5)
  EXPECT_EQ(env_.logger.with_event("hwmon.audit_skipped").size(), 2u);
}

TEST_F(SensorMonitorTest, UnwatchClearsTheHostsAlarmsAndStopsAuditing) {
  auto& n = start();
  n.monitor.watch(host("worker-0"));
  n.monitor.watch(host("worker-1", "10.0.0.11"));
  run(core::seconds(2));
  bmc().set("CPU Temp", 90);
  bmc("10.0.0.11").set("Fan 1", 800);
  run(core::seconds(10));
  bmc().error = core::BmcError{core::BmcErrorCode::Timeout, "timed out"};
  run(core::seconds(10));
  EXPECT_EQ(active().size(), 3u);
  n.monitor.unwatch("worker-0");
  run(core::seconds(1));
  EXPECT_EQ(active(), Strings{"200.007 host=worker-1.sensor=Fan_1 major"});
  const int reads = bmc().reads;
  run(core::seconds(30));
  EXPECT_EQ(bmc().reads, reads);
  EXPECT_EQ(n.monitor.sensors("worker-0"), nullptr);
}

TEST_F(SensorMonitorTest, AHostWithoutABmcIsNotAudited) {
  auto& n = start();
  auto h = host("worker-0");
  h.bm_type = inv::BmType::None;
  n.monitor.watch(h);
  run(core::seconds(30));
  EXPECT_TRUE(hw_.endpoints.empty());
  EXPECT_FALSE(n.monitor.bmc_reachable("worker-0"));
}

TEST_F(SensorMonitorTest, ANewBmcAddressReplacesTheHandleAndDropsTheOldAnswer) {
  auto& n = start();
  n.monitor.watch(host("worker-0"));
  hw_.template_readings = {cpu_temp(90)};
  run(core::seconds(1));  // the old handle's read is in flight (answers at 1.1 s)
  n.monitor.watch(host("worker-0", "10.0.0.99"));
  run(core::seconds(2));
  EXPECT_EQ(hw_.endpoints.size(), 2u);
  EXPECT_EQ(bmc("10.0.0.99").reads, 1);
  EXPECT_EQ(active(), Strings{"200.007 host=worker-0.sensor=CPU_Temp major"});
  ASSERT_EQ(n.monitor.sensors("worker-0")->size(), 1u) << "only the new BMC's readings";
  // The same settings again (e.g. after a lock): no new handle.
  auto locked = host("worker-0", "10.0.0.99");
  locked.administrative = inv::AdminState::Locked;
  n.monitor.watch(locked);
  EXPECT_EQ(hw_.endpoints.size(), 2u);
}

TEST_F(SensorMonitorTest, TheFirstReadClearsWhatAnEarlierIncarnationLeft) {
  // A previous life of the controller raised these; this one finds everything fine.
  fm::Alarm stale;
  stale.alarm_id = "200.007";
  stale.entity_type_id = "host";
  stale.entity_instance_id = "host=worker-0.sensor=CPU_Temp";
  stale.severity = fm::Severity::Major;
  auto& n = start();
  n.fm.raise(stale);
  stale.alarm_id = "200.010";
  stale.entity_instance_id = "host=worker-0";
  stale.severity = fm::Severity::Warning;
  n.fm.raise(stale);
  run(core::milliseconds(100));
  ASSERT_EQ(active().size(), 2u);
  n.monitor.watch(host("worker-0"));
  run(core::seconds(2));
  EXPECT_TRUE(active().empty());
}

std::string config_error(const nlohmann::json& j) {
  try {
    SensorMonitorConfig::from_json(j);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SensorMonitorConfig, ReadsKeysAndNamesTheBadOne) {
  const auto c = SensorMonitorConfig::from_json({{"audit_period_ms", 1000}, {"first_audit_ms", 0},
                                                 {"actions", {{"temperature", "powercycle"}}}});
  EXPECT_EQ(c.audit_period, core::seconds(1));
  EXPECT_EQ(c.first_audit, core::Duration::zero());
  EXPECT_EQ(c.actions.at("temperature"), "powercycle");
  EXPECT_EQ(SensorMonitorConfig::from_json(nlohmann::json::object()).audit_period, core::seconds(120));

  EXPECT_EQ(config_error({{"audit_period_ms", 500}}), "hwmon config: audit_period_ms: must be a number in [1000, 86400000]");
  EXPECT_EQ(config_error({{"actions", {{"temprature", "reset"}}}}),
            "hwmon config: actions.temprature: unknown sensor type (one of temperature, fan, voltage, current, power, other)");
  EXPECT_EQ(config_error({{"actions", {{"fan", "explode"}}}}),
            "hwmon config: actions.fan: must be one of alarm, log, reset, powercycle, ignore");
  EXPECT_EQ(config_error({{"actions", "reset"}}), "hwmon config: actions: must be an object of sensor type -> action");
  EXPECT_NE(config_error({{"audit_period", 1000}}).find("audit_period"), std::string::npos);
}

}  // namespace
}  // namespace roost::mtce
