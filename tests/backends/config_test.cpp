// roostd's config: every error names the JSON path of what is wrong.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "backends/log_sink.h"
#include "backends/runtime.h"
#include "backends/runtime_config.h"
#include "platform/roles.h"
#include "tests/support/lab_layout.h"

namespace roost::backends {
namespace {

nlohmann::json valid() {
  return nlohmann::json::parse(R"({
    "seed": 7,
    "log": {"level": "debug", "stderr": false},
    "ports": {"datagram": 17400, "call": 17401},
    "nodes": [
      {"name": "controller-0", "role": "pulse-controller", "site": "lab",
       "config": {"hosts": ["worker-0"], "period_ms": 50},
       "addresses": {"mgmt": "127.0.1.1", "cluster-host": "127.0.2.1"}},
      {"name": "worker-0", "role": "pulse-host", "addresses": {"mgmt": "127.0.1.2"}}
    ],
    "peers": [ {"name": "worker-1", "addresses": {"management": "127.0.1.3", "oam": "::1"}} ]
  })");
}

// Parses `j` expecting failure; returns the error's path, and its message through `what`.
std::string error_path(const nlohmann::json& j, std::string* what = nullptr) {
  try {
    parse_runtime_config(j, platform::roles());
  } catch (const ConfigError& e) {
    if (what) *what = e.what();
    return e.path();
  }
  ADD_FAILURE() << "config was accepted: " << j.dump();
  return "";
}

TEST(RuntimeConfig, ParsesAValidConfig) {
  const auto c = parse_runtime_config(valid(), platform::roles());
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.log.level, core::LogLevel::Debug);
  EXPECT_FALSE(c.log.to_stderr);
  EXPECT_FALSE(c.log.file.has_value());
  EXPECT_EQ(c.ports.datagram, 17400);
  EXPECT_EQ(c.ports.call, 17401);
  ASSERT_EQ(c.nodes.size(), 2u);
  EXPECT_EQ(c.nodes[0].spec.name, "controller-0");
  EXPECT_EQ(c.nodes[0].spec.role, "pulse-controller");
  EXPECT_EQ(c.nodes[0].spec.site, "lab");
  EXPECT_EQ(c.nodes[0].spec.config["period_ms"], 50);
  EXPECT_EQ(c.nodes[0].addresses.at(core::Network::ClusterHost), "127.0.2.1");
  EXPECT_EQ(c.nodes[1].spec.site, "");
  ASSERT_EQ(c.peers.size(), 1u);
  EXPECT_EQ(c.peers[0].addresses.at(core::Network::Management), "127.0.1.3");
  EXPECT_EQ(c.peers[0].addresses.at(core::Network::Oam), "::1");
  // What to_json renders parses back to the same config.
  EXPECT_EQ(parse_runtime_config(c.to_json(), platform::roles()).to_json(), c.to_json());
}

TEST(RuntimeConfig, TheShippedExampleParses) {
  const auto c = load_runtime_config(ROOST_SOURCE_DIR "/tools/roostd/example.json", platform::roles());
  EXPECT_EQ(c.nodes.size(), 2u);
  EXPECT_EQ(c.peers.size(), 1u);
}

TEST(RuntimeConfig, DefaultsWhenOptionalSectionsAreAbsent) {
  const auto c = parse_runtime_config(nlohmann::json{{"nodes", nlohmann::json::array()}}, platform::roles());
  EXPECT_EQ(c.seed, 1u);
  EXPECT_EQ(c.ports.datagram, 7400);
  EXPECT_EQ(c.ports.call, 7401);
  EXPECT_EQ(c.log.level, core::LogLevel::Info);
  EXPECT_TRUE(c.log.to_stderr);
}

TEST(RuntimeConfig, UnknownFieldsAreRejectedWhereverTheyAre) {
  auto j = valid();
  j["sede"] = 1;
  EXPECT_EQ(error_path(j), "sede");
  j = valid();
  j["nodes"][1]["rol"] = "x";
  EXPECT_EQ(error_path(j), "nodes[1].rol");
  j = valid();
  j["log"]["colour"] = true;
  EXPECT_EQ(error_path(j), "log.colour");
  j = valid();
  j["peers"][0]["role"] = "pulse-host";
  EXPECT_EQ(error_path(j), "peers[0].role");
}

TEST(RuntimeConfig, WrongTypesNameTheirPath) {
  std::string what;
  auto j = valid();
  j["seed"] = "seven";
  EXPECT_EQ(error_path(j, &what), "seed");
  EXPECT_NE(what.find("integer"), std::string::npos) << what;
  j = valid();
  j["ports"]["call"] = 70000;
  EXPECT_EQ(error_path(j, &what), "ports.call");
  EXPECT_NE(what.find("out of range"), std::string::npos) << what;
  j = valid();
  j["nodes"][0]["config"] = "hosts";
  EXPECT_EQ(error_path(j), "nodes[0].config");
  j = valid();
  j["nodes"] = nlohmann::json::object();
  EXPECT_EQ(error_path(j), "nodes");
  j = valid();
  j["log"]["level"] = "loud";
  EXPECT_EQ(error_path(j), "log.level");
  j = valid();
  j["ports"]["call"] = j["ports"]["datagram"];
  EXPECT_EQ(error_path(j), "ports.call");
}

