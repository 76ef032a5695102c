// The ha-probe role driven by hand (ManualEnv): its writes, acknowledgements, verification and swacts,
// answered by the test in place of an active controller.
#include <gtest/gtest.h>

#include "platform/core/codec.h"
#include "platform/fm/messages.h"
#include "platform/sm/ha_probe.h"
#include "platform/sm/messages.h"
#include "tests/unit/manual_env.h"

namespace roost::sm {
namespace {

using namespace std::chrono_literals;
using testing::CapturingLogger;

std::string text(const CapturingLogger::Record& r, const std::string& key) {
  for (const auto& f : r.fields)
    if (f.key == key) {
      if (auto* s = std::get_if<std::string>(&f.value)) return *s;
      if (auto* i = std::get_if<std::int64_t>(&f.value)) return std::to_string(*i);
      if (auto* b = std::get_if<bool>(&f.value)) return *b ? "true" : "false";
    }
  return "<none>";
}

class HaProbeTest : public ::testing::Test {
 protected:
  void start(nlohmann::json config) {
    probe = std::make_unique<HaProbe>(env, core::NodeSpec{"probe", "ha-probe", "lab", std::move(config)});
    probe->start();
  }

  // The calls made so far that nobody answered yet, of one type; answered ones are removed from env.calls.
  std::vector<testing::ManualEnv::Call> take(core::MessageTypeId type) {
    std::vector<testing::ManualEnv::Call> out, rest;
    for (auto& c : env.calls) (c.request.type == type ? out : rest).push_back(std::move(c));
    env.calls = std::move(rest);
    return out;
  }
  template <class M>
  static M decoded(const testing::ManualEnv::Call& c) {
    M m{};
    EXPECT_FALSE(core::decode(c.request.body, m));
    return m;
  }
  static std::string entity(const testing::ManualEnv::Call& c) {
    auto m = decoded<fm::SetFaults>(c);
    return m.alarms.size() == 1 ? m.alarms[0].entity_instance_id : "<" + std::to_string(m.alarms.size()) + " alarms>";
  }
  static void ok(testing::ManualEnv::Call& c) { c.done(core::envelope(fm::FmReply{})); }
  static void fail(testing::ManualEnv::Call& c, core::CallError e, std::string detail) {
    c.done(core::CallFailure{e, std::move(detail)});
  }
  std::vector<std::string> events(const std::string& event, const std::string& key) {
    std::vector<std::string> out;
    for (const auto& r : env.logger.with_event(event)) out.push_back(text(r, key));
    return out;
  }

  testing::ManualEnv env{"probe"};
  std::unique_ptr<HaProbe> probe;
};

TEST_F(HaProbeTest, WritesOneAlarmPerPeriodThroughTheTargetWithOneInFlight) {
  start({{"write_period_ms", 250}, {"write_timeout_ms", 1500}});
  env.advance(249ms);
  EXPECT_TRUE(env.calls.empty());
  env.advance(1ms);
  auto first = take(fm::SetFaults::kType);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].to, "controller");
  EXPECT_EQ(first[0].net, core::Network::Management);
  EXPECT_EQ(first[0].timeout, 1500ms);
  const auto req = decoded<fm::SetFaults>(first[0]);
  ASSERT_EQ(req.alarms.size(), 1u);
  EXPECT_EQ(req.alarms[0].alarm_id, "100.114");
  EXPECT_EQ(req.alarms[0].entity_instance_id, "probe=probe.write=1");
  EXPECT_EQ(req.alarms[0].severity, fm::Severity::Major);

  // Unanswered: the next two ticks skip their turn.
  env.advance(500ms);
  EXPECT_TRUE(take(fm::SetFaults::kType).empty());
  ok(first[0]);
  EXPECT_EQ(events("probe.ack", "key"), std::vector<std::string>{"probe=probe.write=1"});
  EXPECT_EQ(events("probe.ack", "seq"), std::vector<std::string>{"1"});
  env.advance(250ms);
  auto second = take(fm::SetFaults::kType);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(entity(second[0]), "probe=probe.write=2");
}

