// roostd's admin API (backends/admin_api.h) on a real listener: list the hosted nodes, stop ONE of them
// while the others run on (its addresses are closed: calls to it fail as unreachable), start it again as a
// new incarnation; unknown nodes and bad admin addresses are refused with messages naming them.
#include <gtest/gtest.h>

#include <future>

#include "backends/blocking_http.h"
#include "in_process_lab.h"

namespace roost::testing {
namespace {

using core::Network;
constexpr auto kLimit = core::seconds(5);

// An in-process runtime with the admin API on probe a's OAM address (random per layout) and its own port.
class AdminLab {
 public:
  explicit AdminLab(std::vector<LabNode> nodes)
      : layout(std::move(nodes)),
        roles(test_roles()),
        config(make_config()),
        sink(config.log),
        runtime(config, sink, roles) {
    sink.set_tap([this](const backends::LogRecord& r) { records.push_back(r); });
    runtime.start();
  }

  // One admin request from another thread while this one runs the runtime's loop.
  backends::HttpClientResult request(const std::string& method, const std::string& target) {
    auto answer = std::async(std::launch::async, [&] {
      backends::BlockingHttpClient http(backends::HttpUrl{config.admin->address, config.admin->port, ""}, core::seconds(3));
      return http.request(method, target, "");
    });
    runtime.run_until([&] { return answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }, kLimit);
    return answer.get();
  }
  nlohmann::json json(const std::string& method, const std::string& target, int expected_status) {
    const auto r = request(method, target);
    EXPECT_EQ(r.status, expected_status) << method << " " << target << ": " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  std::size_t count(std::string_view event, const std::string& node) const {
    std::size_t n = 0;
    for (const auto& r : records) n += r.event == event && r.node == node;
    return n;
  }
  // b's echo call to `to`: the failure code, or nullopt when it was answered.
  std::optional<core::CallError> echo(const std::string& from, const std::string& to) {
    std::optional<core::Result<EchoReply>> got;
    dynamic_cast<ProbeNode&>(*runtime.node(from))
        .call(to, Network::Management, Echo{"x"}, core::seconds(2), [&](core::Result<EchoReply> r) { got.emplace(std::move(r)); });
    EXPECT_TRUE(runtime.run_until([&] { return got.has_value(); }, kLimit));
    if (!got || *got) return std::nullopt;
    return got->failure().code;
  }

  LabLayout layout;
  core::RoleRegistry roles;
  std::vector<backends::LogRecord> records;
  backends::RuntimeConfig config;
  backends::LogSink sink;
  backends::RealRuntime runtime;

 private:
  backends::RuntimeConfig make_config() {
    auto j = layout.config_for("here", {{"level", "info"}, {"stderr", false}});
    j["admin"] = {{"address", layout.address(layout.nodes().front().name, Network::Oam)},
                  {"port", layout.call_port() + 2}};
    return backends::parse_runtime_config(j, roles);
  }
};

TEST(AdminApi, StopsAndStartsOneHostedNodeWhileTheOthersRunOn) {
  AdminLab lab({probe("a"), probe("b"), probe("c")});
  ASSERT_FALSE(lab.runtime.admin_endpoint().empty());

  const auto listed = lab.json("GET", "/v1/nodes", 200);
  ASSERT_EQ(listed["nodes"].size(), 3u) << listed.dump();
  for (const auto& n : listed["nodes"]) {
    EXPECT_EQ(n["state"], "up") << n.dump();
    EXPECT_EQ(n["incarnation"], 1) << n.dump();
    EXPECT_EQ(n["role"], "probe");
  }
  ASSERT_FALSE(lab.echo("a", "b").has_value());

  auto stopped = lab.json("POST", "/v1/nodes/b/stop", 200);
  EXPECT_EQ(stopped["state"], "down");
  EXPECT_EQ(stopped["changed"], true);
  EXPECT_EQ(lab.runtime.node("b"), nullptr);
  EXPECT_EQ(lab.count("node.stopped", "b"), 1u);
  // Its addresses are closed: a call to it fails at once as unreachable, and c is untouched.
  EXPECT_EQ(lab.echo("a", "b"), core::CallError::Unreachable);
  EXPECT_FALSE(lab.echo("a", "c").has_value());
  EXPECT_EQ(lab.json("GET", "/v1/nodes/b", 200)["state"], "down");
  // Stopping it again changes nothing (idempotent for a test that retries).
  EXPECT_EQ(lab.json("POST", "/v1/nodes/b/stop", 200)["changed"], false);

  auto started = lab.json("POST", "/v1/nodes/b/start", 200);
  EXPECT_EQ(started["state"], "up");
  EXPECT_EQ(started["incarnation"], 2);
  EXPECT_EQ(started["changed"], true);
  EXPECT_FALSE(lab.echo("a", "b").has_value());
  EXPECT_EQ(lab.json("POST", "/v1/nodes/b/start", 200)["changed"], false);
  EXPECT_EQ(lab.count("node.started", "b"), 2u);
  EXPECT_EQ(lab.count("node.started", "c"), 1u) << "the other nodes were not restarted";
}

TEST(AdminApi, UnknownNodesAndPathsAreRefusedNamingThem) {
  AdminLab lab({probe("a")});
  auto r = lab.json("POST", "/v1/nodes/nobody/stop", 404);
  EXPECT_EQ(r["error"], "not-found");
  EXPECT_NE(r["detail"].get<std::string>().find("nobody"), std::string::npos) << r.dump();
  lab.json("POST", "/v1/nodes/nobody/start", 404);
  lab.json("GET", "/v1/nodes/nobody", 404);
  lab.json("POST", "/v1/nodes/a/reboot", 404);
  lab.json("GET", "/v1/nodes/a/stop", 405);
  EXPECT_NE(lab.runtime.node("a"), nullptr);
}

TEST(AdminApi, ConfigAcceptsOnlyLoopbackAddressesAndNamesTheField) {
  const auto roles = test_roles();
  const nlohmann::json base = {{"nodes", {{{"name", "a"}, {"role", "probe"}, {"addresses", {{"mgmt", "127.0.9.1"}}}}}}};
  auto with = [&](nlohmann::json admin) {
    auto j = base;
    j["admin"] = std::move(admin);
    return j;
  };
  auto error_of = [&](const nlohmann::json& j) -> std::string {
    try {
      backends::parse_runtime_config(j, roles);
    } catch (const backends::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(backends::parse_runtime_config(with({{"address", "127.0.0.1"}, {"port", 7499}}), roles).admin->port, 7499);
  EXPECT_EQ(backends::parse_runtime_config(with({{"address", "::1"}, {"port", 7499}}), roles).admin->address, "::1");
  EXPECT_NE(error_of(with({{"address", "10.0.0.1"}, {"port", 7499}})).find("admin.address: 10.0.0.1 is not a loopback"),
            std::string::npos);
  EXPECT_NE(error_of(with({{"address", "127.0.0.1"}})).find("admin.port: missing"), std::string::npos);
  EXPECT_NE(error_of(with({{"address", "127.0.0.1"}, {"port", 0}})).find("admin.port: 0 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(with({{"port", 7499}, {"host", "x"}})).find("admin.host: unknown field"), std::string::npos);

  EXPECT_EQ(backends::parse_admin_listen("127.0.0.2:7500", "--admin").address, "127.0.0.2");
  EXPECT_EQ(backends::parse_admin_listen("[::1]:7500", "--admin").address, "::1");
  for (const char* bad : {"7500", "127.0.0.1:", "127.0.0.1:http", "192.168.1.1:7500", "127.0.0.1:70000"}) {
    try {
      backends::parse_admin_listen(bad, "--admin");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const backends::ConfigError& e) {
      EXPECT_EQ(e.path().rfind("--admin", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace roost::testing