TEST(RuntimeConfig, MissingNameAndRole) {
  auto j = valid();
  j["nodes"][1].erase("name");
  EXPECT_EQ(error_path(j), "nodes[1].name");
  j = valid();
  j["peers"][0]["name"] = "";
  EXPECT_EQ(error_path(j), "peers[0].name");
  j = valid();
  j["nodes"][0].erase("role");
  EXPECT_EQ(error_path(j), "nodes[0].role");
  j = valid();
  j.erase("nodes");
  EXPECT_EQ(error_path(j), "nodes");
}

TEST(RuntimeConfig, DuplicateNodesAndAddresses) {
  std::string what;
  auto j = valid();
  j["peers"][0]["name"] = "worker-0";
  EXPECT_EQ(error_path(j, &what), "peers[0].name");
  EXPECT_NE(what.find("duplicate node \"worker-0\""), std::string::npos) << what;
  j = valid();
  j["peers"][0]["addresses"]["management"] = "127.0.1.1";
  EXPECT_EQ(error_path(j, &what), "peers[0].addresses.mgmt");
  EXPECT_NE(what.find("nodes[0].addresses.mgmt"), std::string::npos) << what;
}

TEST(RuntimeConfig, BadAddressesAndNetworks) {
  std::string what;
  auto j = valid();
  j["nodes"][0]["addresses"]["mgmt"] = "127.0.1";
  EXPECT_EQ(error_path(j, &what), "nodes[0].addresses.mgmt");
  EXPECT_NE(what.find("not an IP address"), std::string::npos) << what;
  j = valid();
  j["nodes"][0]["addresses"]["lan"] = "127.0.9.1";
  EXPECT_EQ(error_path(j, &what), "nodes[0].addresses.lan");
  EXPECT_NE(what.find("unknown network"), std::string::npos) << what;
  j = valid();
  j["nodes"][1]["addresses"] = nlohmann::json::object();
  EXPECT_EQ(error_path(j), "nodes[1].addresses");
  j = valid();
  j["nodes"][1].erase("addresses");
  EXPECT_EQ(error_path(j), "nodes[1].addresses");
  j = valid();
  j["nodes"][1]["addresses"]["mgmt"] = 12;
  EXPECT_EQ(error_path(j), "nodes[1].addresses.mgmt");
}

TEST(RuntimeConfig, FloatingNamesParseAndRoundTrip) {
  auto j = valid();
  j["floating"] = nlohmann::json::parse(R"([{"name": "controller", "addresses": {"mgmt": "127.0.1.100", "oam": "127.0.3.100"}}])");
  const auto c = parse_runtime_config(j, platform::roles());
  ASSERT_EQ(c.floating.size(), 1u);
  EXPECT_EQ(c.floating[0].name, "controller");
  EXPECT_EQ(c.floating[0].addresses.at(core::Network::Management), "127.0.1.100");
  EXPECT_EQ(c.floating[0].addresses.at(core::Network::Oam), "127.0.3.100");
  ASSERT_NE(c.find_floating("controller"), nullptr);
  EXPECT_EQ(c.find_floating("controller-0"), nullptr) << "a node is not a floating name";
  EXPECT_EQ(parse_runtime_config(c.to_json(), platform::roles()).to_json(), c.to_json());
  EXPECT_FALSE(parse_runtime_config(valid(), platform::roles()).to_json().contains("floating"));
}