TEST_F(HaProbeTest, FailedAndRefusedWritesAreLoggedAndNotCountedAsAcknowledged) {
  start({{"target", "ctl"}, {"alarm_id", "200.006"}});
  env.advance(250ms);
  auto c = take(fm::SetFaults::kType);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].to, "ctl");
  fail(c[0], core::CallError::Unreachable, "nobody holds controller");
  env.advance(250ms);
  c = take(fm::SetFaults::kType);
  ASSERT_EQ(c.size(), 1u);
  fm::FmReply refused;
  refused.error_code = 1;
  refused.error = "unknown alarm id";
  c[0].done(core::envelope(refused));
  EXPECT_EQ(events("probe.write_failed", "key"),
            (std::vector<std::string>{"probe=probe.write=1", "probe=probe.write=2"}));
  EXPECT_EQ(events("probe.write_failed", "error"),
            (std::vector<std::string>{"unreachable: nobody holds controller", "refused: unknown alarm id"}));
  EXPECT_TRUE(probe->acked().empty());
}

TEST_F(HaProbeTest, VerifyReportsAcknowledgedWritesMissingFromTheActive) {
  start({{"verify_at_ms", 1000}});
  for (int i = 0; i < 3; ++i) {
    env.advance(250ms);
    auto c = take(fm::SetFaults::kType);
    ASSERT_EQ(c.size(), 1u);
    if (i == 2) fail(c[0], core::CallError::Timeout, "");
    else ok(c[0]);
  }
  env.advance(250ms);  // t = 1000: the fourth tick and the verification fall together
  auto w = take(fm::SetFaults::kType);
  // Whether the tick ran before verify_at or not, at most one write is outstanding; answer it as lost.
  for (auto& c : w) fail(c, core::CallError::Timeout, "");
  auto get = take(fm::GetFaults::kType);
  ASSERT_EQ(get.size(), 1u);
  const auto q = decoded<fm::GetFaults>(get[0]);
  EXPECT_EQ(q.alarm_id, "100.114");
  EXPECT_EQ(q.entity_instance_id, "probe=probe");
  // The active lost write 2 but holds write 3, which was never acknowledged.
  fm::GetFaults::Response r;
  for (const char* k : {"probe=probe.write=1", "probe=probe.write=3"}) {
    fm::Alarm a;
    a.alarm_id = "100.114";
    a.entity_instance_id = k;
    r.alarms.push_back(a);
  }
  get[0].done(core::envelope(r));
  const auto v = env.logger.with_event("probe.verify");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(text(v[0], "acked"), "2");
  EXPECT_EQ(text(v[0], "present"), "1");
  EXPECT_EQ(text(v[0], "missing"), "1");
  EXPECT_EQ(text(v[0], "missing_keys"), "probe=probe.write=2");
  EXPECT_EQ(text(v[0], "unacked_present"), "1");
  // No writes after the verification.
  env.advance(2s);
  EXPECT_TRUE(take(fm::SetFaults::kType).empty());
}

TEST_F(HaProbeTest, VerifyWaitsForTheWriteInFlight) {
  start({{"verify_at_ms", 300}});
  env.advance(250ms);
  auto c = take(fm::SetFaults::kType);
  ASSERT_EQ(c.size(), 1u);
  env.advance(100ms);
  EXPECT_TRUE(take(fm::GetFaults::kType).empty()) << "asked before the write in flight ended";
  ok(c[0]);
  auto get = take(fm::GetFaults::kType);
  ASSERT_EQ(get.size(), 1u);
  get[0].done(core::envelope(fm::GetFaults::Response{}));
  const auto v = env.logger.with_event("probe.verify");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(text(v[0], "acked"), "1");
  EXPECT_EQ(text(v[0], "missing"), "1");
}

TEST_F(HaProbeTest, VerifyRetriesEveryHalfSecondForTenSecondsThenSkips) {
  start({{"verify_at_ms", 100}, {"write_period_ms", 1000}, {"write_timeout_ms", 200}});
  env.advance(100ms);
  int attempts = 0;
  for (int i = 0; i < 200 && env.logger.with_event("probe.verify").empty(); ++i) {
    auto get = take(fm::GetFaults::kType);
    for (auto& g : get) {
      ++attempts;
      fail(g, core::CallError::Unreachable, "no node holds controller");
    }
    env.advance(100ms);
  }
  // Attempts at 0, 0.5, ..., 10 s after verify_at: 21.
  EXPECT_EQ(attempts, 21);
  const auto v = env.logger.with_event("probe.verify");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(text(v[0], "skipped"), "no active");
  EXPECT_EQ(text(v[0], "error"), "unreachable: no node holds controller");
  EXPECT_EQ(text(v[0], "missing"), "<none>");
}

