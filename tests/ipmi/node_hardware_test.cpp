// The real runtime's hardware (NodeHost::hardware(), backends/node_hardware.h) with a real BMC: a node
// in an in-process RealRuntime drives ipmi_sim through env.hardware(), and a completion never reaches an
// incarnation other than the one that started the operation.
#include <gtest/gtest.h>

#include <algorithm>

#include "backends/log_sink.h"
#include "backends/runtime.h"
#include "backends/runtime_config.h"
#include "tests/ipmi/bmc_script.h"
#include "tests/ipmi/ipmi_sim_lab.h"
#include "tests/support/lab_layout.h"

namespace roost::testing {
namespace {

using namespace std::chrono_literals;

class RuntimeBmc : public ::testing::Test {
 protected:
  void host(const nlohmann::json& steps) {
    LabNode n;
    n.name = "controller-0";
    n.role = "bmc-script";
    n.process = "here";
    n.config = {{"bmc", endpoint_json(bmc.endpoint("worker-0"))}, {"steps", steps}};
    layout = std::make_unique<LabLayout>(std::vector<LabNode>{n});
    config = backends::parse_runtime_config(layout->config_for("here", {{"level", "debug"}, {"stderr", false}}),
                                            bmc_test_roles());
    sink = std::make_unique<backends::LogSink>(config.log);
    sink->set_tap([this](const backends::LogRecord& r) { records.push_back(r); });
    runtime = std::make_unique<backends::RealRuntime>(config, *sink, bmc_test_roles());
  }
  std::size_t count(const std::string& event) const {
    return std::count_if(records.begin(), records.end(), [&](const auto& r) { return r.event == event; });
  }

  std::size_t abandoned() const {
    return std::count_if(records.begin(), records.end(), [](const auto& r) {
      return r.event == "bmc.command" && r.fields.value("abandoned", false);
    });
  }

  IpmiSimLab bmc;
  std::unique_ptr<LabLayout> layout;
  backends::RuntimeConfig config;
  std::vector<backends::LogRecord> records;  // declared before the runtime: it logs while it is destroyed
  std::unique_ptr<backends::LogSink> sink;
  std::unique_ptr<backends::RealRuntime> runtime;
};

TEST_F(RuntimeBmc, ANodeDrivesARealBmcThroughItsEnv) {
  host({{{"op", "power-off"}}, {{"op", "status"}}, {{"op", "power-on"}}, {{"op", "sensors"}}});
  runtime->start();
  ASSERT_TRUE(runtime->run_until([&] { return count("script.done") == 1; }, 20s));
  std::vector<std::string> got;
  for (const auto& r : records)
    if (r.event == "script.result") got.push_back(r.fields.dump());
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[1], R"({"ok":true,"op":"status","state":"off","step":1})");
  EXPECT_EQ(count("script.sensor"), 2u);
  EXPECT_EQ(count("bmc.command"), 4u) << "the runtime logs every ipmitool run";
  const auto actions = bmc.actions();
  EXPECT_EQ(actions, (std::vector<std::string>{"power 0", "power 1"}));
}

TEST_F(RuntimeBmc, ARestartedNodeNeverHearsWhatItsPreviousLifeStarted) {
  host({{{"op", "status"}}});
  runtime->start();                        // incarnation 1 starts its power status query...
  runtime->restart_node("controller-0");  // ...and is replaced before the answer (~70 ms) comes
  ASSERT_TRUE(runtime->run_until([&] { return count("script.done") == 1 && count("bmc.command") == 2; }, 20s));
  runtime->run_for(200ms);
  EXPECT_EQ(count("script.result"), 1u) << "only incarnation 2 hears its answer";
  EXPECT_EQ(count("bmc.command"), 2u) << "both ipmitool runs finished and were reaped";
  EXPECT_EQ(abandoned(), 1u) << "incarnation 1's run is reported as abandoned";
}

TEST_F(RuntimeBmc, AStoppedNodeHearsNothingAndItsIpmitoolIsStillReaped) {
  host({{{"op", "sensors"}}});
  runtime->start();
  runtime->stop_node("controller-0");
  ASSERT_TRUE(runtime->run_until([&] { return count("bmc.command") == 1; }, 20s));
  runtime->run_for(200ms);
  EXPECT_EQ(count("script.sensor"), 0u);
  EXPECT_EQ(count("script.result"), 0u);
  EXPECT_EQ(abandoned(), 1u);
}

}  // namespace
}  // namespace roost::testing