TEST(RuntimeConfig, FloatingNameErrorsNameTheirPath) {
  auto with = [](const char* floating) {
    auto j = valid();
    j["floating"] = nlohmann::json::parse(floating);
    return j;
  };
  std::string what;
  EXPECT_EQ(error_path(with(R"({"name": "controller"})"), &what), "floating");
  EXPECT_NE(what.find("must be an array"), std::string::npos) << what;
  EXPECT_EQ(error_path(with(R"([{"name": "controller", "addresses": {"mgmt": "127.0.1.100"}, "port": 1}])")),
            "floating[0].port");
  EXPECT_EQ(error_path(with(R"([{"addresses": {"mgmt": "127.0.1.100"}}])")), "floating[0].name");
  EXPECT_EQ(error_path(with(R"([{"name": "controller"}])"), &what), "floating[0].addresses");
  EXPECT_NE(what.find("a floating name needs an address"), std::string::npos) << what;
  EXPECT_EQ(error_path(with(R"([{"name": "controller", "addresses": {"mgmt": "127.0.1"}}])"), &what),
            "floating[0].addresses.mgmt");
  EXPECT_NE(what.find("not an IP address"), std::string::npos) << what;
  EXPECT_EQ(error_path(with(R"([{"name": "c", "addresses": {"mgmt": "127.0.1.100"}},
                                {"name": "worker-1", "addresses": {"mgmt": "127.0.1.101"}}])"), &what),
            "floating[1].name");
  EXPECT_NE(what.find("the name of the node at peers[0]"), std::string::npos) << what;
  EXPECT_EQ(error_path(with(R"([{"name": "controller-0", "addresses": {"mgmt": "127.0.1.100"}}])"), &what),
            "floating[0].name");
  EXPECT_NE(what.find("nodes[0]"), std::string::npos) << what;
  EXPECT_EQ(error_path(with(R"([{"name": "c", "addresses": {"mgmt": "127.0.1.100"}},
                                {"name": "c", "addresses": {"mgmt": "127.0.1.101"}}])"), &what),
            "floating[1].name");
  EXPECT_NE(what.find("a floating name at floating[0]"), std::string::npos) << what;
  EXPECT_EQ(error_path(with(R"([{"name": "c", "addresses": {"mgmt": "127.0.1.2"}}])"), &what),
            "floating[0].addresses.mgmt");
  EXPECT_NE(what.find("already used at nodes[1].addresses.mgmt"), std::string::npos) << what;
}

TEST(RuntimeConfig, UnknownRoleListsTheKnownOnes) {
  std::string what;
  auto j = valid();
  j["nodes"][1]["role"] = "pulse-hots";
  EXPECT_EQ(error_path(j, &what), "nodes[1].role");
  EXPECT_NE(what.find("pulse-host"), std::string::npos) << what;
  EXPECT_NE(what.find("pulse-controller"), std::string::npos) << what;
}

TEST(RuntimeConfig, FileErrors) {
  try {
    load_runtime_config("/nonexistent/roostd.json", platform::roles());
    ADD_FAILURE() << "a missing file was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/roostd.json"), std::string::npos) << e.what();
  }
  const std::string path = ::testing::TempDir() + "/roost_config_test.json";
  std::ofstream(path) << "{\"nodes\": [,]}";
  try {
    load_runtime_config(path, platform::roles());
    ADD_FAILURE() << "invalid JSON was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
  auto j = valid();
  j["nodes"][0]["addresses"]["mgmt"] = "nope";
  std::ofstream(path) << j.dump();
  try {
    load_runtime_config(path, platform::roles());
    ADD_FAILURE() << "a bad address was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "nodes[0].addresses.mgmt");
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

// A lab of a pulse-controller and a pulse-host on fresh random loopback addresses and ports.
nlohmann::json lab_config(nlohmann::json controller_config) {
  testing::LabNode ctl{"controller-0", "pulse-controller", "here", std::move(controller_config)};
  testing::LabNode host{"worker-0", "pulse-host", "here"};
  return testing::LabLayout({ctl, host}).config_for("here", {{"stderr", false}});
}

// A role that rejects its own config (here: a pulse-controller without hosts) is a config error at
// nodes[i].config, raised when the runtime builds the node; nothing stays bound.
TEST(RuntimeConfig, RoleRejectingItsConfigIsAConfigErrorAtStart) {
  auto j = lab_config({{"period_ms", 50}});
  const auto c = parse_runtime_config(j, platform::roles());
  LogSink sink(c.log);
  RealRuntime rt(c, sink);
  try {
    rt.start();
    ADD_FAILURE() << "start accepted a pulse-controller without hosts";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path(), "nodes[0].config");
    EXPECT_NE(std::string(e.what()).find("hosts"), std::string::npos) << e.what();
  }
  // The failed start released its addresses: a second runtime on the same ones starts.
  j["nodes"][0]["config"] = {{"hosts", {"worker-0"}}};
  RealRuntime rt2(parse_runtime_config(j, platform::roles()), sink);
  EXPECT_NO_THROW(rt2.start());
}

TEST(RuntimeConfig, AddressInUseIsAStartErrorNamingIt) {
  const auto j = lab_config({{"hosts", {"worker-0"}}});
  const auto c = parse_runtime_config(j, platform::roles());
  LogSink sink(c.log);
  RealRuntime first(c, sink);
  first.start();
  RealRuntime second(c, sink);
  const std::string where = j["nodes"][0]["addresses"]["mgmt"].get<std::string>() + ":" +
                            std::to_string(j["ports"]["datagram"].get<int>());
  try {
    second.start();
    ADD_FAILURE() << "two runtimes bound the same addresses";
  } catch (const StartError& e) {
    EXPECT_NE(std::string(e.what()).find(where), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("controller-0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace roost::backends
