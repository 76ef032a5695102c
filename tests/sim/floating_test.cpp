// Floating names in the simulation: a site's "controller" is answered by whichever node claims it. Calls
// and datagrams to it reach the holder (and fail or are dropped while nobody holds it), a second claimant
// is refused, a crash releases the claim, a packet in flight follows the name to its new holder, and the
// run stays deterministic.
#include <gtest/gtest.h>

#include <map>
#include <variant>

#include "tests/sim/fleet_builders.h"

namespace roost::sim::testing {
namespace {

using nlohmann::json;

struct Seen {
  double t;
  std::string node;
  json fields;
};

// Every record of `event`, its fields as a JSON object.
std::vector<Seen> seen(const SimResult& r, const std::string& event) {
  std::vector<Seen> out;
  for (const auto* rec : records(r, event)) {
    json fields = json::object();
    for (const auto& f : rec->fields) std::visit([&](const auto& v) { fields[f.key] = v; }, f.value);
    out.push_back({seconds(*rec), rec->node, std::move(fields)});
  }
  return out;
}

// f1 holds "controller" over [0.15, 1.05) and from 3.05 on, f2 over [1.55, 2.55) (it crashes at 2.55).
// The caller calls it at 0.05, 0.5, 1.2, 2.0, 2.7, 3.5; the sprayer sends it a Blip every 100 ms from 0.
SimConfig swap_fleet(std::uint64_t seed = 1) {
  SimConfig c;
  c.seed = seed;
  c.duration = core::seconds(4);
  c.sites = {site("s",
                  {node("f1", "test-floater",
                        {{"name", "controller"}, {"claim_ms", {150, 350, 3050}}, {"release_ms", {1050}}}),
                   node("f2", "test-floater", {{"name", "controller"}, {"claim_ms", {250, 1550}}}),
                   node("caller", "test-caller",
                        {{"target", "controller"}, {"at_ms", {50, 500, 1200, 2000, 2700, 3500}}, {"timeout_ms", 300}}),
                   node("sprayer", "test-sprayer", {{"target", "controller"}, {"count", 40}, {"interval_ms", 100}})},
                  link(1))};
  c.sites[0].floating = {"controller"};
  FaultSpec crash;
  crash.kind = FaultKind::HostCrash;
  crash.at = core::at_seconds(2.55);
  crash.nodes = {"f2"};
  c.faults = {crash};
  return c;
}

TEST(Floating, CallsAndDatagramsReachWhoeverHoldsTheName) {
  const SimResult r = run(swap_fleet());

  // Claims: f2's while f1 holds it is refused; f1 claiming again is harmless (no second record).
  std::vector<std::pair<std::string, bool>> attempts;
  for (const auto& s : seen(r, "floater.claim")) attempts.emplace_back(s.node, s.fields["ok"].get<bool>());
  EXPECT_EQ(attempts, (std::vector<std::pair<std::string, bool>>{
                          {"f1", true}, {"f2", false}, {"f1", true}, {"f2", true}, {"f1", true}}));
  const auto claims = seen(r, "floating.claim");
  ASSERT_EQ(claims.size(), 3u);
  for (const auto& c : claims) {
    EXPECT_EQ(c.node, "sim");
    EXPECT_EQ(c.fields["name"], "controller");
  }
  EXPECT_EQ(claims[0].fields["node"], "f1");
  EXPECT_DOUBLE_EQ(claims[0].t, 0.15);
  EXPECT_EQ(claims[1].fields["node"], "f2");
  EXPECT_DOUBLE_EQ(claims[1].t, 1.55);
  EXPECT_EQ(claims[2].fields["node"], "f1");
  EXPECT_DOUBLE_EQ(claims[2].t, 3.05);
  const auto releases = seen(r, "floating.release");
  ASSERT_EQ(releases.size(), 2u);
  EXPECT_EQ(releases[0].fields, (json{{"name", "controller"}, {"node", "f1"}, {"reason", "released"}}));
  EXPECT_DOUBLE_EQ(releases[0].t, 1.05);
  EXPECT_EQ(releases[1].fields, (json{{"name", "controller"}, {"node", "f2"}, {"reason", "crash"}}));
  EXPECT_DOUBLE_EQ(releases[1].t, 2.55);

  // Calls: unreachable at once while nobody holds the name; else answered by the holder.
  const auto done = records(r, "caller", "call.done");
  ASSERT_EQ(done.size(), 6u);
  const std::vector<std::string> want{"unreachable", "", "unreachable", "", "unreachable", ""};
  for (std::size_t i = 0; i < done.size(); ++i) {
    EXPECT_EQ(str_field(*done[i], "error"), want[i]) << "call " << i + 1;
    if (!want[i].empty()) {
      EXPECT_EQ(int_field(*done[i], "rtt_ns"), 0) << "call " << i + 1;
    }
  }
  std::vector<std::pair<std::string, std::int64_t>> served;
  for (const auto& s : seen(r, "echo.served")) {
    served.emplace_back(s.node, s.fields["n"].get<std::int64_t>());
    EXPECT_EQ(s.fields["from"], "caller");
  }
  EXPECT_EQ(served, (std::vector<std::pair<std::string, std::int64_t>>{{"f1", 2}, {"f2", 4}, {"f1", 6}}));

  // Datagrams (sent at 0, 0.1, ..., 3.9, 1 ms on the way): to the holder, dropped while nobody holds it.
  std::map<std::string, std::vector<std::int64_t>> blips;
  for (const auto& s : seen(r, "blip")) {
    blips[s.node].push_back(s.fields["n"].get<std::int64_t>());
    EXPECT_EQ(s.fields["from"], "sprayer");
  }
  auto range = [](std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> v;
    for (auto n = from; n <= to; ++n) v.push_back(n);
    return v;
  };
  std::vector<std::int64_t> f1 = range(3, 11);  // sent at 0.2 .. 1.0
  for (auto n : range(32, 40)) f1.push_back(n);  // sent at 3.1 .. 3.9
  EXPECT_EQ(blips["f1"], f1);
  EXPECT_EQ(blips["f2"], range(17, 26));  // sent at 1.6 .. 2.5
  EXPECT_EQ(blips.size(), 2u);
  // 2 + 5 + 5 blips and 3 calls found nobody holding the name.
  EXPECT_EQ(r.stats.unroutable_messages, 15u);
}

TEST(Floating, APacketInFlightGoesToTheNewHolder) {
  // A 10 ms LAN: what is sent to f1 at 1.000 arrives at 1.010, after f1 released (1.005) and f2 claimed
  // (1.006) the name, as packets to a moved address reach its new host.
  SimConfig c;
  c.duration = core::seconds(2);
  c.sites = {site("s",
                  {node("f1", "test-floater", {{"name", "controller"}, {"claim_ms", {100}}, {"release_ms", {1005}}}),
                   node("f2", "test-floater", {{"name", "controller"}, {"claim_ms", {1006}}}),
                   node("caller", "test-caller", {{"target", "controller"}, {"at_ms", {500, 1000}}, {"timeout_ms", 300}}),
                   node("sprayer", "test-sprayer", {{"target", "controller"}, {"count", 3}, {"interval_ms", 500}})},
                  link(10))};
  c.sites[0].floating = {"controller"};
  const SimResult r = run(c);
  std::vector<std::pair<std::string, std::int64_t>> blips, served;
  for (const auto& s : seen(r, "blip")) blips.emplace_back(s.node, s.fields["n"].get<std::int64_t>());
  for (const auto& s : seen(r, "echo.served")) served.emplace_back(s.node, s.fields["n"].get<std::int64_t>());
  EXPECT_EQ(blips, (std::vector<std::pair<std::string, std::int64_t>>{{"f1", 2}, {"f2", 3}}))
      << "blip 1 (t=0) found nobody; blip 3 was sent while f1 held the name";
  EXPECT_EQ(served, (std::vector<std::pair<std::string, std::int64_t>>{{"f1", 1}, {"f2", 2}}));
  const auto done = records(r, "caller", "call.done");
  ASSERT_EQ(done.size(), 2u);
  EXPECT_TRUE(bool_field(*done[1], "ok")) << str_field(*done[1], "error");
  EXPECT_EQ(int_field(*done[1], "rtt_ns"), int_field(*done[0], "rtt_ns")) << "same route, same latency";
}

TEST(Floating, EachSiteHasItsOwnAndOthersReachTheOnlyOne) {
  // Sites a and b each have a "controller"; c has none and addresses b's "registry", the only one.
  const std::vector<core::Network> wan{core::Network::Management, core::Network::Wan};
  SimConfig c;
  c.duration = core::seconds(1);
  c.sites = {
      site("a", {node("fa", "test-floater", {{"name", "controller"}, {"claim_ms", {10}}}, wan),
                 node("ca", "test-caller", {{"target", "controller"}, {"at_ms", {100}}}, wan)}),
      site("b", {node("fb", "test-floater", {{"name", "controller"}, {"claim_ms", {10, 20}}}, wan),
                 node("rb", "test-floater", {{"name", "registry"}, {"claim_ms", {10}}}, wan),
                 node("cb", "test-caller", {{"target", "controller"}, {"at_ms", {100}}}, wan)}),
      site("c", {node("cc", "test-caller", {{"target", "registry"}, {"network", "wan"}, {"at_ms", {100}}}, wan),
                 node("cx", "test-caller", {{"target", "controller"}, {"network", "wan"}, {"at_ms", {100}}}, wan),
                 node("fc", "test-floater", {{"name", "registry"}, {"claim_ms", {10}}}, wan)})};
  c.sites[0].floating = {"controller"};
  c.sites[1].floating = {"controller", "registry"};
  const SimResult r = run(c);
  std::map<std::string, std::string> served_by;  // caller -> node that served it
  for (const auto& s : seen(r, "echo.served")) served_by[s.fields["from"].get<std::string>()] = s.node;
  EXPECT_EQ(served_by["ca"], "fa");
  EXPECT_EQ(served_by["cb"], "fb");
  EXPECT_EQ(served_by["cc"], "rb") << "site c has no registry: b's, the only one, over the WAN";
  const auto cx = records(r, "cx", "call.done");
  ASSERT_EQ(cx.size(), 1u);
  EXPECT_EQ(str_field(*cx[0], "error"), "unreachable") << "two other sites have a controller: ambiguous";
  // A node cannot claim another site's name.
  const auto fc = records(r, "fc", "floater.claim");
  ASSERT_EQ(fc.size(), 1u);
  EXPECT_FALSE(bool_field(*fc[0], "ok"));
}

TEST(Floating, SimGridLanModeDeliversTheSame) {
  SimConfig c = swap_fleet();
  c.lan_mode = LanMode::SimGrid;
  const SimResult local = run(swap_fleet());
  const SimResult simgrid = run(c);
  EXPECT_GT(simgrid.stats.simgrid_messages, 0u);
  for (const char* event : {"blip", "echo.served", "floating.claim", "floating.release", "call.done"}) {
    auto who = [&](const SimResult& r) {
      std::vector<std::string> out;
      for (const auto& s : seen(r, event)) out.push_back(s.node + " " + s.fields.value("n", json(0)).dump() + " " +
                                                         s.fields.value("error", std::string()));
      return out;
    };
    EXPECT_EQ(who(local), who(simgrid)) << event;
  }
}

TEST(Floating, TheRunIsDeterministic) {
  const SimResult a = run(swap_fleet(7));
  const SimResult b = run(swap_fleet(7));
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.trace.size(), b.trace.size());
}

}  // namespace
}  // namespace roost::sim::testing
