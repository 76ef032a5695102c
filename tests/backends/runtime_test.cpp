// The real runtime in one process: nodes exchange datagrams and calls over real loopback UDP and HTTP.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "backends/call_transport.h"
#include "backends/http_client.h"
#include "in_process_lab.h"
#include "platform/mtce/pulse.h"

namespace roost::testing {
namespace {

using core::CallError;
using core::Network;
using namespace std::chrono_literals;

constexpr core::Duration kLimit = core::seconds(5);  // generous: nothing here should take more than ms

TEST(RealRuntime, DatagramsFlowBothWaysOnEachNetwork) {
  InProcessLab lab({probe("a"), probe("b")});
  auto& a = lab.probe("a");
  auto& b = lab.probe("b");
  a.send("b", Network::Management, Ping{1});
  a.send("b", Network::ClusterHost, Ping{2});
  a.send("b", Network::Oam, Ping{3});
  ASSERT_TRUE(lab.runtime.run_until([&] { return a.pongs.size() == 3; }, kLimit));
  ASSERT_EQ(b.pings.size(), 3u);
  std::map<std::uint64_t, Network> seen;
  for (const auto& p : b.pings) {
    EXPECT_EQ(p.from.node, "a");
    seen[p.seq] = p.from.network;
  }
  EXPECT_EQ(seen[1], Network::Management);
  EXPECT_EQ(seen[2], Network::ClusterHost);
  EXPECT_EQ(seen[3], Network::Oam);
  for (const auto& p : a.pongs) EXPECT_EQ(p.from.node, "b");
  EXPECT_EQ(lab.runtime.stats().datagrams_sent, 6u);
  EXPECT_EQ(lab.runtime.stats().datagrams_delivered, 6u);
}

TEST(RealRuntime, DatagramRoundTripOnLoopback) {
  InProcessLab lab({probe("a"), probe("b")});
  auto& a = lab.probe("a");
  constexpr int kRounds = 2000;
  a.ping_chain("b", Network::Management, kRounds);
  ASSERT_TRUE(lab.runtime.run_until([&] { return a.chain_done(); }, core::seconds(20)));
  const double rtt_us = core::to_seconds(a.chain_elapsed()) * 1e6 / kRounds;
  std::printf("[ measure  ] datagram round trip (ping/pong, one thread, loopback): %.1f us over %d rounds\n", rtt_us,
              kRounds);
  EXPECT_LT(rtt_us, 50'000.0);  // sanity only: a round trip is tens of microseconds
}

TEST(RealRuntime, CallsReturnRepliesAndReuseConnections) {
  InProcessLab lab({probe("a"), probe("b")});
  auto& a = lab.probe("a");
  std::optional<core::Result<EchoReply>> got;
  a.call("b", Network::ClusterHost, Echo{"hello"}, core::seconds(2),
         [&](core::Result<EchoReply> r) { got.emplace(std::move(r)); });
  ASSERT_TRUE(lab.runtime.run_until([&] { return got.has_value(); }, kLimit));
  ASSERT_TRUE(got->ok()) << got->failure().detail;
  EXPECT_EQ((*got)->text, "hello@b");
  ASSERT_EQ(lab.probe("b").callers.size(), 1u);
  EXPECT_EQ(lab.probe("b").callers[0].node, "a");
  EXPECT_EQ(lab.probe("b").callers[0].network, Network::ClusterHost);

  constexpr int kCalls = 1000;
  a.call_chain("b", Network::Management, kCalls);
  ASSERT_TRUE(lab.runtime.run_until([&] { return a.calls_done(); }, core::seconds(30)));
  ASSERT_TRUE(a.call_failures.empty()) << a.call_failures[0].detail;
  const double rtt_us = core::to_seconds(a.chain_elapsed()) * 1e6 / kCalls;
  std::printf("[ measure  ] call round trip (HTTP/1.1 keep-alive, one thread, loopback): %.1f us over %d calls\n",
              rtt_us, kCalls);
  // Keep-alive: one connection per (caller address, callee address), not one per call.
  EXPECT_LE(lab.runtime.stats().call_connections_opened, 2u);
  EXPECT_EQ(lab.runtime.stats().calls_served, 1u + kCalls);
}

TEST(RealRuntime, CallFailuresMapBackToTheirCodes) {
  InProcessLab lab({probe("a"), probe("b")});
  auto& a = lab.probe("a");
  std::map<std::string, core::CallFailure> failures;
  auto expect_failure = [&](const std::string& what) {
    return [&failures, what](core::Result<EchoReply> r) {
      ASSERT_FALSE(r.ok()) << what << " succeeded";
      failures[what] = r.failure();
    };
  };
  a.call("b", Network::Management, Refuse{}, core::seconds(2), expect_failure("refuse"));
  a.call("b", Network::Management, Unserved{}, core::seconds(2), expect_failure("unserved"));
  a.call("nobody", Network::Management, Echo{"x"}, core::seconds(2), expect_failure("unknown node"));
  ASSERT_TRUE(lab.runtime.run_until([&] { return failures.size() == 3; }, kLimit));
  EXPECT_EQ(failures["refuse"].code, CallError::Rejected);
  EXPECT_EQ(failures["refuse"].detail, "refused on purpose");
  EXPECT_EQ(failures["unserved"].code, CallError::NoHandler);
  EXPECT_EQ(failures["unknown node"].code, CallError::Unreachable);
  EXPECT_NE(failures["unknown node"].detail.find("nobody"), std::string::npos);
}

TEST(RealRuntime, CallTimesOutWhenTheCalleeNeverAnswers) {
  InProcessLab lab({probe("a"), probe("b")});
  auto& a = lab.probe("a");
  const auto timeout = core::milliseconds(300);
  std::optional<core::Result<EchoReply>> got;
  const auto t0 = lab.runtime.now();
  a.call("b", Network::Management, Stall{}, timeout, [&](core::Result<EchoReply> r) { got.emplace(std::move(r)); });
  ASSERT_TRUE(lab.runtime.run_until([&] { return got.has_value(); }, kLimit));
  const auto elapsed = lab.runtime.now() - t0;
  ASSERT_FALSE(got->ok());
  EXPECT_EQ(got->failure().code, CallError::Timeout) << got->failure().detail;
  EXPECT_GE(elapsed, timeout);
  EXPECT_LT(elapsed, timeout + core::seconds(2));
  EXPECT_EQ(lab.probe("b").stalled.size(), 1u);
  // The timed-out connection is not reused: the next call still works (on a fresh one).
  got.reset();
  a.call("b", Network::Management, Echo{"after"}, core::seconds(2), [&](core::Result<EchoReply> r) { got.emplace(std::move(r)); });
  ASSERT_TRUE(lab.runtime.run_until([&] { return got.has_value(); }, kLimit));
  ASSERT_TRUE(got->ok()) << got->failure().detail;
  EXPECT_EQ((*got)->text, "after@b");
}

TEST(RealRuntime, CallToADeadAddressIsUnreachableQuickly) {
  // "ghost" lives in a process nobody started: its address exists in the directory, nothing listens.
  InProcessLab lab({probe("a"), probe("ghost", "elsewhere")});
  auto& a = lab.probe("a");
  std::optional<core::Result<EchoReply>> got;
  const auto t0 = lab.runtime.now();
  a.call("ghost", Network::Management, Echo{"x"}, core::seconds(5), [&](core::Result<EchoReply> r) { got.emplace(std::move(r)); });
  ASSERT_TRUE(lab.runtime.run_until([&] { return got.has_value(); }, kLimit));
  const auto elapsed = lab.runtime.now() - t0;
  ASSERT_FALSE(got->ok());
  EXPECT_EQ(got->failure().code, CallError::Unreachable) << got->failure().detail;
  EXPECT_LT(elapsed, core::seconds(1)) << "connection refused must not wait for the 5 s timeout";
  std::printf("[ measure  ] call to a dead address failed (unreachable) in %.2f ms\n", core::to_millis(elapsed));
  // Datagrams to it are sent (UDP does not know) and simply lost.
  a.send("ghost", Network::Management, Ping{1});
  lab.runtime.run_for(core::milliseconds(20));
  EXPECT_EQ(lab.runtime.stats().datagrams_sent, 1u);
}

TEST(RealRuntime, MalformedAndMisaddressedDatagramsAreCountedAndIgnored) {
  InProcessLab lab({probe("a"), probe("b")});
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::udp::socket raw(io, asio::ip::udp::v4());
  const asio::ip::udp::endpoint b_mgmt(asio::ip::make_address(lab.layout.address("b", Network::Management)),
                                       lab.layout.datagram_port());
  raw.send_to(asio::buffer(std::string("\x00garbage", 8)), b_mgmt);
  raw.send_to(asio::buffer(std::string("R")), b_mgmt);                                       // truncated header
  raw.send_to(asio::buffer(std::string("R\x02\x01\x7f", 4)), b_mgmt);                        // unknown version
  raw.send_to(asio::buffer(core::encode_frame("a", "c", core::envelope(Ping{9}))), b_mgmt);  // not for b
  lab.runtime.run_until([&] { return lab.runtime.stats().datagrams_malformed == 3 &&
                                     lab.runtime.stats().datagrams_misaddressed == 1; }, kLimit);
  EXPECT_EQ(lab.runtime.stats().datagrams_malformed, 3u);
  EXPECT_EQ(lab.runtime.stats().datagrams_misaddressed, 1u);
  EXPECT_EQ(lab.count("datagram.malformed", "b"), 3u);
  EXPECT_TRUE(lab.probe("b").pings.empty());
  // b still works.
  lab.probe("a").send("b", Network::Management, Ping{10});
  ASSERT_TRUE(lab.runtime.run_until([&] { return lab.probe("a").pongs.size() == 1; }, kLimit));
}

TEST(RealRuntime, UndeliverableDatagramsAreDroppedAndLoggedOnce) {
  auto no_oam = probe("b");
  no_oam.networks = {Network::Management};
  InProcessLab lab({probe("a"), no_oam});
  auto& a = lab.probe("a");
  a.send("nobody", Network::Management, Ping{1});
  a.send("nobody", Network::Management, Ping{2});
  a.send("b", Network::Oam, Ping{3});
  lab.runtime.run_for(core::milliseconds(10));
  EXPECT_EQ(lab.runtime.stats().datagrams_undeliverable, 3u);
  std::size_t warnings = 0;
  for (const auto& r : lab.records) warnings += r.event == "datagram.undeliverable" && r.level == core::LogLevel::Warn;
  EXPECT_EQ(warnings, 2u) << "one warning per (destination, network), not one per datagram";
}

TEST(RealRuntime, AStoppedNodeGetsNoCallbacksAndRestartsAsANewIncarnation) {
  InProcessLab lab({probe("a"), probe("b")});
  auto& a = lab.probe("a");
  int callbacks = 0;
  a.after(core::milliseconds(30), [&] { ++callbacks; });
  a.call("b", Network::Management, Stall{}, core::milliseconds(100), [&](core::Result<EchoReply>) { ++callbacks; });
  a.call("b", Network::Management, Echo{"x"}, core::seconds(1), [&](core::Result<EchoReply>) { ++callbacks; });
  lab.runtime.stop_node("a");  // before any of them could run
  EXPECT_EQ(lab.runtime.node("a"), nullptr);
  lab.runtime.run_for(core::milliseconds(300));
  EXPECT_EQ(callbacks, 0);
  // A stopped node's addresses are closed: b's pings to it are lost, its calls fail fast.
  std::optional<core::Result<EchoReply>> got;
  lab.probe("b").call("a", Network::Management, Echo{"x"}, core::seconds(5), [&](core::Result<EchoReply> r) { got.emplace(std::move(r)); });
  ASSERT_TRUE(lab.runtime.run_until([&] { return got.has_value(); }, kLimit));
  EXPECT_EQ(got->failure().code, CallError::Unreachable);

  lab.runtime.restart_node("a");
  auto& a2 = lab.probe("a");
  EXPECT_TRUE(a2.pings.empty());  // a fresh node object
  lab.probe("b").send("a", Network::Management, Ping{5});
  ASSERT_TRUE(lab.runtime.run_until([&] { return a2.pings.size() == 1; }, kLimit));
  EXPECT_EQ(lab.count("node.started", "a"), 2u);
}

TEST(RealRuntime, ANodeThatThrowsCrashesAloneAndTheRestRunsOn) {
  InProcessLab lab({probe("a"), probe("b"), probe("c")});
  lab.probe("a").send("b", Network::Management, Boom{});
  ASSERT_TRUE(lab.runtime.run_until([&] { return lab.runtime.node("b") == nullptr; }, kLimit));
  EXPECT_EQ(lab.runtime.stats().node_crashes, 1u);
  ASSERT_EQ(lab.count("node.crashed", "b"), 1u);
  lab.probe("a").send("c", Network::Management, Ping{1});
  ASSERT_TRUE(lab.runtime.run_until([&] { return lab.probe("a").pongs.size() == 1; }, kLimit));
}

TEST(RealRuntime, ListenersServeOtherRoutesBesideTheCallEndpoint) {
  InProcessLab lab({probe("a")});
  lab.runtime.router("a", Network::Oam).add("GET", "/v1/hello/{who}", [](const backends::HttpRequest& req, backends::HttpRespond respond) {
    respond(backends::HttpResponse::json(200, {{"hello", req.params.at("who")}, {"query", req.query}}));
  });
  backends::HttpClient client(lab.runtime.io());
  std::map<std::string, backends::HttpClientResult> got;
  auto get = [&](std::string method, std::string target, std::string body = "") {
    backends::HttpClientRequest req;
    req.address = lab.layout.address("a", Network::Oam);
    req.port = lab.layout.call_port();
    req.method = method;
    req.target = target;
    req.body = std::move(body);
    req.timeout = core::seconds(2);
    client.request(req, [&got, key = method + " " + target](backends::HttpClientResult r) { got[key] = std::move(r); });
  };
  get("GET", "/v1/hello/world?x=1");
  get("GET", "/v1/nothing");
  get("GET", "/roost/v1/call");
  get("POST", "/roost/v1/call", "not a frame");
  ASSERT_TRUE(lab.runtime.run_until([&] { return got.size() == 4; }, kLimit));
  const auto& hello = got["GET /v1/hello/world?x=1"];
  ASSERT_EQ(hello.failure, backends::HttpClientResult::Failure::None) << hello.detail;
  EXPECT_EQ(hello.status, 200);
  EXPECT_EQ(nlohmann::json::parse(hello.body), (nlohmann::json{{"hello", "world"}, {"query", "x=1"}}));
  EXPECT_EQ(got["GET /v1/nothing"].status, 404);
  EXPECT_EQ(got["GET /roost/v1/call"].status, 405);
  const auto& bad = got["POST /roost/v1/call"];
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad.body)["error"], "malformed");
  // The route is on the oam listener only.
  got.clear();
  backends::HttpClientRequest req;
  req.address = lab.layout.address("a", Network::Management);
  req.port = lab.layout.call_port();
  req.method = "GET";
  req.target = "/v1/hello/world";
  client.request(req, [&](backends::HttpClientResult r) { got["mgmt"] = std::move(r); });
  ASSERT_TRUE(lab.runtime.run_until([&] { return got.size() == 1; }, kLimit));
  EXPECT_EQ(got["mgmt"].status, 404);
}

// 200 nodes in one process: one pulse-controller pulsing 199 pulse-hosts every 100 ms.
TEST(RealRuntime, TwoHundredNodesInOneProcessPulseEachOther) {
  constexpr int kHosts = 199;
  std::vector<LabNode> nodes;
  nlohmann::json hosts = nlohmann::json::array();
  for (int i = 0; i < kHosts; ++i) hosts.push_back("host-" + std::to_string(i));
  nodes.push_back({"controller-0", "pulse-controller", "here", {{"hosts", hosts}, {"period_ms", 100}, {"miss_threshold", 5}}});
  for (int i = 0; i < kHosts; ++i) nodes.push_back({"host-" + std::to_string(i), "pulse-host", "here"});

  const auto t0 = std::chrono::steady_clock::now();
  InProcessLab lab(std::move(nodes));
  const double start_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  lab.runtime.run_for(core::milliseconds(1500));

  auto* monitor = dynamic_cast<mtce::PulseMonitor*>(lab.runtime.node("controller-0"));
  ASSERT_NE(monitor, nullptr);
  ASSERT_EQ(monitor->hosts().size(), static_cast<std::size_t>(kHosts));
  const auto now = lab.runtime.now();
  for (const auto& [host, st] : monitor->hosts()) {
    EXPECT_FALSE(st.lost) << host;
    EXPECT_LT(now - st.last_reply, core::milliseconds(500)) << host << " has not answered lately";
  }
  EXPECT_EQ(lab.count("pulse.host_lost"), 0u);
  const auto& s = lab.runtime.stats();
  // ~15 ticks x 199 pulses, each answered: about 6000 datagrams; every one sent arrived.
  EXPECT_GT(s.datagrams_sent, 2u * kHosts * 10);
  EXPECT_EQ(s.datagrams_malformed, 0u);
  std::printf("[ measure  ] 200 nodes (3 networks each) bound and started in %.0f ms; %llu datagrams in 1.5 s\n",
              start_ms, static_cast<unsigned long long>(s.datagrams_delivered));
}

}  // namespace
}  // namespace roost::testing
