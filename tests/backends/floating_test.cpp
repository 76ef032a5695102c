// Floating names on the real runtime: two runtimes in this process stand for two roostd processes on
// one lab layout (loopback addresses), with the floating name "controller" on mgmt and oam. Whichever
// node claims it gets the datagrams, calls and HTTP requests sent to its addresses; the kernel refuses a
// second claimant; a release (or the node's end) frees the addresses at once for the other process.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "backends/http_client.h"
#include "in_process_lab.h"

namespace roost::testing {
namespace {

using core::CallError;
using core::Network;

constexpr core::Duration kLimit = core::seconds(5);

// One roostd process's runtime, hosting the layout's nodes of `process`.
struct Process {
  Process(const LabLayout& layout, const core::RoleRegistry& roles, const std::string& process)
      : config(backends::parse_runtime_config(layout.config_for(process, {{"level", "debug"}, {"stderr", false}}), roles)),
        sink(config.log),
        runtime(config, sink, roles) {
    sink.set_tap([this](const backends::LogRecord& r) { records.push_back(r); });
    runtime.start();
  }

  ProbeNode& probe(const std::string& name) {
    auto* p = dynamic_cast<ProbeNode*>(runtime.node(name));
    if (!p) throw std::logic_error(name + " is not a running probe");
    return *p;
  }
  const backends::LogRecord* last(std::string_view event, const std::string& node) const {
    for (auto it = records.rbegin(); it != records.rend(); ++it)
      if (it->event == event && it->node == node) return &*it;
    return nullptr;
  }

  std::vector<backends::LogRecord> records;  // before the runtime: it logs while it is destroyed
  backends::RuntimeConfig config;
  backends::LogSink sink;
  backends::RealRuntime runtime;
};

class FloatingLab {
 public:
  FloatingLab() : layout(make_layout()), roles(test_roles()), one(layout, roles, "one"), two(layout, roles, "two") {}

  // Runs both processes' loops (in this thread, taking turns) until `done` or the limit.
  bool run_until(const std::function<bool()>& done, core::Duration limit = kLimit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      const std::size_t n = one.runtime.io().poll() + two.runtime.io().poll();
      if (n == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
  }

  // A call from `caller` (a probe of process one) to "controller"; the answer's text or failure.
  core::Result<EchoReply> echo_via(const std::string& caller, Network net, const std::string& text) {
    std::optional<core::Result<EchoReply>> got;
    one.probe(caller).call("controller", net, Echo{text}, core::seconds(2),
                           [&](core::Result<EchoReply> r) { got.emplace(std::move(r)); });
    if (!run_until([&] { return got.has_value(); })) ADD_FAILURE() << "the call never completed";
    return got ? std::move(*got) : core::Result<EchoReply>(core::CallFailure{CallError::Timeout, "test gave up"});
  }

  // GET `target` at `address`:`port` through process one's loop.
  backends::HttpClientResult get(const std::string& address, std::uint16_t port, const std::string& target) {
    backends::HttpClient client(one.runtime.io());
    backends::HttpClientRequest req;
    req.address = address;
    req.port = port;
    req.method = "GET";
    req.target = target;
    req.timeout = core::seconds(2);
    std::optional<backends::HttpClientResult> got;
    client.request(req, [&](backends::HttpClientResult r) { got = std::move(r); });
    if (!run_until([&] { return got.has_value(); })) ADD_FAILURE() << "the GET never completed";
    return got.value_or(backends::HttpClientResult{});
  }

  std::string floating(Network net) const { return layout.floating_address("controller", net); }
  std::uint16_t api_port() const { return static_cast<std::uint16_t>(layout.call_port() + 1); }

  LabLayout layout;
  core::RoleRegistry roles;
  Process one;  // hosts a and c
  Process two;  // hosts b

 private:
  static LabLayout make_layout() {
    LabLayout l({probe("a", "one"), probe("c", "one"), probe("b", "two")});
    l.add_floating({"controller", {Network::Management, Network::Oam}});
    return l;
  }
};

// An API that says which node answered.
std::shared_ptr<const core::HttpRouter> who_router(const std::string& node) {
  auto r = std::make_shared<core::HttpRouter>();
  r->add("GET", "/v1/who", [node](const core::HttpRequest& req, core::HttpRespond respond) {
    respond(core::HttpResponse::json(200, {{"node", node}, {"local_address", req.local_address}}));
  });
  return r;
}

TEST(FloatingNames, TrafficFollowsTheClaimFromOneProcessToTheOther) {
  FloatingLab lab;
  auto& a = lab.one.probe("a");
  auto& b = lab.two.probe("b");
  // b serves its API before it claims, a after: both reach the floating address while they hold it.
  b.env().serve_http(Network::Oam, lab.api_port(), who_router("b"));

  // Nobody holds it yet: calls are refused at once.
  auto r = lab.echo_via("c", Network::Management, "early");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().code, CallError::Unreachable) << r.failure().detail;

