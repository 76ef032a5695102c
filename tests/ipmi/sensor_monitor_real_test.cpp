// SensorMonitor (platform/mtce/sensor_monitor) against a real BMC: an in-process RealRuntime hosts an FM
// node (SQLite store in a temp dir) and a small "hwmon-probe" node that owns a SensorMonitor watching one
// host whose BMC is ipmi_sim on loopback (tests/ipmi/ipmi_sim_lab.h), audited every second through real
// ipmitool runs. The test pushes the CPU temperature over its upper critical threshold and back, then
// stops ipmi_sim, and reads the alarms from the FM node's manager.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <random>

#include "backends/log_sink.h"
#include "backends/runtime.h"
#include "backends/runtime_config.h"
#include "platform/fm/fm_client.h"
#include "platform/fm/fm_node.h"
#include "platform/mtce/sensor_monitor.h"
#include "platform/roles.h"
#include "tests/ipmi/ipmi_sim_lab.h"
#include "tests/support/lab_layout.h"

namespace roost::testing {
namespace {

using namespace std::chrono_literals;

// "hwmon-probe": config {"fm_node", "hwmon": SensorMonitorConfig, "host": {"hostname", "bm_ip", "bm_port",
// "bm_username", "bm_password"}}: watches that one (unlocked, IPMI) host from start().
class HwmonProbe final : public core::Node {
 public:
  HwmonProbe(core::Env& env, const core::NodeSpec& spec)
      : core::Node(env, spec),
        fm_(*this, fm::FmClientConfig{.fm_node = spec.config.at("fm_node").get<std::string>()}),
        monitor_(*this, mtce::SensorMonitorConfig::from_json(spec.config.at("hwmon")), fm_) {}

  void start() override {
    const auto& h = spec().config.at("host");
    inv::Host host;
    host.hostname = h.at("hostname").get<std::string>();
    host.bm_type = inv::BmType::Ipmi;
    host.bm_ip = h.at("bm_ip").get<std::string>();
    host.bm_port = h.at("bm_port").get<std::uint16_t>();
    host.bm_username = h.at("bm_username").get<std::string>();
    host.bm_password = h.at("bm_password").get<std::string>();
    host.administrative = inv::AdminState::Unlocked;
    host.operational = inv::OperState::Enabled;
    monitor_.watch(host);
  }

 private:
  fm::FmClient fm_;
  mtce::SensorMonitor monitor_;
};

const core::RoleRegistry& roles() {
  static const core::RoleRegistry r = [] {
    core::RoleRegistry r = platform::roles();
    r.add("hwmon-probe",
          [](core::Env& env, const core::NodeSpec& spec) { return std::make_unique<HwmonProbe>(env, spec); });
    return r;
  }();
  return r;
}

class SensorMonitorReal : public ::testing::Test {
 protected:
  SensorMonitorReal() {
    std::random_device rd;
    data_dir_ = std::filesystem::temp_directory_path() /
                ("roost-hwmon-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(data_dir_);
    const auto e = bmc.endpoint("worker-0");
    LabNode fm{"fm-0", "fm", "here", {{"rest_port", 0}}};
    LabNode probe{"controller-0", "hwmon-probe", "here",
                  {{"fm_node", "fm-0"},
                   {"hwmon", {{"audit_period_ms", 1000}, {"first_audit_ms", 200}}},
                   {"host",
                    {{"hostname", "worker-0"}, {"bm_ip", e.address}, {"bm_port", e.port}, {"bm_username", e.user},
                     {"bm_password", e.password}}}}};
    layout = std::make_unique<LabLayout>(std::vector<LabNode>{fm, probe});
    auto j = layout->config_for("here", {{"level", "info"}, {"stderr", false}});
    j["data_dir"] = data_dir_.string();
    config = backends::parse_runtime_config(j, roles());
    sink = std::make_unique<backends::LogSink>(config.log);
    sink->set_tap([this](const backends::LogRecord& r) { records.push_back(r); });
    runtime = std::make_unique<backends::RealRuntime>(config, *sink, roles());
  }
  ~SensorMonitorReal() override {
    runtime.reset();
    bmc.stop();
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }

  // "alarm_id entity severity" of the FM's active alarms. Call from the runtime's thread (run_until's predicate).
  std::vector<std::string> active() {
    auto* fm = dynamic_cast<fm::FmNode*>(runtime->node("fm-0"));
    if (!fm || !fm->manager()) return {"(no FM)"};
    std::vector<std::string> out;
    auto page = fm->manager()->list(fm::AlarmQuery{});
    for (const auto& v : page->alarms)
      out.push_back(v.alarm.alarm_id + " " + v.alarm.entity_instance_id + " " +
                    std::string(fm::to_string(v.alarm.severity)));
    return out;
  }

  bool active_is(const std::vector<std::string>& want, core::Duration limit) {
    return runtime->run_until([&] { return active() == want; }, limit);
  }

  std::string what_happened() {
    std::string out = "active alarms:";
    for (const auto& a : active()) out += " [" + a + "]";
    out += "\nlog:\n";
    for (const auto& r : records)
      if (r.event.rfind("hwmon.", 0) == 0 || r.event.rfind("fm_client.", 0) == 0)
        out += "  " + r.event + " " + r.fields.dump() + "\n";
    return out;
  }

  IpmiSimLab bmc;
  std::filesystem::path data_dir_;
  std::unique_ptr<LabLayout> layout;
  backends::RuntimeConfig config;
  std::vector<backends::LogRecord> records;  // declared before the runtime: it logs while it is destroyed
  std::unique_ptr<backends::LogSink> sink;
  std::unique_ptr<backends::RealRuntime> runtime;
};

TEST_F(SensorMonitorReal, ACriticalTemperatureRaises200007AndALostBmcRaises200010) {
  runtime->start();
  ASSERT_TRUE(runtime->run_until(
      [&] {
        for (const auto& r : records)
          if (r.event == "hwmon.bmc_access" && r.fields.value("ok", false)) return true;
        return false;
      },
      15s))
      << "the first audit reaches ipmi_sim\n" << what_happened();
  EXPECT_TRUE(active().empty()) << what_happened();

  bmc.set_sensor("cpu_temp", 90);  // upper critical is 85 (tests/ipmi/bmc.sdrs)
  ASSERT_TRUE(active_is({"200.007 host=worker-0.sensor=CPU_Temp major"}, 10s)) << what_happened();

  bmc.set_sensor("cpu_temp", 45);
  ASSERT_TRUE(active_is({}, 10s)) << what_happened();

  bmc.stop();  // no BMC answers any more: ipmitool gives up after ~6 s
  ASSERT_TRUE(active_is({"200.010 host=worker-0 warning"}, 20s)) << what_happened();
}

}  // namespace
}  // namespace roost::testing