TEST_F(HaProbeTest, VerifySucceedsAfterRetries) {
  start({{"verify_at_ms", 100}, {"write_period_ms", 5000}});
  env.advance(100ms);
  auto get = take(fm::GetFaults::kType);
  ASSERT_EQ(get.size(), 1u);
  fail(get[0], core::CallError::Timeout, "");
  env.advance(500ms);
  get = take(fm::GetFaults::kType);
  ASSERT_EQ(get.size(), 1u);
  get[0].done(core::envelope(fm::GetFaults::Response{}));
  const auto v = env.logger.with_event("probe.verify");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(text(v[0], "acked"), "0");
  EXPECT_EQ(text(v[0], "missing"), "0");
  EXPECT_EQ(text(v[0], "skipped"), "<none>");
}

TEST_F(HaProbeTest, SwactsAreRequestedAtTheirTimesAndTheAnswerLogged) {
  start({{"write_period_ms", 60000},
         {"swact_timeout_ms", 4000},
         {"swacts", {{{"at_ms", 3000}}, {{"at_ms", 5000}, {"force", true}}}}});
  env.advance(2999ms);
  EXPECT_TRUE(take(SwactRequest::kType).empty());
  env.advance(1ms);
  auto s = take(SwactRequest::kType);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].to, "controller");
  EXPECT_EQ(s[0].timeout, 4000ms);
  EXPECT_FALSE(decoded<SwactRequest>(s[0]).force);
  SwactReply reply;
  reply.ok = true;
  reply.new_active = "controller-1";
  s[0].done(core::envelope(reply));
  env.advance(2s);
  s = take(SwactRequest::kType);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(decoded<SwactRequest>(s[0]).force);
  fail(s[0], core::CallError::Timeout, "");
  EXPECT_EQ(events("probe.swact", "ok"), (std::vector<std::string>{"true", "false"}));
  EXPECT_EQ(events("probe.swact", "new_active"), (std::vector<std::string>{"controller-1", ""}));
  EXPECT_EQ(events("probe.swact", "force"), (std::vector<std::string>{"false", "true"}));
  EXPECT_EQ(events("probe.swact", "at_ms"), (std::vector<std::string>{"3000", "5000"}));
  EXPECT_EQ(events("probe.swact", "error"), (std::vector<std::string>{"", "timeout"}));
}

TEST(HaProbeConfigTest, BadConfigsNameTheKey) {
  auto error = [](const nlohmann::json& j) {
    try {
      HaProbeConfig::from_json(j);
    } catch (const std::invalid_argument& e) {
      // The list of known keys after an unknown one is ConfigReader's business.
      const std::string what = e.what();
      return what.substr(0, what.find(" (known: "));
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error({{"write_period", 250}}), "ha-probe config: write_period: unknown key");
  EXPECT_EQ(error({{"swacts", {{{"force", true}}}}}),
            "ha-probe config: swacts[0]: at_ms: required: when to ask for the swact (ms since the probe started)");
  EXPECT_EQ(error({{"swacts", {{{"at_ms", 10}, {"forced", true}}}}}), "ha-probe config: swacts[0]: forced: unknown key");
  EXPECT_EQ(error({{"swacts", 3}}), "ha-probe config: swacts: must be an array of {\"at_ms\": ..., \"force\": ...}");
  EXPECT_EQ(error({{"network", "lan"}}), "ha-probe config: network: unknown network \"lan\" (mgmt, cluster-host, oam, wan)");
  EXPECT_EQ(error({{"target", ""}}), "ha-probe config: target: must name the node (or floating name) to write to");
  const auto c = HaProbeConfig::from_json({{"verify_at_ms", 85000}, {"swacts", {{{"at_ms", 30000}, {"force", true}}}}});
  ASSERT_TRUE(c.verify_at);
  EXPECT_EQ(*c.verify_at, 85s);
  ASSERT_EQ(c.swacts.size(), 1u);
  EXPECT_EQ(c.swacts[0].at, 30s);
  EXPECT_TRUE(c.swacts[0].force);
}

}  // namespace
}  // namespace roost::sm