  ASSERT_TRUE(a.env().claim_floating("controller"));
  EXPECT_TRUE(a.env().claim_floating("controller")) << "claiming a held name again is harmless";
  EXPECT_FALSE(b.env().claim_floating("controller")) << "a second claimant (another process) must fail";
  const auto* failed = lab.two.last("floating.claim_failed", "b");
  ASSERT_NE(failed, nullptr);
  const std::string why = failed->fields.value("error", "");
  EXPECT_NE(why.find(lab.floating(Network::Management)), std::string::npos) << "names the address: " << why;
  EXPECT_NE(why.find("in use"), std::string::npos) << why;
  a.env().serve_http(Network::Oam, lab.api_port(), who_router("a"));

  // Calls, datagrams and HTTP to "controller" reach a, which sees them as its own.
  r = lab.echo_via("c", Network::Management, "one");
  ASSERT_TRUE(r.ok()) << r.failure().detail;
  EXPECT_EQ(r->text, "one@a");
  r = lab.echo_via("c", Network::Oam, "oam");
  ASSERT_TRUE(r.ok()) << r.failure().detail;
  EXPECT_EQ(r->text, "oam@a");
  auto& c = lab.one.probe("c");
  c.send("controller", Network::Oam, Ping{7});
  ASSERT_TRUE(lab.run_until([&] { return c.pongs.size() == 1; }));
  ASSERT_EQ(a.pings.size(), 1u);
  EXPECT_EQ(a.pings[0].from.node, "c");
  EXPECT_EQ(a.pings[0].from.network, Network::Oam);
  EXPECT_EQ(c.pongs[0].from.node, "a") << "the answer comes from the node itself";
  auto who = lab.get(lab.floating(Network::Oam), lab.api_port(), "/v1/who");
  ASSERT_EQ(who.failure, backends::HttpClientResult::Failure::None) << who.detail;
  EXPECT_EQ(nlohmann::json::parse(who.body)["node"], "a");
  EXPECT_EQ(nlohmann::json::parse(who.body)["local_address"], lab.floating(Network::Oam));
  // Routes added to the node's own router are on its floating call listener too.
  lab.one.runtime.router("a", Network::Management)
      .add("GET", "/v1/ping", [](const backends::HttpRequest&, backends::HttpRespond respond) {
        respond(backends::HttpResponse::json(200, {{"pong", true}}));
      });
  EXPECT_EQ(lab.get(lab.floating(Network::Management), lab.layout.call_port(), "/v1/ping").status, 200);

  // a releases: nobody answers; b claims at once (the addresses are free right after the release).
  a.env().release_floating("controller");
  r = lab.echo_via("c", Network::Management, "between");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().code, CallError::Unreachable) << r.failure().detail;
  EXPECT_EQ(lab.get(lab.floating(Network::Oam), lab.api_port(), "/v1/who").failure,
            backends::HttpClientResult::Failure::Refused);
  ASSERT_TRUE(b.env().claim_floating("controller"));
  r = lab.echo_via("c", Network::Management, "two");
  ASSERT_TRUE(r.ok()) << r.failure().detail;
  EXPECT_EQ(r->text, "two@b");
  c.send("controller", Network::Management, Ping{8});
  ASSERT_TRUE(lab.run_until([&] { return c.pongs.size() == 2; }));
  EXPECT_EQ(c.pongs[1].from.node, "b");
  EXPECT_EQ(a.pings.size(), 1u) << "a no longer gets what is sent to the floating name";
  who = lab.get(lab.floating(Network::Oam), lab.api_port(), "/v1/who");
  ASSERT_EQ(who.failure, backends::HttpClientResult::Failure::None) << who.detail;
  EXPECT_EQ(nlohmann::json::parse(who.body)["node"], "b");
  EXPECT_FALSE(a.env().claim_floating("controller"));

  // stop_http closes b's API on its own address and on the floating one; the node's calls still work.
  b.env().stop_http(Network::Oam, lab.api_port());
  EXPECT_EQ(lab.get(lab.floating(Network::Oam), lab.api_port(), "/v1/who").failure,
            backends::HttpClientResult::Failure::Refused);
  EXPECT_EQ(lab.get(lab.layout.address("b", Network::Oam), lab.api_port(), "/v1/who").failure,
            backends::HttpClientResult::Failure::Refused);
  r = lab.echo_via("c", Network::Oam, "still");
  ASSERT_TRUE(r.ok()) << r.failure().detail;
  EXPECT_EQ(r->text, "still@b");
  b.env().stop_http(Network::Oam, lab.api_port());  // again: harmless
}

TEST(FloatingNames, TheEndOfTheIncarnationReleasesTheClaim) {
  FloatingLab lab;
  ASSERT_TRUE(lab.two.probe("b").env().claim_floating("controller"));
  EXPECT_FALSE(lab.one.probe("a").env().claim_floating("controller"));
  // b crashes (its handler throws): its claim ends with it, and a can take the name over.
  lab.one.probe("c").send("b", Network::Management, Boom{});
  ASSERT_TRUE(lab.run_until([&] { return lab.two.runtime.node("b") == nullptr; }));
  const auto* released = lab.two.last("floating.release", "b");
  ASSERT_NE(released, nullptr);
  EXPECT_EQ(released->fields.value("reason", ""), "crashed");
  ASSERT_TRUE(lab.one.probe("a").env().claim_floating("controller"));
  auto r = lab.echo_via("c", Network::Management, "after-crash");
  ASSERT_TRUE(r.ok()) << r.failure().detail;
  EXPECT_EQ(r->text, "after-crash@a");
  // The restarted b (a new incarnation) holds nothing, and cannot claim while a does.
  lab.two.runtime.restart_node("b");
  EXPECT_FALSE(lab.two.probe("b").env().claim_floating("controller"));
  lab.one.runtime.stop_node("a");
  EXPECT_TRUE(lab.two.probe("b").env().claim_floating("controller"));
}

TEST(FloatingNames, UnknownNamesMissingNetworksAndPartlyHeldAddressesAreRefused) {
  LabLayout layout({probe("a", "one"), [] {
                      auto n = probe("m", "one");
                      n.networks = {Network::Management};
                      return n;
                    }()});
  layout.add_floating({"controller", {Network::Management, Network::Oam}});
  const auto roles = test_roles();
  Process one(layout, roles, "one");
  EXPECT_FALSE(one.probe("a").env().claim_floating("nonesuch"));
  const auto* failed = one.last("floating.claim_failed", "a");
  ASSERT_NE(failed, nullptr);
  EXPECT_NE(failed->fields.value("error", "").find("unknown floating name"), std::string::npos);
  EXPECT_FALSE(one.probe("m").env().claim_floating("controller")) << "m has no oam address to answer from";
  failed = one.last("floating.claim_failed", "m");
  ASSERT_NE(failed, nullptr);
  EXPECT_NE(failed->fields.value("error", "").find("no address on oam"), std::string::npos)
      << failed->fields.dump();

  // Someone else holds only the oam address: the claim binds mgmt, fails on oam, and closes mgmt again.
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::udp::socket squatter(io, asio::ip::udp::endpoint(
                                         asio::ip::make_address(layout.floating_address("controller", Network::Oam)),
                                         layout.datagram_port()));
  EXPECT_FALSE(one.probe("a").env().claim_floating("controller"));
  failed = one.last("floating.claim_failed", "a");
  ASSERT_NE(failed, nullptr);
  EXPECT_NE(failed->fields.value("error", "").find(layout.floating_address("controller", Network::Oam)), std::string::npos)
      << failed->fields.dump();
  squatter.close();
  EXPECT_TRUE(one.probe("a").env().claim_floating("controller")) << "the failed claim left mgmt bound";
  EXPECT_EQ(one.runtime.stats().node_crashes, 0u);
}

}  // namespace
}  // namespace roost::testing
